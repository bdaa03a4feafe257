"""The small-data recipe's two tools (issue 31), plait.training.few_shot: the pair loss (SetFit's
cosine-similarity loss over every pair of a batch) and the logistic-regression head fit; the
components' options are checked at construction with coded errors."""
from __future__ import annotations

import numpy
import pytest

from plait.errors import PlaitValueError
from plait.training.few_shot import check_options, fit_linear_head, pair_loss


def _numeric_gradient(X, classes, eps=1e-3):
    grad = numpy.zeros_like(X)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            up, down = X.copy(), X.copy()
            up[i, j] += eps
            down[i, j] -= eps
            grad[i, j] = (pair_loss(up, classes)[0] - pair_loss(down, classes)[0]) / (2 * eps)
    return grad


def test_pair_loss_gradient_is_exact_and_a_step_pulls_a_class_together():
    rng = numpy.random.default_rng(0)
    X = rng.normal(size=(6, 5)).astype("f")
    classes = [0, 0, 1, 1, None, 2]
    loss, grad = pair_loss(X, classes)
    assert loss > 0
    numpy.testing.assert_allclose(grad, _numeric_gradient(X, classes), atol=2e-4)
    assert not grad[4].any()  # a doc without gold is in no pair

    def cos(A, i, j):
        return float(A[i] @ A[j] / numpy.linalg.norm(A[i]) / numpy.linalg.norm(A[j]))

    stepped = X - 0.5 * grad
    assert pair_loss(stepped, classes)[0] < loss
    assert cos(stepped, 0, 1) > cos(X, 0, 1)  # same class: closer
    assert abs(cos(stepped, 0, 2)) < abs(cos(X, 0, 2))  # other classes: towards orthogonal


def test_pair_loss_weighs_positive_and_negative_pairs_equally():
    # one same-class pair and many different-class pairs: each half carries half of the loss
    X = numpy.eye(4, dtype="f")  # every cosine 0: the same-class pair misses its target by 1
    loss, _ = pair_loss(X, [0, 0, 1, 2])
    assert loss == pytest.approx(0.5)
    assert pair_loss(X[:1], [0])[0] == 0.0  # a batch of one doc forms no pair
    assert pair_loss(X, [None] * 4)[1].sum() == 0.0


def test_fit_linear_head_matches_scikit_learn_and_separates_what_is_separable():
    from sklearn.linear_model import LogisticRegression

    rng = numpy.random.default_rng(1)
    X = rng.normal(size=(90, 8)) * 3.0 + 1.0
    y = (X[:, 0] > 1.0).astype(int) + (X[:, 1] > 2.0).astype(int)
    W, b = fit_linear_head(X, numpy.eye(3)[y], iterations=2000)
    scale = 1.0 / numpy.sqrt((X * X).sum(axis=1).mean())
    reference = LogisticRegression(C=1.0, max_iter=5000).fit(X * scale, y)
    ours = (X @ W.T + b).argmax(axis=1)
    assert (ours == reference.predict(X * scale)).mean() >= 0.97
    assert (ours == y).mean() >= 0.75  # as regularised as scikit-learn's C=1
    # multi-label: independent sigmoids; a masked entry gives no loss
    Y = numpy.stack([X[:, 0] > 1.0, X[:, 2] > 1.0], axis=1).astype("f")
    W2, b2 = fit_linear_head(X, Y, exclusive=False)
    assert ((X @ W2.T + b2 > 0) == (Y > 0.5)).mean() >= 0.85


def test_options_are_checked_with_coded_errors():
    check_options(None, 0.0, component="C", name="x")
    check_options("fit", 1, component="C", name="x")
    with pytest.raises(PlaitValueError, match=r"\[E158\].*'prototypes'"):
        check_options("prototypes", 0.0, component="C", name="x")
    with pytest.raises(PlaitValueError, match=r"\[E159\]"):
        check_options(None, -1.0, component="C", name="x")
    with pytest.raises(PlaitValueError, match=r"\[E159\]"):
        check_options(None, "lots", component="C", name="x")


def test_small_data_options_go_by_the_rarest_class_and_skip_multi_label():
    from plait.training.few_shot import SMALL_DATA_OPTIONS, SMALL_DATA_PER_CLASS, small_data_options

    low, high = SMALL_DATA_PER_CLASS
    assert small_data_options({"label_counts": {"a": low, "b": 500}}) == SMALL_DATA_OPTIONS
    assert small_data_options({"label_counts": {"a": high, "b": high}}) == SMALL_DATA_OPTIONS
    assert small_data_options({"label_counts": {"a": low - 1, "b": 20}}) == {}
    assert small_data_options({"label_counts": {"a": high + 1, "b": high + 1}}) == {}
    assert small_data_options({"label_counts": {"a": 20, "b": 20}, "multi_label": True}) == {}
    assert small_data_options({"label_counts": {"a": 20}}) == {}  # one label: nothing to pair
    assert small_data_options({}) == {}
    options = small_data_options({"label_counts": {"a": 20, "b": 20}})
    options["pair_loss"] = 0.0  # a copy: the caller may edit it
    assert SMALL_DATA_OPTIONS["pair_loss"] == 1.0
