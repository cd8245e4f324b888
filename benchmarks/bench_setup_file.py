"""Time reading a setup file against tomllib alone, for the example and for hostile files.

Run from the repository root:

    .venv/bin/python benchmarks/bench_setup_file.py [--repeats 5]

A setup file is read on the GUI thread (File > Open setup, or ``--setup`` as the window
opens), so even a hostile one must come back quickly. For each file the figure printed is
milliseconds per read (best and median over repeats) of ``read_setup`` (size and encoding
checks, TOML, every key checked, problems named with their lines) and of
``tomllib.loads`` on the same text, with the ratio read_setup / tomllib. The hostile
files: tens of thousands of unknown keys and a megabyte of comments (just under the 1 MB
limit), deeply nested arrays, and the densest file that is still parsed (just under
``MAX_STRUCTURE`` separators).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdapp.lessons.model import load_available_lessons  # noqa: E402
from gdapp.setup_file import MAX_FILE_BYTES, MAX_STRUCTURE, SetupError, read_setup  # noqa: E402

EXAMPLE = ROOT / "resources" / "setup-example.toml"


def under_limit(text: str) -> str:
    """``text`` cut at a line end just under the size limit."""
    text = text[: MAX_FILE_BYTES - 100]
    return text[: text.rindex("\n") + 1]


def hostile_texts() -> dict[str, str]:
    keys = "version = 1\n[training]\n" + "".join(f"k{i} = [1, 2, 3]\n" for i in range(80_000))
    comments = "version = 1\n" + ("# " + "words " * 16 + "\n") * (MAX_FILE_BYTES // 99)
    depth = 20_000
    nested = "version = 1\nx = " + "[" * depth + "]" * depth + "\n"
    # The densest file still parsed: just under MAX_STRUCTURE separators.
    entries = (MAX_STRUCTURE - 20) // 4  # = [ , ] on each line
    dense = "version = 1\n[training]\n" + "".join(f"k{i} = [1, 2]\n" for i in range(entries))
    return {
        "unknown keys (1 MB)": under_limit(keys),
        "comments (1 MB)": under_limit(comments),
        f"arrays nested {depth:,} deep": nested,
        f"{entries:,} keys (the densest)": dense,
    }


def best_and_median(function, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    lessons = load_available_lessons()[0]
    texts = {"the example": EXAMPLE.read_text(encoding="utf-8"), **hostile_texts()}
    print(f"{'file':<28} {'read_setup ms':>16} {'tomllib ms':>14} {'ratio':>7}  result")
    with tempfile.TemporaryDirectory() as folder:
        for name, text in texts.items():
            path = Path(folder) / "class.toml"
            path.write_text(text, encoding="utf-8")
            outcome = {}

            def read(path=path, outcome=outcome):
                try:
                    read_setup(path, lessons)
                    outcome["result"] = "read"
                except SetupError as error:
                    outcome["result"] = f"refused, {len(error.problems)} message(s)"

            def parse(text=text):
                with contextlib.suppress(tomllib.TOMLDecodeError, RecursionError):
                    tomllib.loads(text)

            ours = best_and_median(read, args.repeats)
            base = best_and_median(parse, args.repeats)
            print(
                f"{name:<28} {ours[0]:7.2f} / {ours[1]:6.2f} {base[0]:6.2f} / {base[1]:6.2f} "
                f"{ours[1] / base[1]:7.3f}  {outcome['result']}"
            )


if __name__ == "__main__":
    main()
