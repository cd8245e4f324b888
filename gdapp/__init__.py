"""Gradient Descent Lab: a desktop app that shows gradient descent at work."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("gdapp")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
