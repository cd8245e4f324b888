"""The session file format on its own (no Qt): writing, reading back, and every refusal."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdapp.core.trainer import TrainConfig
from gdapp.ui.session_file import (
    MAX_DEPTH,
    SessionData,
    SessionFileError,
    file_sha256,
    lr_changes_from,
    parse_session,
    read_session_file,
    session_dict,
    theta_sha256,
    write_session_file,
)

THETA = [0.25, -1.5, 3.0]
CONFIG = TrainConfig(optimizer="adam", lr=0.02, batch_size=32, seed=4)


def good(**changes) -> dict:
    data = session_dict(
        origin={"preset": "diabetes"},
        config=CONFIG,
        steps=40,
        lr_changes=[(1, 0.01), (25, 0.02)],
        theta=THETA,
        view={"page": "graph", "graph_inputs": (1.0, 2.0, 3.0), "overlays": (("gd", 0.1),)},
        lessons={"version": 1, "lesson_index": 2, "step": 1},
        app_version="test",
    )
    data.update(changes)
    return data


def parsed(data) -> SessionData:
    return parse_session(json.dumps(data).encode(), "test.gdsession")


def refused(raw: bytes | str | dict, *words: str) -> str:
    if isinstance(raw, dict):
        raw = json.dumps(raw)
    if isinstance(raw, str):
        raw = raw.encode()
    with pytest.raises(SessionFileError) as caught:
        parse_session(raw, "test.gdsession")
    message = str(caught.value)
    assert message.startswith("test.gdsession: ")
    for word in words:
        assert word in message
    return message


def test_no_qt_is_imported():
    code = "import sys, gdapp.ui.session_file; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_theta_hash_is_of_little_endian_float64_bytes():
    expected = hashlib.sha256(struct.pack("<3d", *THETA)).hexdigest()
    assert theta_sha256(THETA) == expected
    assert theta_sha256([0.25, -1.5, 3.0000000000000004]) != expected  # one ulp apart


def test_file_hash(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,0\n")
    assert file_sha256(path) == hashlib.sha256(b"a,b\n1,0\n").hexdigest()


def test_lr_changes_from_history_columns():
    steps = [0, 1, 2, 3, 4, 5]
    lrs = [0.1, 0.1, 0.1, 0.5, 0.5, 0.1]
    assert lr_changes_from(steps, lrs) == [(1, 0.1), (3, 0.5), (5, 0.1)]
    assert lr_changes_from([0], [0.1]) == []


def test_round_trip(tmp_path):
    path = tmp_path / "run.gdsession"
    write_session_file(path, good())
    assert not list(tmp_path.glob("*.part"))
    data = read_session_file(path)
    assert data.config == CONFIG
    assert data.steps == 40 and data.lr_changes == ((1, 0.01), (25, 0.02))
    assert data.theta_sha256 == hashlib.sha256(struct.pack("<3d", *THETA)).hexdigest()
    assert data.origin == {"preset": "diabetes"}
    assert data.view["graph_inputs"] == (1.0, 2.0, 3.0)
    assert data.view["overlays"] == (("gd", 0.1),)
    assert data.lessons == {"version": 1, "lesson_index": 2, "step": 1}
    assert data.forks == ()
    assert data.initial_config().lr == 0.01
    assert [data.lr_at(s) for s in (1, 24, 25, 40)] == [0.01, 0.01, 0.02, 0.02]
    assert data.next_change_after(0) == 25 and data.next_change_after(24) is None


def test_csv_origin_keeps_every_option_and_the_file_hash(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_bytes(b"x,y\n1,0\n2,1\n")
    origin = {"csv": str(csv), "label": "y", "features": ["x"], "positive": 1,
              "scale": "none", "test_fraction": 0.0, "seed": 3}  # fmt: skip
    data = parsed(good(dataset=session_dict(
        origin=origin, config=CONFIG, steps=0, lr_changes=[], theta=THETA)["dataset"]))  # fmt: skip
    assert data.origin == origin
    assert data.dataset["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()


def test_floats_survive_exactly(tmp_path):
    start = [0.1 + 0.2, 1e-300, -2.5e17]
    path = tmp_path / "run.gdsession"
    write_session_file(path, good(start=start))
    assert read_session_file(path).start == tuple(start)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{}", ("not a session",)),
        ("[]", ("not a session",)),
        ('"gdapp-session"', ("not a session",)),
        ("", ("not valid JSON",)),
        ('{"format": "gdapp-session", "version": 1', ("not valid JSON", "line 1")),
        ("[" * 100_000 + "]" * 100_000, ("nested too deeply",)),
        (b"\xff\xfe{}", ("not UTF-8",)),
        ('{"format": "gdapp-session", "version": NaN}', ("NaN",)),
        ('{"format": "gdapp-session", "version": Infinity}', ("Infinity",)),
        ('{"format": "gdapp-session", "version": -Infinity}', ("Infinity",)),
        ('{"format": "gdapp-session", "version": 1e999}', ("out of range",)),
        ('{"format": "gdapp-session", "version": ' + "7" * 5000 + "}", ("too long",)),
    ],
)
def test_malformed_json_is_refused(raw, words):
    refused(raw, *words)


def test_nesting_beyond_the_limit_is_refused():
    deep: object = 1
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    refused(good(lessons={"x": deep}), "nested too deeply")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"version": 2}, ("version 2", "version 1 only")),
        ({"version": True}, ("version True",)),
        ({"format": "other"}, ("not a session",)),
        ({"steps": "40"}, ("steps must be a whole number",)),
        ({"steps": True}, ("steps must be a whole number",)),
        ({"steps": 40.0}, ("steps must be a whole number",)),
        ({"steps": -1}, ("steps must lie in",)),
        ({"steps": 10**12}, ("steps must lie in",)),
        ({"theta_sha256": "abc"}, ("theta_sha256", "SHA-256")),
        ({"theta_sha256": "G" * 64}, ("theta_sha256",)),
        ({"lr_changes": {"1": 0.1}}, ("lr_changes must be a list",)),
        ({"lr_changes": [[1, 0.1, 3]]}, ("lr_changes[0]",)),
        ({"lr_changes": [[1]]}, ("lr_changes[0] must be a [step",)),
        ({"lr_changes": [[5, 0.1], [5, 0.2]]}, ("lr_changes[1] step",)),
        ({"lr_changes": [[0, 0.1]]}, ("lr_changes[0] step",)),
        ({"lr_changes": [[41, 0.1]]}, ("beyond the session's 40 steps",)),
        ({"lr_changes": [[1, 0.0]]}, ("must be > 0",)),
        ({"lr_changes": [[1, "fast"]]}, ("learning rate must be a number",)),
        ({"config": []}, ("config must be an object",)),
        ({"config": {"lr": "0.1"}}, ("config.lr must be a number",)),
        ({"config": {"lr": -0.1}}, ("learning rate",)),
        ({"config": {"optimizer": "sgd9"}}, ("sgd9",)),
        ({"config": {"fit_bias": 1}}, ("config.fit_bias must be true or false",)),
        ({"config": {"batch_size": 0}}, ("config.batch_size",)),
        ({"config": {"max_epochs": 2**70}}, ("config.max_epochs",)),
        ({"config": {"shell": "rm"}}, ("config.shell is not a training setting",)),
        ({"dataset": "diabetes"}, ("dataset must be an object",)),
        ({"dataset": {}}, ("dataset must name a preset or a CSV",)),
        ({"dataset": {"preset": 3}}, ("dataset.preset must be text",)),
        ({"dataset": {"preset": "x", "csv": "y"}}, ("dataset names a preset and",)),
        ({"dataset": {"csv": "t.csv"}}, ("dataset.sha256",)),
        (
            {"dataset": {"csv": "t.csv", "sha256": "0" * 64, "options": {"eval": "x"}}},
            ("dataset.options.eval is not a CSV import option",),
        ),
        (
            {"dataset": {"csv": "t.csv", "sha256": "0" * 64, "options": {"scale": 3}}},
            ("dataset.options.scale cannot be a number",),
        ),
        (
            {"dataset": {"csv": "t.csv", "sha256": "0" * 64, "options": {"test_fraction": 1}}},
            ("test_fraction must lie in [0, 1)",),
        ),
        ({"dataset": {"csv": "x" * 5000, "sha256": "0" * 64}}, ("dataset.csv is longer",)),
        ({"view": {"page": 3}}, ("view.page must be text",)),
        ({"view": {"colour": "red"}}, ("view.colour is not a view setting",)),
        ({"view": {"graph_inputs": [1, 2]}}, ("view.graph_inputs must be three numbers",)),
        ({"view": {"landscape_params": []}}, ("view.landscape_params",)),
        ({"view": {"overlays": [["gd"]]}}, ("view.overlays[0]",)),
        ({"start": []}, ("start must hold",)),
        ({"start": [1, "x"]}, ("start[1] must be a number",)),
        ({"lessons": [1]}, ("lessons must be an object",)),
        ({"forks": [{"step": 3}]}, ("forks[0].epoch must be a list",)),
        ({"forks": [{"epoch": [0, 1], "train_loss": [0.7]}]}, ("has 2 epochs but 1 losses",)),
    ],
)
def test_bad_fields_are_refused_by_name(changes, words):
    refused(good(**changes), *words)


@pytest.mark.parametrize("key", ["dataset", "config", "steps", "lr_changes", "theta_sha256"])
def test_missing_fields_are_refused_by_name(key):
    data = good()
    del data[key]
    refused(data, f'"{key}" is missing')


def test_reading_stops_at_the_size_cap(tmp_path):
    path = tmp_path / "huge.gdsession"
    with open(path, "wb") as handle:
        handle.write(json.dumps(good()).encode())
        handle.truncate(2**30)  # sparse: a gigabyte on paper
    with pytest.raises(SessionFileError, match="huge.gdsession: larger than 5 MB"):
        read_session_file(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SessionFileError, match="gone.gdsession: the file does not exist"):
        read_session_file(tmp_path / "gone.gdsession")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(sorted(good())),
    value=JSON_VALUES,
)
def test_any_value_in_any_field_is_read_or_refused_cleanly(key, value):
    data = good()
    data[key] = value
    try:
        result = parsed(data)
    except SessionFileError as exc:
        assert str(exc).startswith("test.gdsession: ")
    else:
        assert isinstance(result, SessionData)


def test_written_files_are_json_without_nan(tmp_path):
    path = tmp_path / "run.gdsession"
    with pytest.raises(ValueError):
        write_session_file(path, good(start=[float("nan")]))
    assert not path.exists()
    write_session_file(path, good())
    assert json.loads(Path(path).read_text())["format"] == "gdapp-session"
