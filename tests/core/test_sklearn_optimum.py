"""Full-batch gradient descent reaches scikit-learn's unpenalised logistic-regression optimum."""

from pathlib import Path

import numpy as np
import pytest

from gdapp.core.trainer import Status, TrainConfig, Trainer

sklearn = pytest.importorskip("sklearn")
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402

DATA_CSV = Path(__file__).resolve().parents[2] / "data" / "diabetes.csv"


def load_scaled():
    data = np.loadtxt(DATA_CSV, delimiter=",", skiprows=1)
    X, y = data[:, :-1], data[:, -1]
    lo, hi = X.min(axis=0), X.max(axis=0)
    return 2.0 * (X - lo) / (hi - lo) - 1.0, y


def test_gd_reaches_the_sklearn_optimum_on_diabetes():
    X, y = load_scaled()
    assert X.shape == (768, 8)
    assert X.min() == -1.0 and X.max() == 1.0

    reference = LogisticRegression(C=np.inf, solver="lbfgs", tol=1e-12, max_iter=100_000).fit(X, y)
    best = log_loss(y, reference.predict_proba(X)[:, 1])

    trainer = Trainer(X, y, config=TrainConfig(optimizer="gd", lr=4.0, max_epochs=3000))
    assert trainer.run(10_000) is Status.MAX_EPOCHS
    assert trainer.step_count == 3000
    theta = trainer.theta
    ours = log_loss(y, 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1]))))

    assert abs(ours - best) < 1e-4
    assert trainer.history.train_loss[-1] == pytest.approx(ours, abs=1e-12)
    # The optimum of a strictly convex cost is unique, so the parameters agree too.
    expected = np.append(reference.coef_.ravel(), reference.intercept_)
    np.testing.assert_allclose(theta, expected, atol=1e-4)
