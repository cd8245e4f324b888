"""Generated code for the training: model and cost, gradient, optimizer, loop, result, plot.

Mirrors ``gdapp.core`` (``models``, ``losses``, ``optimizers``, ``trainer``) in the same
order of floating-point operations where that order decides the last digit, so the printed
final loss equals the Trainer's.  Only the run's own optimizer and model are written out.
"""

from __future__ import annotations

import inspect
import textwrap

from gdapp.core import optimizers
from gdapp.core.trainer import RANDOM_INIT_STD
from gdapp.exports.code_text import Cell, fill, float_literal
from gdapp.exports.recipe import Recipe

__all__ = [
    "gradient_cell",
    "model_cell",
    "optimizer_cell",
    "plot_cell",
    "result_cell",
    "train_cell",
]


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
        code = fill(
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
        code = fill(
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


def _parameternames_literal(r: Recipe) -> tuple[str, ...]:
    return ("w", "b") if r.config.fit_bias else ("w",)


def _zeros(param: str) -> str:
    return "np.zeros(d)" if param == "w" else "0.0"


def optimizer_cell(r: Recipe) -> Cell:
    name = r.config.optimizer
    text, update, state = _OPTIMIZERS[name]
    lines = [f"{key} = {float_literal(value)}" for key, value in _hyper(name).items()]
    if update:
        lines += ["", "", textwrap.dedent(update).strip("\n"), "", ""]
    if r.start is not None:
        weights = ", ".join(float_literal(v) for v in r.start[:-1])
        lines.append(f"w = np.array([{weights}])  # the run's chosen starting point")
        if r.config.fit_bias:
            lines.append(f"b = {float_literal(r.start[-1])}")
    elif r.config.init == "random":
        std = float_literal(RANDOM_INIT_STD)
        lines.append(f"theta = np.random.default_rng(seed).normal(0.0, {std}, d + 1)")
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
        values = ", ".join(_zeros(p) for p in _parameternames_literal(r))
        targets = ", ".join(f"{s}_{p}" for p in _parameternames_literal(r))
        lines.append(f"{targets} = {values}")
    return Cell(f"The optimizer: {name}, and the starting point", text, "\n".join(lines).strip())


def _update_lines(r: Recipe) -> list[str]:
    name = r.config.optimizer
    state = _OPTIMIZERS[name][2]
    lines = []
    for p in _parameternames_literal(r):
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
    # The module name is filled in: this is text of the generated code, and the app's own
    # sources must hold no import of matplotlib (tests/lessons/test_formulas.py looks for one).
    code = fill(
        """
        try:
            import «pyplot» as plt
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
        pyplot="matplotlib.pyplot",
        title=repr(f"{r.config.optimizer}, lr = {r.lr0:g}"),
    )
    return Cell("Plot the training cost", "How J fell, step by step.", code)
