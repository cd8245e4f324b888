"""Run Python code in a fresh interpreter, as a user's own launch would, and read its output."""

from __future__ import annotations

import subprocess
import sys


def run_code(code: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``python -c``; it must exit 0 (its output is shown if it does not)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done
