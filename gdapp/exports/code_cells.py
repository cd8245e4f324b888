"""The generated code of a run, one idea per cell, written for a learner to read.

Each function returns a ``Cell(title, text, code)`` for one step of the run: settings, data,
split, scaling, model, gradient, optimizer, training loop, result and plot.  ``code`` uses
numpy and pandas only (matplotlib optionally, for the plot) and writes out the same maths as
``gdapp.core`` and ``gdapp.datasets``, in the same order of floating-point operations where
that order decides the last digit.  Only what the run uses is written: its optimizer, its
model, mini-batches only when it has them, a test set only when there is one.

Names follow the lessons: ``X`` (m, d) features, ``y`` (m,) 0/1 labels, ``w`` (d,) weights,
``b`` the bias, ``z = Xw + b``, ``a = σ(z)``, ``J`` the cost and ``lr`` the learning rate.

Code is built from templates whose ``«name»`` markers are filled with Python literals
(``repr``), so any column name or path a user has ends up as a valid string literal.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import NamedTuple

from gdapp.core import optimizers
from gdapp.core.trainer import RANDOM_INIT_STD
from gdapp.exports.recipe import DIABETES_LABEL, Recipe

__all__ = ["Cell", "run_cells", "title_of"]

LINE_CHARS = 92


class Cell(NamedTuple):
    """One idea of the generated code: a title, a paragraph about it and its code."""

    title: str
    text: str
    code: str


def _fill(template: str, **values: str) -> str:
    code = textwrap.dedent(template).strip("\n")
    for key, value in values.items():
        code = code.replace(f"«{key}»", value)
    if "«" in code:
        raise AssertionError(f"unfilled marker in template: {code}")
    return code


def _float(value: float) -> str:
    return repr(float(value))


def _names(names: tuple[str, ...] | list[str], indent: str = "    ") -> str:
    """A list literal of strings, one per line when it would be long."""
    items = [repr(n) for n in names]
    flat = "[" + ", ".join(items) + "]"
    if len(flat) <= 60:
        return flat
    return "[\n" + "".join(f"{indent}{item},\n" for item in items) + "]"


def title_of(recipe: Recipe) -> str:
    cfg = recipe.config
    model = "logistic regression" if cfg.model == "logistic" else "least squares on 0/1 labels"
    data = recipe.kind if recipe.kind != "csv" else recipe.path.rsplit("/", 1)[-1]
    return f"{model} on {data}, {cfg.optimizer}, {recipe.steps} steps"


# -- settings and data -----------------------------------------------------------------------
def settings_cell(r: Recipe) -> Cell:
    cfg = r.config
    lines = [
        "import numpy as np",
        "import pandas as pd",
        "",
        f"DATA_FILE = {r.path!r}",
    ]
    if r.kind == "csv":
        lines += [
            f"FEATURES = {_names(r.features)}",
            f"LABEL = {r.label!r}  # the column to predict",
            f"POSITIVE = {r.positive!r}  # the label value that counts as class 1",
        ]
    else:
        lines.append(f"FEATURES = {_names(r.features)}")
    lines += [
        f"TEST_FRACTION = {_float(r.test_fraction)}  # share of each class held out for testing",
        f"SPLIT_SEED = {r.split_seed}",
        "",
        f"lr = {_float(r.lr0)}  # learning rate",
        f"steps = {r.steps}  # number of updates",
    ]
    if r.lr_changes:
        changes = ", ".join(f"{step}: {_float(rate)}" for step, rate in r.lr_changes)
        lines.append(f"lr_changes = {{{changes}}}  # step: learning rate from that step on")
    if not r.full_batch:
        lines.append(f"batch_size = {cfg.batch_size}  # rows per update")
    uses = []
    if not r.full_batch:
        uses.append("the order of the rows in each epoch")
    if cfg.init == "random" and r.start is None:
        uses.append("the random start")
    if uses:
        lines.append(f"seed = {cfg.seed}  # seeds {' and '.join(uses)}")
    if cfg.l2 > 0:
        lines.append(f"l2 = {_float(cfg.l2)}  # strength of the penalty (l2/2)·‖w‖² on the weights")
    text = (
        "Every number here comes from the run in Gradient Descent Lab. The code below needs "
        "only numpy and pandas (matplotlib too, for the plot at the end, if it is installed)."
    )
    return Cell("Settings", text, "\n".join(lines))


def load_cell(r: Recipe) -> Cell:
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
        lines.append(
            f"y = (labels == POSITIVE).to_numpy(dtype=float)  # (n,) 1 = {r.positive_name}"
        )
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
    code = _fill(
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
        "Both classes then have the same share in both sets."
    )
    return Cell("Split into training and test rows", text, code)


def scale_cell(r: Recipe) -> Cell:
    lines = []
    if r.impute_zeros:
        lines += [
            f"ZERO_MEANS_MISSING = {_names(list(r.impute_zeros))}",
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
        text = (
            "Min-max scaling maps each feature's training range onto [−1, 1]. Its min and max "
            "come from the training rows only, so the test rows tell training nothing."
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


# -- model, gradient, optimizer --------------------------------------------------------------
def _params(r: Recipe) -> str:
    return "w, b" if r.config.fit_bias else "w"


def _z(r: Recipe) -> str:
    return "X @ w + b" if r.config.fit_bias else "X @ w"


def _penalty(r: Recipe) -> str:
    return " + l2 / 2 * (w @ w)" if r.config.l2 > 0 else ""


def model_cell(r: Recipe) -> Cell:
    cfg = r.config
    bias = "" if cfg.fit_bias else " There is no bias b in this run: the model is z = Xw."
    if cfg.model == "logistic":
        code = _fill(
            '''
            def softplus(z):
                """log(1 + eᶻ), computed without overflow."""
                return np.logaddexp(0.0, z)


            def sigmoid(z):
                """σ(z) = 1/(1 + e⁻ᶻ), written as e^(z − softplus(z)) so nothing overflows."""
                return np.exp(z - softplus(z))


            def cost(X, y, «params»):
                """J = mean log-loss over the rows of X«penalty_doc»."""
                z = «z»
                # −[y·log(a) + (1 − y)·log(1 − a)] with a = σ(z) equals softplus(z) − y·z,
                # which stays finite even where a rounds to 0 or 1.
                return np.mean(softplus(z) - y * z)«penalty»


            def accuracy(X, y, «params»):
                """Share of rows whose class, 1 when a = σ(z) ≥ 0.5 (that is z ≥ 0), equals y."""
                z = «z»
                return np.mean((z >= 0) == y)
            ''',
            params=_params(r),
            z=_z(r),
            penalty=_penalty(r),
            penalty_doc=" + (l2/2)·‖w‖²" if cfg.l2 > 0 else "",
        )
        text = (
            "Logistic regression: for a row x the model predicts ŷ = a = σ(z) with z = wᵀx + b, "
            "the probability of class 1. The cost J is the mean log-loss, computed from z."
        )
    else:
        code = _fill(
            '''
            def cost(X, y, «params»):
                """J = mean squared error (ŷ − y)² over the rows of X«penalty_doc»."""
                z = «z»
                return np.mean((z - y) ** 2)«penalty»


            def accuracy(X, y, «params»):
                """Share of rows whose class, 1 when ŷ = z ≥ 0.5, equals y."""
                z = «z»
                return np.mean((z >= 0.5) == y)
            ''',
            params=_params(r),
            z=_z(r),
            penalty=_penalty(r),
            penalty_doc=" + (l2/2)·‖w‖²" if cfg.l2 > 0 else "",
        )
        text = (
            "A straight line fitted to the 0/1 labels by least squares: ŷ = z = wᵀx + b, "
            "class 1 when ŷ ≥ 0.5. The cost J is the mean squared error."
        )
    if cfg.l2 > 0:
        text += " The L2 penalty (l2/2)·‖w‖² keeps the weights small; it never touches b."
    return Cell("The model and its cost", text + bias, code)


def gradient_cell(r: Recipe) -> Cell:
    cfg = r.config
    z_text = "z = Xw + b" if cfg.fit_bias else "z = Xw"
    returns = "X.T @ dJ_dz / m" + (" + l2 * w" if cfg.l2 > 0 else "")
    if cfg.fit_bias:
        returns += ", np.sum(dJ_dz) / m"
    if cfg.model == "logistic":
        rows = [
            f"a = sigmoid(«z»)  # ŷ = σ({'wᵀx + b' if cfg.fit_bias else 'wᵀx'}) for every row",
            "dJ_dz = a - y  # derivative of each row's log-loss with respect to its z",
        ]
        text = f"The chain rule through {z_text} gives ∂J/∂w = Xᵀ(a − y)/m" + (
            " and ∂J/∂b = Σ(a − y)/m" if cfg.fit_bias else ""
        )
    else:
        rows = [
            "z = «z»",
            "dJ_dz = 2 * (z - y)  # derivative of each row's (z − y)² with respect to its z",
        ]
        text = f"The chain rule through {z_text} gives ∂J/∂w = Xᵀ·2(z − y)/m" + (
            " and ∂J/∂b = Σ2(z − y)/m" if cfg.fit_bias else ""
        )
    text += ", where m is the number of rows."
    if cfg.l2 > 0:
        text += " The penalty adds l2·w to ∂J/∂w."
    doc = "∂J/∂w and ∂J/∂b" if cfg.fit_bias else "∂J/∂w"
    lines = [
        f"def gradient(X, y, {_params(r)}):",
        f'    """{doc} on the rows of X."""',
        "    m = len(y)",
        *(f"    {row.replace('«z»', _z(r))}" for row in rows),
        f"    return {returns}",
    ]
    code = "\n".join(lines)
    return Cell("The gradient", text, code)


def _hyper(name: str) -> dict[str, float]:
    """The default hyperparameters the app's optimizer ``name`` runs with."""
    factory = getattr(optimizers, name)
    return {
        p.name: p.default
        for p in inspect.signature(factory).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


_OPTIMIZERS = {
    # name: (what it does, its update function, the names of its per-parameter memory)
    "gd": (
        "Plain gradient descent moves every parameter a step lr against its gradient: "
        "p ← p − lr·g.",
        "",
        (),
    ),
    "momentum": (
        "Momentum keeps a velocity v per parameter, a running sum of past gradients that "
        "fades by beta each step: v ← beta·v + g, then p ← p − lr·v.",
        '''
        def update(p, g, v, lr):
            """One momentum step for parameter p with gradient g and velocity v."""
            v = beta * v + g
            return p - lr * v, v
        ''',
        ("v",),
    ),
    "nesterov": (
        "Nesterov's method keeps a velocity v per parameter, v ← beta·v + g, and steps with "
        "the gradient plus the velocity it is about to add: p ← p − lr·(g + beta·v).",
        '''
        def update(p, g, v, lr):
            """One Nesterov step for parameter p with gradient g and velocity v."""
            v = beta * v + g
            return p - lr * (g + beta * v), v
        ''',
        ("v",),
    ),
    "adagrad": (
        "AdaGrad adds up the squared gradients of each parameter, s ← s + g², and divides its "
        "step by their root: p ← p − lr·g/(√s + eps). Steps shrink where gradients were large.",
        '''
        def update(p, g, s, lr):
            """One AdaGrad step for parameter p with gradient g and sum of squares s."""
            s = s + g * g
            return p - lr * g / (np.sqrt(s) + eps), s
        ''',
        ("s",),
    ),
    "rmsprop": (
        "RMSProp keeps a running average of squared gradients, s ← decay·s + (1 − decay)·g², "
        "and divides the step by its root: p ← p − lr·g/(√s + eps).",
        '''
        def update(p, g, s, lr):
            """One RMSProp step for parameter p with gradient g and mean square s."""
            s = decay * s + (1.0 - decay) * (g * g)
            return p - lr * g / (np.sqrt(s) + eps), s
        ''',
        ("s",),
    ),
    "adam": (
        "Adam keeps running averages of the gradient, mu ← b1·mu + (1 − b1)·g, and of its "
        "square, nu ← b2·nu + (1 − b2)·g². Step t corrects both for starting at 0 "
        "(mu_hat = mu/(1 − b1ᵗ), nu_hat = nu/(1 − b2ᵗ)) and moves p ← p − lr·mu_hat/(√nu_hat "
        "+ eps).",
        '''
        def update(p, g, mu, nu, t, lr):
            """Adam's step number t for parameter p with gradient g and averages mu, nu."""
            mu = b1 * mu + (1.0 - b1) * g
            nu = b2 * nu + (1.0 - b2) * (g * g)
            mu_hat = mu / (1.0 - b1**t)
            nu_hat = nu / (1.0 - b2**t)
            return p - lr * mu_hat / (np.sqrt(nu_hat) + eps), mu, nu
        ''',
        ("mu", "nu"),
    ),
}


def _parameter_names(r: Recipe) -> tuple[str, ...]:
    return ("w", "b") if r.config.fit_bias else ("w",)


def _zeros(param: str) -> str:
    return "np.zeros(d)" if param == "w" else "0.0"


def optimizer_cell(r: Recipe) -> Cell:
    name = r.config.optimizer
    text, update, state = _OPTIMIZERS[name]
    lines = [f"{key} = {_float(value)}" for key, value in _hyper(name).items()]
    if update:
        lines += ["", "", textwrap.dedent(update).strip("\n"), "", ""]
    if r.start is not None:
        weights = ", ".join(_float(v) for v in r.start[:-1])
        lines.append(f"w = np.array([{weights}])  # the run's chosen starting point")
        if r.config.fit_bias:
            lines.append(f"b = {_float(r.start[-1])}")
    elif r.config.init == "random":
        lines.append(
            f"theta = np.random.default_rng(seed).normal(0.0, {_float(RANDOM_INIT_STD)}, d + 1)"
        )
        lines.append("w = theta[:-1]  # small random weights")
        if r.config.fit_bias:
            lines.append("b = theta[-1]")
    else:
        lines.append("w = np.zeros(d)  # every weight starts at 0")
        if r.config.fit_bias:
            lines.append("b = 0.0")
    if state:
        lines.append("# The optimizer's memory starts at 0, one for each parameter:")
    for s in state:
        values = ", ".join(_zeros(p) for p in _parameter_names(r))
        targets = ", ".join(f"{s}_{p}" for p in _parameter_names(r))
        lines.append(f"{targets} = {values}")
    return Cell(f"The optimizer: {name}, and the starting point", text, "\n".join(lines).strip())


def _update_lines(r: Recipe) -> list[str]:
    name = r.config.optimizer
    state = _OPTIMIZERS[name][2]
    lines = []
    for p in _parameter_names(r):
        if name == "gd":
            lines.append(f"{p} = {p} - lr * dJ_d{p}")
            continue
        memory = [f"{s}_{p}" for s in state]
        extra = ", step" if name == "adam" else ""
        lines.append(
            f"{', '.join([p, *memory])} = update({p}, dJ_d{p}, {', '.join(memory)}{extra}, lr)"
        )
    return lines


def train_cell(r: Recipe) -> Cell:
    params = _params(r)
    grads = "dJ_dw, dJ_db" if r.config.fit_bias else "dJ_dw"
    body = []
    if r.lr_changes:
        body += ["if step in lr_changes:", "    lr = lr_changes[step]"]
    if r.full_batch:
        body.append(f"{grads} = gradient(X_train, y_train, {params})  # on every training row")
        text = (
            "Each step computes the gradient on all training rows and lets the optimizer move "
            "the parameters; J on the training rows is kept for the plot."
        )
    else:
        body += [
            "epoch, k = divmod(step - 1, batches_per_epoch)",
            "if k == 0:  # a new epoch visits the rows in a new order, the same on every run",
            "    order = np.random.default_rng([seed, epoch]).permutation(m)",
            "batch = order[k * batch_size : (k + 1) * batch_size]",
            f"{grads} = gradient(X_train[batch], y_train[batch], {params})",
        ]
        text = (
            "Each step computes the gradient on one mini-batch of batch_size rows. An epoch "
            "goes through all training rows once, in an order drawn from a generator seeded "
            "with (seed, epoch); J on all training rows is kept for the plot."
        )
    body += _update_lines(r)
    body += [
        f"J = cost(X_train, y_train, {params})",
        "J_history.append(J)",
        "if step % report_every == 0:",
        '    print(f"step {step:>6}   J = {J:.6f}")',
    ]
    lines = []
    if not r.full_batch:
        lines.append("batches_per_epoch = -(-m // batch_size)  # ⌈m / batch_size⌉")
    lines += [
        f"J_history = [cost(X_train, y_train, {params})]  # J at the start, then after each step",
        "report_every = max(1, steps // 10)",
        "for step in range(1, steps + 1):",
        *(f"    {line}" for line in body),
    ]
    if r.lr_changes:
        text += (
            " The learning rate changes at the steps listed in lr_changes, as it did in the app."
        )
    return Cell("Train", text, "\n".join(lines))


def result_cell(r: Recipe) -> Cell:
    params = _params(r)
    lines = [
        f"J = cost(X_train, y_train, {params})",
        "for name, weight in zip(FEATURES, w):",
        '    print(f"w[{name}] = {weight:+.6f}")',
    ]
    if r.config.fit_bias:
        lines.append('print(f"b = {b:+.6f}")')
    lines.append(f'print(f"train accuracy: {{accuracy(X_train, y_train, {params}):.4f}}")')
    if r.has_test:
        lines += [
            f'print(f"test accuracy: {{accuracy(X_test, y_test, {params}):.4f}}")',
            f'print(f"test loss: {{float(cost(X_test, y_test, {params}))!r}}")',
        ]
    lines.append('print(f"final train loss: {float(J)!r}")')
    text = "The learned parameters and how well they do; the last line is the app's final loss."
    return Cell("Result", text, "\n".join(lines))


def plot_cell(r: Recipe) -> Cell:
    code = _fill(
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError:  # the plot is optional; everything above needs only numpy and pandas
            plt = None
        if plt is not None:
            fig, ax = plt.subplots()
            ax.plot(range(len(J_history)), J_history)
            ax.set_xlabel("step")
            ax.set_ylabel("training cost J")
            ax.set_title(«title»)
            plt.show()
        """,
        title=repr(f"{r.config.optimizer}, lr = {r.lr0:g}"),
    )
    return Cell("Plot the training cost", "How J fell, step by step.", code)


def run_cells(recipe: Recipe) -> list[Cell]:
    """The cells of the run, in order; their code joined is a complete script."""
    builders = (
        settings_cell,
        load_cell,
        split_cell,
        scale_cell,
        model_cell,
        gradient_cell,
        optimizer_cell,
        train_cell,
        result_cell,
        plot_cell,
    )
    return [build(recipe) for build in builders]
