"""Generated code for the data: settings, reading the file, the split and the scaling.

Mirrors ``gdapp.datasets`` (``load_csv``, the presets, ``split_indices``, ``Scaler``) step for
step, so the arrays the code builds equal the loader's bit for bit.
"""

from __future__ import annotations

from gdapp.datasets import generated
from gdapp.datasets.presets import GENERATED_PRESETS
from gdapp.exports.code_text import Cell, fill, float_literal, names_literal
from gdapp.exports.recipe import DIABETES_LABEL, Recipe

__all__ = ["load_cell", "scale_cell", "settings_cell", "split_cell"]


def settings_cell(r: Recipe) -> Cell:
    cfg = r.config
    lines = ["import numpy as np", "import pandas as pd", ""]
    if r.kind not in GENERATED_PRESETS:
        lines.append(f"DATA_FILE = {r.path!r}")
    if r.kind == "csv":
        lines += [
            f"FEATURES = {names_literal(r.features)}",
            f"LABEL = {r.label!r}  # the column to predict",
            f"POSITIVE = {r.positive!r}  # the label value that counts as class 1",
        ]
    else:
        lines.append(f"FEATURES = {names_literal(r.features)}")
    lines += [
        f"TEST_FRACTION = {float_literal(r.test_fraction)}  # share of each class held out",
        f"SPLIT_SEED = {r.split_seed}",
        "",
        f"lr = {float_literal(r.lr0)}  # learning rate",
        f"steps = {r.steps}  # number of updates",
    ]
    if r.lr_changes:
        changes = ", ".join(f"{step}: {float_literal(rate)}" for step, rate in r.lr_changes)
        lines.append(f"lr_changes = {{{changes}}}  # step: learning rate from that step on")
    if not r.full_batch:
        lines.append(f"batch_size = {cfg.batch_size}  # rows per update")
    if cfg.model == "mlp":
        lines.append(f"hidden = {cfg.hidden}  # units in the hidden layer")
    uses = []
    if not r.full_batch:
        uses.append("the order of the rows in each epoch")
    if (cfg.init == "random" or cfg.model == "mlp") and r.start is None:
        uses.append("the random start")
    if uses:
        lines.append(f"seed = {cfg.seed}  # seeds {' and '.join(uses)}")
    if cfg.l2 > 0:
        penalty = "(l2/2)·(‖W1‖² + ‖w2‖²)" if cfg.model == "mlp" else "(l2/2)·‖w‖²"
        lines.append(
            f"l2 = {float_literal(cfg.l2)}  # strength of the penalty {penalty} on the weights"
        )
    text = (
        "Every number here comes from the run in Gradient Descent Lab. The code below needs "
        "only numpy and pandas (matplotlib too, for the plot at the end, if it is installed)."
    )
    return Cell("Settings", text, "\n".join(lines))


def _generated_load_cell(r: Recipe) -> Cell:
    """The table drawn as ``gdapp.datasets.generated`` draws it, call for call."""
    seed, n = generated.GENERATED_SEED, generated.GENERATED_ROWS
    if r.kind == "moons":
        code = fill(
            """
            rng = np.random.default_rng(«seed»)
            n, half = «n», «n» // 2
            t = rng.uniform(0.0, np.pi, n)
            y = np.zeros(n)
            y[half:] = 1.0  # the first half is the upper moon (0), the second the lower (1)
            X_raw = np.column_stack([np.cos(t), np.sin(t)])
            X_raw[half:, 0] = 1.0 - X_raw[half:, 0]
            X_raw[half:, 1] = 0.5 - X_raw[half:, 1]
            X_raw += rng.normal(0.0, «noise», X_raw.shape)  # (n, 2) raw feature values
            """,
            seed=str(seed),
            n=str(n),
            noise=float_literal(generated.MOONS_NOISE),
        )
        text = (
            "Two interleaved half-moons: the upper one on (cos t, sin t), the lower one on "
            "(1 − cos t, ½ − sin t), t uniform in [0, π], each point moved by a little "
            "Gaussian noise. The table is drawn with the app's own seed, so it is the same."
        )
    else:
        code = fill(
            """
            rng = np.random.default_rng(«seed»)
            quadrant = np.arange(«n») % 4  # 0: (+, +), 1: (−, +), 2: (−, −), 3: (+, −)
            sx = np.where((quadrant == 0) | (quadrant == 3), 1.0, -1.0)
            sy = np.where(quadrant <= 1, 1.0, -1.0)
            centres = «centre» * np.column_stack([sx, sy])
            X_raw = centres + rng.normal(0.0, «spread», («n», 2))  # (n, 2) raw feature values
            y = (sx != sy).astype(float)  # 1 when the two signs differ (exclusive or)
            """,
            seed=str(seed),
            n=str(n),
            centre=float_literal(generated.XOR_CENTRE),
            spread=float_literal(generated.XOR_SPREAD),
        )
        text = (
            "Four Gaussian clusters around (±1, ±1), labelled 1 where the two coordinates have "
            "opposite signs. The table is drawn with the app's own seed, so it is the same."
        )
    return Cell("Draw the data", text, code)


