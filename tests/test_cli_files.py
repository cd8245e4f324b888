"""The CLI on the files people have: R and European exports, missing values, workbooks,
and files it cannot read (exit 2, one line naming the file, never a traceback)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gdapp import cli

ROOT = Path(__file__).resolve().parent.parent
GLUCOSE = [86, 195, 77, 165, 107, 97, 82, 166, 133, 120]
BMI = [30.2, 25.1, 35.8, 43.3, 22.9, 27.6, 31.0, 33.8, 29.3, 24.4]
TYPE = ["No", "Yes", "No", "Yes", "No", "No", "No", "Yes", "Yes", "No"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def r_style(path: Path) -> Path:
    rows = [
        f'"{i}",{g},{b},"{t}"'
        for i, (g, b, t) in enumerate(zip(GLUCOSE, BMI, TYPE, strict=True), start=1)
    ]
    path.write_text('"","glu","bmi","type"\n' + "\n".join(rows) + "\n")
    return path


def test_r_write_csv_output_trains_in_a_subprocess(tmp_path):
    path = r_style(tmp_path / "pima_tr.csv")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdapp",
            "train",
            "--dataset",
            str(path),
            "--epochs",
            "20",
            "--features",
            "glu,bmi",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["feature_names"] == ["glu", "bmi"] and len(result["weights"]) == 2
    assert result["positive"] == "Yes"
    assert "row labels" in done.stderr


def test_r_style_file_without_features_uses_every_named_column(tmp_path):
    code, out, err = run("dataset", "--dataset", str(r_style(tmp_path / "r.csv")), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["feature_names"] == ["glu", "bmi"] and summary["rows"] == 10


def test_european_export_and_missing_values(tmp_path):
    table = pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).astype({"bmi": object})
    table.loc[3, "bmi"] = None
    path = tmp_path / "export.csv"
    table.to_csv(path, sep=";", decimal=",", index=False)
    code, out, err = run("dataset", "--dataset", str(path), "--json", "--test-fraction", "0")
    assert code == 0, err
    assert json.loads(out)["rows"] == 9
    assert "note: 1 row with missing values left out (the first at line 5)." in err
    code, out, err = run(
        "dataset", "--dataset", str(path), "--json", "--test-fraction", "0", "--missing", "fill"
    )
    assert code == 0 and json.loads(out)["rows"] == 10
    assert "filled with the training median" in err


def test_workbook_sheet_option(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).to_excel(
            writer, sheet_name="Data", index=False
        )
    code, out, err = run("dataset", "--dataset", str(path), "--sheet", "Data", "--json")
    assert code == 0, err
    assert json.loads(out)["feature_names"] == ["glu", "bmi"]
    code, _, err = run("dataset", "--dataset", str(path), "--sheet", "Nope")
    assert (
        code == 2 and err == "error: book.xlsx: no sheet 'Nope'; the sheets are 'About', 'Data'\n"
    )
    code, _, err = run("dataset", "--sheet", "Data")
    assert code == 2 and "--sheet applies to a CSV file" in err


BAD = {
    "long name": (lambda tmp: tmp / ("x" * 300 + ".csv"), "too long"),
    "deep path": (lambda tmp: tmp.joinpath(*["abcdefgh"] * 600, "a.csv"), "too long"),
    "folder": (lambda tmp: tmp, "not a file"),
    "giant cell": (None, "line 2, column 'b'"),
    "picture": (None, "not a text file"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_unreadable_input_exits_2_with_one_line(tmp_path, case):
    make, expected = BAD[case]
    if case == "giant cell":
        path = tmp_path / "giant.csv"
        path.write_text("a,b,y\n1," + "7" * 200_000 + ",0\n2,3,1\n")
    elif case == "picture":
        path = tmp_path / "photo.csv"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    else:
        path = make(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "gdapp", "dataset", "--dataset", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert expected in lines[0] and "Traceback" not in done.stderr
    assert len(lines[0]) < 250
