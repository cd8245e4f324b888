"""README.md promises two set-up commands; CI must run the test one exactly as written.

CI then lints, and runs the suite without its slow tests on Python 3.13; README names the
Pythons that pyproject.toml allows.
"""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def setup_section() -> str:
    return readme().split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]


def setup_commands() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", setup_section(), flags=re.S)


def ci_lines() -> list[str]:
    return (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_readme_has_exactly_two_single_line_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    launch, test = commands
    assert "pip install" in launch and "gdapp" in launch
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_as_written():
    assert setup_commands()[1] in ci_lines()


def test_ci_lints_and_runs_the_fast_suite_on_3_13_after_the_readme_command():
    lines = ci_lines()
    order = [
        setup_commands()[1],
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        '.venv313/bin/python -m pytest -m "not slow"',
    ]
    assert all(line in lines for line in order)
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    assert "set -euo pipefail" in lines
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".venv313/" in ignored


def test_readme_names_the_pythons_that_pyproject_allows():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", project["requires-python"]).groups()
    names = [f"3.{minor}" for minor in range(int(low), int(high))]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    assert f"runs on Python {listed}." in " ".join(setup_section().split())
