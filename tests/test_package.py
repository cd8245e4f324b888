"""Build the onedir app with PyInstaller from gdapp.spec and run the packaged self-test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def packaged_app(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(REPO / "gdapp.spec"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work / "dist" / "gdapp"


def headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the packaged self-test must choose offscreen itself
    return env


@pytest.mark.slow
def test_bundle_carries_the_data_and_the_lessons(packaged_app):
    internal = packaged_app / "_internal"
    assert (internal / "data" / "diabetes.csv").is_file()
    lessons = sorted((internal / "resources" / "lessons").glob("*.md"))
    assert [p.name for p in lessons] == sorted(
        p.name for p in (REPO / "resources" / "lessons").glob("*.md")
    )
    assert (internal / "resources" / "icons" / "gdapp.svg").is_file()
    # Stripping breaks numpy's OpenBLAS; the spec must never strip.
    spec_code = [
        line for line in (REPO / "gdapp.spec").read_text().splitlines() if not line.startswith("#")
    ]
    assert not [line for line in spec_code if "strip=True" in line.replace(" ", "")]


@pytest.mark.slow
def test_packaged_self_test_passes(packaged_app, tmp_path):
    proc = subprocess.run(
        [str(packaged_app / "gdapp"), "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=headless_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "self-test passed"


@pytest.mark.slow
def test_packaged_headless_training_matches_the_source_run(packaged_app, tmp_path):
    argv = ["train", "--epochs", "20", "--json"]
    frozen = subprocess.run(
        [str(packaged_app / "gdapp"), *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=headless_env(),
        timeout=300,
    )
    source = subprocess.run(
        [sys.executable, "-m", "gdapp", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert frozen.returncode == 0, frozen.stderr
    assert json.loads(frozen.stdout)["weights"] == json.loads(source.stdout)["weights"]


@pytest.mark.slow
def test_packaged_version_comes_from_the_package_metadata(packaged_app):
    from importlib.metadata import version

    proc = subprocess.run(
        [str(packaged_app / "gdapp"), "--version"],
        capture_output=True,
        text=True,
        env=headless_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"Gradient Descent Lab {version('gdapp')}"
