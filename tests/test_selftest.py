"""``gdapp --self-test`` drives the real window; it passes on a healthy app and names a failure."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from gdapp import selftest


def test_self_test_passes_in_a_fresh_process(tmp_path):
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # the self-test picks offscreen itself without a display
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "gdapp", "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "self-test passed"
    assert sum(line.startswith("ok  ") for line in lines) == 7
    assert "200 steps on the training thread" in proc.stdout
    assert "decision boundary page: its line lies where σ(z) = 0.5" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_self_test_reports_what_failed_and_exits_1(qapp, monkeypatch):
    from gdapp.ui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "export_plot", lambda self, key, path=None: False)
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    text = out.getvalue()
    assert "self-test FAILED: exporting the loss plot failed" in text
    assert "self-test passed" not in text
    # Everything before the failing check ran and passed.
    assert "ok  graph panel shows dL/dw" in text


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_print_without_opening_a_window(flag):
    proc = subprocess.run(
        [sys.executable, "-m", "gdapp", flag], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0
    assert (
        ("Gradient Descent Lab" in proc.stdout)
        if flag == "--version"
        else "--self-test" in proc.stdout
    )
