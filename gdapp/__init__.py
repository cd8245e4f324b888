"""Gradient Descent Lab: a desktop app that shows gradient descent at work."""

import tomllib
from importlib import metadata as _metadata
from pathlib import Path


def _version() -> str:
    """The installed package's version; from pyproject.toml in a source tree never installed."""
    try:
        return _metadata.version("gdapp")
    except _metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        if pyproject.is_file():
            with pyproject.open("rb") as file:
                return str(tomllib.load(file)["project"]["version"])
        return "unknown"


__version__ = _version()
