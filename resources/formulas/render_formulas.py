"""Render the lessons' formulas to SVG with matplotlib's mathtext (no LaTeX install needed).

Run from the repository root whenever FORMULAS changes, and commit the SVGs:

    .venv/bin/python resources/formulas/render_formulas.py            # write every SVG
    .venv/bin/python resources/formulas/render_formulas.py --check    # exit 1 if one is stale

Each entry of FORMULAS becomes ``resources/formulas/<name>.svg``: glyphs drawn as paths (so
the app needs no maths font), transparent background, cropped to the ink. The size matches
lesson text of about 14 px. This is a build-time script: the app itself never imports
matplotlib; it only shows the SVGs.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent
# Widest formula allowed, so that every one fits a lesson panel about 360 px wide.
MAX_WIDTH_PT = 340
FONT_SIZE_PT = 16  # Qt draws 1 SVG pt as 1 px; mathtext glyphs run small, so 16 sits by 14 px text
INK = "#1b1f24"
PAD_INCHES = 0.04

# name -> mathtext. Keep every formula correct: lessons quote them as the truth.
FORMULAS: dict[str, str] = {
    # lesson 2: a prediction
    "linear_part": r"$z = w_1x_1 + w_2x_2 + \cdots + w_8x_8 + b"
    r" = \mathbf{w}^{\mathsf{T}}\mathbf{x} + b$",
    "prediction": r"$\hat{y} = \sigma(\mathbf{w}^{\mathsf{T}}\mathbf{x} + b)$",
    "sigmoid": r"$\sigma(z) = \dfrac{1}{1 + e^{-z}}$",
    # lesson 3: the loss for one patient
    "loss": r"$L(\hat{y}, y) = -[\,y\,\log\hat{y} + (1 - y)\,\log(1 - \hat{y})\,]$",
    "loss_y1": r"$y = 1:\quad L = -\log\hat{y}$",
    "loss_y0": r"$y = 0:\quad L = -\log(1 - \hat{y})$",
    "loss_logits": r"$L = \log(1 + e^{z}) - y\,z,\qquad \hat{y} = \sigma(z)$",
    # lesson 4: the cost
    "cost": r"$J(\mathbf{w}, b) = \dfrac{1}{m}\sum_{i=1}^{m} L(\hat{y}_i, y_i)$",
    "cost_at_zero": r"$J(\mathbf{0}, 0) = -\log\dfrac{1}{2} = \ln 2 \approx 0.6931$",
    # lesson 5: the update rule
    "update": r"$w_j \leftarrow w_j - \alpha\,\dfrac{\partial J}{\partial w_j}$",
    "update_bias": r"$b \leftarrow b - \alpha\,\dfrac{\partial J}{\partial b}$",
    # lesson 7: computation graphs
    "graph_example": r"$u = bc,\qquad v = a + u,\qquad J = 3v$",
    "chain_rule_u": r"$\dfrac{\partial J}{\partial u} = \dfrac{\partial J}{\partial v}\cdot"
    r"\dfrac{\partial v}{\partial u} = 3 \cdot 1 = 3$",
    "chain_rule_b": r"$\dfrac{\partial J}{\partial b} = \dfrac{\partial J}{\partial u}\cdot"
    r"\dfrac{\partial u}{\partial b} = 3 \cdot c = 6$",
    "chain_rule_c": r"$\dfrac{\partial J}{\partial c} = \dfrac{\partial J}{\partial u}\cdot"
    r"\dfrac{\partial u}{\partial c} = 3 \cdot b = 9$",
    "nudge": r"$\dfrac{\partial J}{\partial v} \approx \dfrac{J(v + h) - J(v)}{h}"
    r" = \dfrac{33.003 - 33}{0.001} = 3$",
    # lesson 8: the logistic-regression graph
    "logistic_forward": r"$z = \mathbf{w}^{\mathsf{T}}\mathbf{x} + b,\qquad a = \sigma(z)$",
    "loss_a": r"$L = -[\,y\,\log a + (1 - y)\,\log(1 - a)\,]$",
    "grad_a": r"$\dfrac{\partial L}{\partial a} = -\dfrac{y}{a} + \dfrac{1 - y}{1 - a}$",
    "grad_z": r"$\dfrac{\partial L}{\partial z} = \dfrac{\partial L}{\partial a}\cdot a(1 - a)"
    r" = a - y$",
    "grad_w": r"$\dfrac{\partial L}{\partial w_j} = x_j\,(a - y),\qquad"
    r"\dfrac{\partial L}{\partial b} = a - y$",
    "cost_grad": r"$\dfrac{\partial J}{\partial \mathbf{w}} = \dfrac{1}{m}\,X^{\mathsf{T}}"
    r"(\mathbf{a} - \mathbf{y}),\qquad \dfrac{\partial J}{\partial b} = \dfrac{1}{m}"
    r"\sum_{i=1}^{m}(a_i - y_i)$",
    # lesson 10: the post's numpy example
    "post_model": r"$\hat{y} = m\,x,\qquad L(m) = (y - m\,x)^2$",
    "post_true_grad": r"$\dfrac{dL}{dm} = -2x\,(y - m\,x)$",
    "post_code_grad": r"$\mathrm{gradient} = 2\,(y - \hat{y})$",
    "post_factor_code": r"$m_{t+1} - m^* = (1 + 2\alpha x)\,(m_t - m^*)$",
    "post_factor_true": r"$m_{t+1} - m^* = (1 - 2\alpha x^2)\,(m_t - m^*)$",
    # lesson 11: corrections to the post
    "post_loss_y0": r"$-(1 - \log\hat{y})$",
    "post_loss_full": r"$-[\,y\,\log\hat{y} + (1 - y)(1 - \log\hat{y})\,]$",
    "post_chain_typo": r"$\dfrac{dJ}{dv} = \dfrac{dJ}{dv}\cdot\dfrac{dv}{dv}$",
    "post_prediction": r"$\hat{y} = W^{\mathsf{T}}X$",
    "batch_prediction": r"$\hat{\mathbf{y}} = \sigma(X\mathbf{w} + b),\quad X: 759 \times 8,"
    r"\quad \mathbf{w}: 8 \times 1$",
    "minmax_scaling": r"$x' = 2\,\dfrac{x - \min}{\max - \min} - 1$",
    # lesson 13: beyond the post
    "minibatch_cost": r"$J_B = \dfrac{1}{|B|}\sum_{i \in B} L(\hat{y}_i, y_i)$",
    "momentum": r"$\mathbf{v} \leftarrow \beta\,\mathbf{v} + \mathbf{g},\qquad"
    r"\theta \leftarrow \theta - \alpha\,\mathbf{v}$",
    "rmsprop": r"$\mathbf{s} \leftarrow \rho\,\mathbf{s} + (1 - \rho)\,\mathbf{g}^2,\qquad"
    r"\theta \leftarrow \theta - \alpha\,\dfrac{\mathbf{g}}{\sqrt{\mathbf{s}} + \epsilon}$",
    "adam_m": r"$\mathbf{m} \leftarrow \beta_1\mathbf{m} + (1 - \beta_1)\,\mathbf{g}$",
    "adam_v": r"$\mathbf{v} \leftarrow \beta_2\mathbf{v} + (1 - \beta_2)\,\mathbf{g}^2$",
    "adam_step": r"$\theta \leftarrow \theta - \alpha\,\dfrac{\hat{\mathbf{m}}}"
    r"{\sqrt{\hat{\mathbf{v}}} + \epsilon}$",
    "adam_bias": r"$\hat{\mathbf{m}} = \dfrac{\mathbf{m}}{1 - \beta_1^t},\qquad"
    r"\hat{\mathbf{v}} = \dfrac{\mathbf{v}}{1 - \beta_2^t}$",
}

STYLE = {
    "text.usetex": False,
    "mathtext.fontset": "dejavusans",
    "font.family": "DejaVu Sans",
    "svg.fonttype": "path",  # glyphs as outlines: crisp and font-independent
    "svg.hashsalt": "gdapp",  # stable ids, so re-rendering gives identical files
    "savefig.transparent": True,
}


def render(mathtext: str) -> str:
    """SVG text of one formula."""
    with plt.rc_context(STYLE):
        figure = plt.figure(figsize=(0.01, 0.01))
        figure.text(0, 0, mathtext, fontsize=FONT_SIZE_PT, color=INK)
        buffer = io.StringIO()
        figure.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            pad_inches=PAD_INCHES,
            metadata={"Date": None, "Creator": None},
        )
        plt.close(figure)
    return buffer.getvalue()


def width_pt(svg: str) -> float:
    """The width an SVG written by ``render`` declares, in points."""
    return float(re.search(r'<svg[^>]*\bwidth="([0-9.]+)pt"', svg).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, mathtext in FORMULAS.items():
        path = OUT_DIR / f"{name}.svg"
        svg = render(mathtext)
        if width_pt(svg) > MAX_WIDTH_PT:
            print(f"{name} is {width_pt(svg):.0f} pt wide; split it (limit {MAX_WIDTH_PT} pt)")
            return 1
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                stale.append(path.name)
        else:
            path.write_text(svg, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    print(f"{len(FORMULAS)} formulas {'checked' if args.check else 'written'} in {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
