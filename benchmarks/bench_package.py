"""Size of the packaged app and its time to a shown window, against ``python main.py``.

Build first (``pyinstaller gdapp.spec``), then from the repository root:

    .venv/bin/python benchmarks/bench_package.py [--dist dist/gdapp] [--repeats 5]

Both sides are launched as fresh processes with fresh settings and the environment variable
GDAPP_REPORT_SHOWN=1, which makes the app print "shown" once its window is exposed and then
quit. The clock runs from spawning the process to that line. Prints the onedir folder's size
(aim <= 250 MB), the median and fastest launch of each side and the ratio of medians
(aim <= 1.3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 120
MIB = 1024 * 1024


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def time_to_shown(command: list[str]) -> float:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["GDAPP_REPORT_SHOWN"] = "1"
    with tempfile.TemporaryDirectory(prefix="gdapp-bench-") as settings:
        env["GDAPP_SETTINGS_DIR"] = settings
        start = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            for line in child.stdout:
                if line.strip() == "shown":
                    elapsed = time.perf_counter() - start
                    break
            else:
                raise RuntimeError(f"{command[0]} exited without showing its window")
        finally:
            child.wait(timeout=TIMEOUT_S)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "gdapp")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    executable = args.dist / "gdapp"
    if not executable.exists():
        print(f"No packaged app at {executable}; build it with `pyinstaller gdapp.spec` first.")
        return 2

    size = folder_size(args.dist)
    print(f"onedir folder {args.dist}: {size / 1e6:.1f} MB = {size / MIB:.1f} MiB (aim <= 250 MB)")

    sides = {
        "python main.py": [sys.executable, str(ROOT / "main.py")],
        "packaged gdapp": [str(executable)],
    }
    for command in sides.values():  # warm the file cache once per side
        time_to_shown(command)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, command in sides.items():  # interleaved, so drift hits both sides alike
            times[name].append(time_to_shown(command))
    for name, values in times.items():
        print(
            f"{name:>15}: median {statistics.median(values):.3f} s, "
            f"fastest {min(values):.3f} s over {len(values)} launches"
        )
    ratio = statistics.median(times["packaged gdapp"]) / statistics.median(times["python main.py"])
    print(f"packaged / source time to a shown window: {ratio:.2f} (aim <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
