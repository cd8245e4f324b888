"""Gradient Descent Lab: a desktop app that shows gradient descent at work."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def _version() -> str:
    """The installed package's version; from pyproject.toml in a source tree never installed."""
    from importlib import metadata  # scanning the installed packages costs ~30 ms: on demand

    try:
        return metadata.version("gdapp")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        if pyproject.is_file():
            with pyproject.open("rb") as file:
                return str(tomllib.load(file)["project"]["version"])
        return "unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'gdapp' has no attribute {name!r}")
