"""The one exception raised when a run cannot be exported."""

from __future__ import annotations


class ExportError(ValueError):
    """A run, a dataset origin or a file path that cannot be exported; the message names it."""
