"""Loading a big CSV: time and peak memory of ``load_csv`` against a bare ``pandas.read_csv``.

Writes a 10**6-row x 10-column CSV (9 random features, a 0/1 label; about 86 MB), then,
each in a fresh process so that peak memory is its own:

- ``pandas.read_csv(path)``, the baseline time;
- ``gdapp.datasets.load_csv(path)``, what the CLI calls;
- the same with a progress callback, read in chunks as the import dialog does.

Prints the seconds, the ratio load / bare read, and the peak resident memory above the
process's baseline after imports, as a multiple of the float64 data (rows x columns x 8
bytes). Targets: time ratio <= 2, memory ratio <= 3.

    python benchmarks/bench_load.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 10

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy, pandas
import gdapp.datasets
kind, path = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if kind == "pandas":
    result = pandas.read_csv(path)
elif kind == "gdapp":
    result = gdapp.datasets.load_csv(path)
else:  # as the import dialog loads: in chunks, reporting progress
    result = gdapp.datasets.load_csv(path, progress=lambda fraction: None)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_kb": after - before}}))
"""


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(50.0, 20.0, size=(rows, COLUMNS - 1)).round(5)
    label = (features[:, 0] + rng.normal(0, 10, rows) > 50).astype(int)
    header = ",".join([*(f"x{j}" for j in range(COLUMNS - 1)), "label"])
    with path.open("w") as handle:
        handle.write(header + "\n")
        for start in range(0, rows, 100_000):
            block = features[start : start + 100_000]
            lines = [
                ",".join(f"{v:g}" for v in row) + f",{y}"
                for row, y in zip(block, label[start : start + 100_000], strict=True)
            ]
            handle.write("\n".join(lines) + "\n")


def run(kind: str, path: Path) -> dict:
    code = _CHILD.format(root=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code, kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; best time kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        data_mb = args.rows * COLUMNS * 8 / 1e6
        print(f"file: {args.rows:,} rows x {COLUMNS} columns, {size_mb:.1f} MB on disk")
        print(f"float64 data: {data_mb:.1f} MB")
        # Runs alternate between the two, so a busy machine slows both alike.
        runs: dict[str, list[dict]] = {"pandas": [], "gdapp": [], "dialog": []}
        for _ in range(args.repeat):
            for kind in runs:
                runs[kind].append(run(kind, path))
        results = {}
        for kind, kind_runs in runs.items():
            results[kind] = {
                "seconds": min(r["seconds"] for r in kind_runs),
                "peak_mb": max(r["peak_kb"] for r in kind_runs) / 1024 * 1.048576,
            }
            r = results[kind]
            best, peak = r["seconds"], r["peak_mb"]
            print(f"{kind:>8}: best {best:.2f} s of {args.repeat}, peak +{peak:.0f} MB")
        for kind in ("gdapp", "dialog"):
            ratio = results[kind]["seconds"] / results["pandas"]["seconds"]
            print(f"time ratio {kind} / read_csv: {ratio:.2f} (target <= 2)")
        for kind in runs:
            share = results[kind]["peak_mb"] / data_mb
            target = "" if kind == "pandas" else " (target <= 3)"
            print(f"peak memory {kind} / float64 data: {share:.2f}{target}")


if __name__ == "__main__":
    main()
