"""Load a 1,000,000-row CSV with ``load_csv`` against a bare ``pandas.read_csv`` of it.

``load_csv`` reads in chunks (for its progress reports), checks every value, encodes the
labels, splits and scales. The baseline only parses the same file into a DataFrame, so the
ratio says what all of that costs on top of parsing. Prints the median over ``REPEATS``
interleaved loads of each and the ratio of the medians.

    python benchmarks/bench_csv.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from gdapp.datasets import load_csv

REPEATS = 3


def write_table(path: Path, rows: int) -> None:
    """Five columns (four features and a 0/1 label), in blocks of 1,000 distinct rows."""
    block = "".join(
        f"{i % 97},{(i * 7) % 101}.5,{i % 13},{(i * 3) % 5},{i % 2}\n" for i in range(1000)
    )
    with path.open("w", encoding="utf-8") as handle:
        handle.write("a,b,c,d,y\n")
        for _ in range(rows // 1000):
            handle.write(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gdapp-bench-") as folder:
        path = Path(folder) / "table.csv"
        write_table(path, args.rows)
        loads, parses, chunks = [], [], []
        for _ in range(REPEATS):  # interleaved, so drift in machine load hits both
            fractions: list[float] = []
            start = time.perf_counter()
            dataset = load_csv(path, progress=fractions.append)
            loads.append(time.perf_counter() - start)
            chunks.append(len(fractions))
            start = time.perf_counter()
            pd.read_csv(path)
            parses.append(time.perf_counter() - start)

    load_s, parse_s = statistics.median(loads), statistics.median(parses)
    print(f"{dataset.n_samples:,} rows x {len(dataset.feature_names)} features, {path.name}")
    print(f"load_csv:         {load_s * 1e3:8.0f} ms  ({chunks[-1]} progress reports)")
    print(f"pandas.read_csv:  {parse_s * 1e3:8.0f} ms")
    print(f"load_csv / read_csv: {load_s / parse_s:.2f}")


if __name__ == "__main__":
    main()
