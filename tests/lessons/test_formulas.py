"""The formula SVGs: one per entry of the build-time renderer, referenced by the lessons,
drawn as outlines, narrow enough for the lesson panel, and up to date."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from gdapp.resources import resource_path

FORMULAS_DIR = resource_path("resources/formulas")
SCRIPT = FORMULAS_DIR / "render_formulas.py"
SVG = "{http://www.w3.org/2000/svg}"


def script_constant(name: str):
    """A literal constant of the renderer, read without importing it (it imports matplotlib)."""
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {SCRIPT.name}")


@pytest.fixture(scope="module")
def formulas() -> dict[str, str]:
    return script_constant("FORMULAS")


def referenced(lessons) -> set[str]:
    names = set()
    for lesson in lessons:
        for step in lesson.steps:
            names |= set(re.findall(r"\(\.\./formulas/([a-z0-9_]+)\.svg\)", step.body))
    return names


def test_the_renderer_covers_every_referenced_formula(lessons, formulas):
    used = referenced(lessons)
    assert used <= set(formulas), sorted(used - set(formulas))
    assert set(formulas) <= used, f"unused formulas: {sorted(set(formulas) - used)}"


def test_every_svg_comes_from_the_renderer(formulas):
    on_disk = {path.stem for path in FORMULAS_DIR.glob("*.svg")}
    assert on_disk == set(formulas)


def test_formulas_are_mathtext_not_prose(formulas):
    for name, mathtext in formulas.items():
        assert mathtext.startswith("$") and mathtext.endswith("$"), name
        assert mathtext.count("$") == 2, name


def test_svgs_are_valid_outlines_that_fit_the_panel(formulas):
    limit = script_constant("MAX_WIDTH_PT")
    for name in formulas:
        root = ElementTree.parse(FORMULAS_DIR / f"{name}.svg").getroot()
        assert root.tag == f"{SVG}svg"
        width = float(root.attrib["width"].removesuffix("pt"))
        height = float(root.attrib["height"].removesuffix("pt"))
        assert 10 < width <= limit and 10 < height < 60, name
        assert root.find(f".//{SVG}text") is None, f"{name} needs a font to draw"
        assert root.find(f".//{SVG}path") is not None, name


def test_the_svgs_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_never_imports_matplotlib():
    imports = re.compile(r"^\s*(import|from)\s+matplotlib\b", re.M)
    for path in resource_path("gdapp").rglob("*.py"):
        assert not imports.search(path.read_text(encoding="utf-8")), path
