"""Generated code for the training: model and cost, gradient, optimizer, loop, result, plot.

Mirrors ``gdapp.core`` (``models``, ``mlp``, ``losses``, ``optimizers``, ``trainer``) in the
same order of floating-point operations where that order decides the last digit, so the
printed final loss equals the Trainer's.  Only the run's own optimizer and model are written
out.  A linear model's parameters are ``w`` (d,) and ``b``; a hidden layer's are ``W1``
(hidden, d), ``b1`` (hidden,), ``w2`` (hidden,) and ``b2`` (the biases only with a bias).
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from gdapp.core import optimizers
from gdapp.core.mlp import MLPModel
from gdapp.core.trainer import RANDOM_INIT_STD, model_for
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


def _parameternames_literal(r: Recipe) -> tuple[str, ...]:
    if r.config.model == "mlp":
        return ("W1", "b1", "w2", "b2") if r.config.fit_bias else ("W1", "w2")
    return ("w", "b") if r.config.fit_bias else ("w",)


def _params(r: Recipe) -> str:
    return ", ".join(_parameternames_literal(r))


def _grads(r: Recipe) -> str:
    return ", ".join(f"dJ_d{p}" for p in _parameternames_literal(r))


def _z(r: Recipe) -> str:
    return "X @ w + b" if r.config.fit_bias else "X @ w"


def _penalty(r: Recipe) -> str:
    return " + l2 / 2 * (w @ w)" if r.config.l2 > 0 else ""


_SIGMOID = '''
def softplus(z):
    """log(1 + eᶻ), computed without overflow."""
    return np.logaddexp(0.0, z)


def sigmoid(z):
    """σ(z) = 1/(1 + e⁻ᶻ), written as e^(z − softplus(z)) so nothing overflows."""
    return np.exp(z - softplus(z))
'''.strip("\n")


def _mlp_model_cell(r: Recipe) -> Cell:
    cfg = r.config
    if cfg.activation == "tanh":
        act = fill(
            '''
            def act(A):
                """The hidden units' activation: tanh."""
                return np.tanh(A)


            def act_slope(A, H):
                """tanh'(A) = 1 − tanh(A)², from the values H = tanh(A)."""
                return 1.0 - H * H
            '''
        )
    else:
        act = fill(
            '''
            def act(A):
                """The hidden units' activation: ReLU, max(A, 0)."""
                return np.maximum(A, 0.0)


            def act_slope(A, H):
                """ReLU'(A): 1 where A > 0, else 0 (0 at exactly 0)."""
                return (A > 0.0).astype(np.float64)
            '''
        )
    penalty = " + l2 / 2 * (np.sum(W1 * W1) + w2 @ w2)" if cfg.l2 > 0 else ""
    code = fill(
        '''
        «sigmoid»


        «act»


        def forward(X, «params»):
            """Pre-activations A (m, hidden), hidden values H (m, hidden) and logits z (m,)."""
            A = X @ W1.T«b1»
            H = act(A)
            z = H @ w2«b2»
            return A, H, z


        def cost(X, y, «params»):
            """J = mean log-loss over the rows of X«penalty_doc»."""
            z = forward(X, «params»)[2]
            return np.mean(softplus(z) - y * z)«penalty»


        def accuracy(X, y, «params»):
            """Share of rows whose class, 1 when z ≥ 0 (the output σ(z) ≥ 0.5), equals y."""
            z = forward(X, «params»)[2]
            return np.mean((z >= 0) == y)
        ''',
        sigmoid=_SIGMOID,
        act=act,
        params=_params(r),
        b1=" + b1" if cfg.fit_bias else "",
        b2=" + b2" if cfg.fit_bias else "",
        penalty=penalty,
        penalty_doc=" + (l2/2)·(‖W1‖² + ‖w2‖²)" if cfg.l2 > 0 else "",
    )
    unit = "tanh" if cfg.activation == "tanh" else "ReLU"
    text = (
        f"One hidden layer of {cfg.hidden} {unit} units: unit k computes "
        "hₖ = act(W1ₖ·x + b1ₖ), and the output is logistic regression on the units, "
        "z = w2·h + b2, ŷ = σ(z). The cost J is the mean log-loss, computed from z."
    )
    if not cfg.fit_bias:
        text += " There are no biases in this run: b1 and b2 are left out."
    if cfg.l2 > 0:
        text += " The L2 penalty (l2/2)·(‖W1‖² + ‖w2‖²) keeps the weights small; no bias."
    return Cell("The model and its cost", text, code)


def _mlp_gradient_cell(r: Recipe) -> Cell:
    cfg = r.config
    l2 = cfg.l2 > 0
    returns = ["dA.T @ X / m" + (" + l2 * W1" if l2 else "")]
    if cfg.fit_bias:
        returns.append("dA.sum(axis=0) / m")
    returns.append("H.T @ dJ_dz / m" + (" + l2 * w2" if l2 else ""))
    if cfg.fit_bias:
        returns.append("dJ_dz.sum() / m")
    lines = [
        f"def gradient(X, y, {_params(r)}):",
        f'    """{", ".join(f"∂J/∂{p}" for p in _parameternames_literal(r))} on the rows of X."""',
        "    m = len(y)",
        f"    A, H, z = forward(X, {_params(r)})",
        "    dJ_dz = sigmoid(z) - y  # derivative of each row's log-loss with respect to its z",
        "    dA = np.outer(dJ_dz, w2)  # back through z = H w2 + b2 to every unit's value",
        "    dA *= act_slope(A, H)  # and through the activation to its pre-activation",
        f"    return {', '.join(returns)}",
    ]
    text = (
        "The chain rule, backwards: ∂J/∂z = σ(z) − y per row; the output weights get "
        "Hᵀ(∂J/∂z)/m; each unit's pre-activation gets ∂J/∂z · w2ₖ · act'(Aₖ), and from it "
        "W1 gets (∂J/∂A)ᵀX/m"
        + (" and b1 the mean of ∂J/∂A, b2 the mean of ∂J/∂z" if cfg.fit_bias else "")
        + "; m is the number of rows."
    )
    if l2:
        text += " The penalty adds l2·W1 and l2·w2."
    return Cell("The gradient", text, "\n".join(lines))


def model_cell(r: Recipe) -> Cell:
    cfg = r.config
    if cfg.model == "mlp":
        return _mlp_model_cell(r)
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
    if cfg.model == "mlp":
        return _mlp_gradient_cell(r)
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
        "Adam keeps running averages of the gradient, mu ← beta1·mu + (1 − beta1)·g, and of "
        "its square, nu ← beta2·nu + (1 − beta2)·g². Step t corrects both for starting at 0 "
        "(mu_hat = mu/(1 − beta1ᵗ), nu_hat = nu/(1 − beta2ᵗ)) and moves "
        "p ← p − lr·mu_hat/(√nu_hat + eps).",
        '''
        def update(p, g, mu, nu, t, lr):
            """Adam's step number t for parameter p with gradient g and averages mu, nu."""
            mu = beta1 * mu + (1.0 - beta1) * g
            nu = beta2 * nu + (1.0 - beta2) * (g * g)
            mu_hat = mu / (1.0 - beta1**t)
            nu_hat = nu / (1.0 - beta2**t)
            return p - lr * mu_hat / (np.sqrt(nu_hat) + eps), mu, nu
        ''',
        ("mu", "nu"),
    ),
}


_ZEROS = {
    "w": "np.zeros(d)",
    "b": "0.0",
    "W1": "np.zeros((hidden, d))",
    "b1": "np.zeros(hidden)",
    "w2": "np.zeros(hidden)",
    "b2": "0.0",
}


def _zeros(param: str) -> str:
    return _ZEROS[param]


def _mlp_start(r: Recipe) -> list[str]:
    cfg = r.config
    if r.start is not None:
        model = model_for(cfg)
        assert isinstance(model, MLPModel)
        d = len(r.features)
        parts = model.parts(np.array(r.start, dtype=np.float64), d)

        def literal(values) -> str:
            return ", ".join(float_literal(v) for v in values)

        lines = [
            "# The run's chosen starting point:",
            f"W1 = np.array([{literal(parts.W1.ravel())}]).reshape(hidden, d)",
            f"w2 = np.array([{literal(parts.w2)}])",
        ]
        if cfg.fit_bias:
            lines.insert(2, f"b1 = np.array([{literal(parts.b1)}])")
            lines.append(f"b2 = {float_literal(parts.b2)}")
        return lines
    lines = [
        "# Small random weights, one draw per unit: equal units would stay equal forever.",
        "rng = np.random.default_rng([seed, 7919])",
        "W1 = rng.normal(0.0, 1.0 / np.sqrt(d), (hidden, d))",
        "w2 = rng.normal(0.0, 1.0 / np.sqrt(hidden), hidden)",
    ]
    if cfg.fit_bias:
        lines[3:3] = ["b1 = np.zeros(hidden)"]
        lines.append("b2 = 0.0")
    return lines


def optimizer_cell(r: Recipe) -> Cell:
    name = r.config.optimizer
    text, update, state = _OPTIMIZERS[name]
    # optax's b1, b2 are written beta1, beta2: b1 and b2 name a hidden layer's biases.
    renamed = {"b1": "beta1", "b2": "beta2"}
    lines = [
        f"{renamed.get(key, key)} = {float_literal(value)}" for key, value in _hyper(name).items()
    ]
    if update:
        lines += ["", "", textwrap.dedent(update).strip("\n"), "", ""]
    if r.config.model == "mlp":
        lines += _mlp_start(r)
    elif r.start is not None:
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
    grads = _grads(r)
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
    if r.config.model == "mlp":
        lines = [
            f"J = cost(X_train, y_train, {params})",
            "for k in range(hidden):",
            '    weights = ", ".join(f"{name} {v:+.6f}" for name, v in zip(FEATURES, W1[k]))',
        ]
        if r.config.fit_bias:
            lines.append(
                '    print(f"unit {k + 1}: {weights}, bias {b1[k]:+.6f}; '
                'output weight {w2[k]:+.6f}")'
            )
            lines.append('print(f"output bias = {b2:+.6f}")')
        else:
            lines.append('    print(f"unit {k + 1}: {weights}; output weight {w2[k]:+.6f}")')
    else:
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