def load_cell(r: Recipe) -> Cell:
    if r.kind in GENERATED_PRESETS:
        return _generated_load_cell(r)
    if r.kind == "csv":
        kind = "numbers" if isinstance(r.positive, float) else "text"
        read = (
            f"df = pd.read_csv(DATA_FILE, encoding='utf-8-sig', dtype={{{r.label_header!r}: str}})"
        )
        lines = [read]
        if r.strip_header:
            lines.append(
                "df.columns = df.columns.str.strip()  # the header has spaces around names"
            )
        lines.append("X_raw = df[FEATURES].to_numpy(dtype=float)  # (n, d) raw feature values")
        if kind == "numbers":
            lines.append("labels = pd.to_numeric(df[LABEL])  # every label reads as a number")
        else:
            lines.append("labels = df[LABEL]  # labels compared as written in the file")
        lines.append("y = (labels == POSITIVE).to_numpy(dtype=float)  # (n,) 1 or 0")
        text = (
            f"Read the file, keep the feature columns as a matrix X_raw and turn the label column "
            f"into y: 1 for {r.positive_name!r}, 0 for {r.negative_name!r}. The label is read as "
            "text first, so that values such as TRUE or 007 stay as written."
        )
    elif r.kind == "diabetes":
        lines = [
            "df = pd.read_csv(DATA_FILE)",
            "X_raw = df[FEATURES].to_numpy(dtype=float)  # (n, d) raw feature values",
            f"y = df[{DIABETES_LABEL!r}].to_numpy(dtype=float)  # (n,) 1 = diabetic",
        ]
        text = "The Pima diabetes table: one row per patient, eight measurements and the outcome."
    else:
        lines = [
            "df = pd.read_csv(DATA_FILE)",
            "X_all = df[FEATURES].to_numpy(dtype=float)",
            "lo, hi = X_all.min(axis=0), X_all.max(axis=0)  # over all 768 rows",
            "# The post's table lacks every row holding a value exactly halfway between its",
            "# column's min and max (2x = min + max).",
            "kept = ~(2 * X_all == lo + hi).any(axis=1)",
            "X_raw = X_all[kept]  # (759, 8)",
            f"y = 1.0 - df[{DIABETES_LABEL!r}].to_numpy(dtype=float)[kept]  # 1 = NOT diabetic",
        ]
        text = (
            "The table the blog post trains on, rebuilt from the Pima diabetes file: 759 of the "
            "768 rows, and a label that is 1 for patients who are not diabetic."
        )
    return Cell("Load the data", text, "\n".join(lines))


def split_cell(r: Recipe) -> Cell:
    if not r.has_test:
        code = "train = np.arange(len(y))  # no row is held out for testing"
        return Cell("Training rows", "Every row is used for training; there is no test set.", code)
    code = fill(
        """
        rng = np.random.default_rng(SPLIT_SEED)
        test_parts = []
        for cls in np.unique(y):  # class 0, then class 1
            members = np.flatnonzero(y == cls)
            n_test = min(round(TEST_FRACTION * len(members)), len(members) - 1)
            test_parts.append(rng.permutation(members)[:n_test])
        test = np.sort(np.concatenate(test_parts))
        train = np.setdiff1d(np.arange(len(y)), test)
        print(f"{len(train)} training rows, {len(test)} test rows")
        """
    )
    text = (
        "A stratified split: each class sends round(TEST_FRACTION × its size) of its rows, "
        "drawn at random with SPLIT_SEED, to the test set, and keeps at least one for training. "
        "Both classes then have about the same share in both sets."
    )
    return Cell("Split into training and test rows", text, code)


def scale_cell(r: Recipe) -> Cell:
    lines = []
    if r.impute_zeros:
        lines += [
            f"ZERO_MEANS_MISSING = {names_literal(list(r.impute_zeros))}",
            "X_raw = X_raw.copy()",
            "for name in ZERO_MEANS_MISSING:",
            "    j = FEATURES.index(name)",
            "    measured = X_raw[train, j][X_raw[train, j] != 0]",
            "    X_raw[X_raw[:, j] == 0, j] = np.median(measured)",
            "",
        ]
    if r.scale == "minmax":
        lines += [
            "lo = X_raw[train].min(axis=0)  # (d,) per feature, training rows only",
            "hi = X_raw[train].max(axis=0)",
            "X = 2 * (X_raw - lo) / (hi - lo) - 1  # x' = 2(x − min)/(max − min) − 1",
        ]
        text = "Min-max scaling maps each feature's training range onto [−1, 1]." + (
            " Its min and max come from the training rows only, so the test rows tell "
            "training nothing."
            if r.has_test
            else ""
        )
    elif r.scale == "standard":
        lines += [
            "mean = X_raw[train].mean(axis=0)  # (d,) per feature, training rows only",
            "std = X_raw[train].std(axis=0)",
            "X = (X_raw - mean) / std  # x' = (x − mean)/std",
        ]
        text = (
            "Standard scaling gives each feature mean 0 and standard deviation 1 on the "
            "training rows; the test rows are scaled with the same numbers."
        )
    elif r.scale == "none":
        lines.append("X = X_raw  # the features are used as they are in the file")
        text = "No scaling: the features go into the model in their own units."
    else:  # minmax-post
        lines += [
            "X = 2 * (X_raw - lo) / (hi - lo) - 1  # x' = 2(x − min)/(max − min) − 1",
            "X[X_raw == lo] = 0.0  # the post's table writes a column's minimum as 0, not −1",
        ]
        text = (
            "The post scales with the min and max of all 768 rows, test rows included, and "
            "writes each column's minimum as 0 rather than −1; this repeats it exactly."
        )
    if r.impute_zeros:
        text = (
            "A zero in these columns means the measurement was not taken; it is replaced by the "
            "median of the column's measured training values. " + text
        )
    lines += ["", "X_train, y_train = X[train], y[train]"]
    if r.has_test:
        lines.append("X_test, y_test = X[test], y[test]")
    lines.append("m, d = X_train.shape  # m training rows, d features")
    return Cell("Scale the features", text, "\n".join(lines))
