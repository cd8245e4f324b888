"""Run ``gdapp``'s command line in-process and read what it printed."""

from __future__ import annotations

import io
import json

from gdapp.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``gdapp *argv``."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str) -> dict:
    """The JSON object ``gdapp *argv --json`` printed; the command must succeed."""
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)
