"""Small-data fine-tuning for document classifiers: a head fitted before the first step, and a
pair loss on the pooled vectors (the SetFit recipe's contrastive stage, inside the training loop).

Two tools, for any component whose head is a linear layer over one pooled vector per document
(``plait_textcat``, ``plait_sentiment`` and a plugin's classifier alike; no task logic here):

- :func:`fit_linear_head`: multinomial (exclusive labels) or one-vs-rest (multi-label) logistic
  regression on the frozen encoder's pooled vectors of the training documents, L2-regularised as
  scikit-learn's ``LogisticRegression(C=1)``. A component with ``head_init: "fit"`` starts training
  from it instead of a zero head, so step 0 is already a classifier (with 8 examples per class it is
  most of the score) and the first steps' gradients do not have to teach a blank head.
- :func:`pair_loss`: for every pair of labelled documents in a batch, the squared error between the
  cosine of their pooled vectors and 1 (same class) or 0 (different classes), positive and negative
  pairs weighted equally: SetFit's ``CosineSimilarityLoss`` on every pair of the batch. A component
  with ``pair_loss: w`` adds ``w`` times it to its loss, so the shared encoder learns to put texts of
  one class together, which is what makes a few examples per class enough.

:func:`fit_head` runs the pipes before a component (the shared transformer) on its training
documents, takes what the component's output layer reads and sets that layer to
:func:`fit_linear_head`'s fit; :func:`check_options` checks the two options at construction.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy

__all__ = ["HEAD_INITS", "SMALL_DATA_OPTIONS", "SMALL_DATA_PER_CLASS", "check_options",
           "check_pipeline", "fit_head", "fit_linear_head", "pair_loss", "run_pipes_before",
           "small_data_options"]

# null: the output layer starts at zero; "fit": fitted before the first step (fit_head)
HEAD_INITS = (None, "fit")

#: The small-data recipe as component options (what ``plait init`` sets, see small_data_options).
SMALL_DATA_OPTIONS: Dict[str, Any] = {"head_init": "fit", "pair_loss": 1.0}
#: ``plait init`` sets the recipe when the rarest class has this many training examples (bounds
#: included). The bounds are measured (benchmarks/few_shot.py, docs/few-labels.md): at 16 and 32 per
#: class the recipe beat the default head on every corpus measured; at 8 it lost on two of four.
SMALL_DATA_PER_CLASS: Tuple[int, int] = (12, 32)


def small_data_options(profile: Dict[str, Any]) -> Dict[str, Any]:
    """The recipe's options for an exclusive classifier whose training data are small, else ``{}``.

    ``profile`` is what ``GoldInfo.configure`` is given (:func:`plait.data.stats.data_profile`): its
    ``label_counts`` (training examples per label) decide; multi-label data form no pairs, and data
    without per-label counts get nothing.
    """
    counts = [int(n) for n in (profile.get("label_counts") or {}).values()]
    if profile.get("multi_label") or len(counts) < 2:
        return {}
    low, high = SMALL_DATA_PER_CLASS
    return dict(SMALL_DATA_OPTIONS) if low <= min(counts) <= high else {}


def check_options(head_init: Any, pair_loss: Any, *, component: str, name: str) -> None:
    """Fail at construction on a ``head_init`` or ``pair_loss`` option that cannot work."""
    from plait.errors import ComponentConfigError, Errors

    if head_init not in HEAD_INITS:
        raise ComponentConfigError(Errors.E158.format(component=component, name=name,
                                                      value=head_init))
    try:
        ok = float(pair_loss) >= 0.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ComponentConfigError(Errors.E159.format(component=component, name=name,
                                                      value=pair_loss))


def run_pipes_before(nlp: Any, name: str, docs: List[Any]) -> List[Any]:
    """``docs`` after every pipe that comes before ``name`` in ``nlp`` (the shared transformer sets
    the features the component's listener reads)."""
    for pipe_name, proc in nlp.pipeline:
        if pipe_name == name:
            break
        docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
    return docs


def check_pipeline(nlp: Any, *, component: str, name: str) -> None:
    """``head_init: "fit"`` needs the pipeline (its encoder): call first thing in ``initialize``."""
    from plait.errors import ComponentConfigError, Errors

    if nlp is None:
        raise ComponentConfigError(Errors.E160.format(component=component, name=name))


def fit_head(nlp: Any, name: str, below: Any, output: Any, docs: List[Any],
             truths: numpy.ndarray, mask: numpy.ndarray, *, exclusive: bool, component: str,
             sample_weight: Optional[numpy.ndarray] = None, batch_size: int = 64) -> None:
    """``head_init: "fit"``: set the ``output`` layer's ``W`` and ``b`` (a thinc ``Linear`` or
    ``Softmax``) to :func:`fit_linear_head` on what it reads, ``below.predict`` of the ``docs`` after
    the pipes before ``name``; ``truths``/``mask`` as the component's loss sees them (rows of docs
    without gold are left out). ``nlp`` is needed: the component's own ``initialize`` without the
    pipeline cannot run the shared encoder."""
    check_pipeline(nlp, component=component, name=name)
    keep = numpy.asarray(mask).sum(axis=1) > 0
    keep &= numpy.asarray([len(doc) > 0 for doc in docs])
    if not keep.any():
        return
    kept = [doc.copy() for doc, k in zip(docs, keep) if k]
    feats = []
    for start in range(0, len(kept), batch_size):
        batch = run_pipes_before(nlp, name, kept[start:start + batch_size])
        feats.append(below.ops.to_numpy(below.predict(batch)))
    W, b = fit_linear_head(numpy.concatenate(feats), truths[keep], exclusive=exclusive,
                           mask=mask[keep],
                           sample_weight=None if sample_weight is None else sample_weight[keep])
    output.set_param("W", output.ops.asarray2f(W))
    output.set_param("b", output.ops.asarray1f(b))


def _probabilities(logits: numpy.ndarray, exclusive: bool) -> numpy.ndarray:
    if exclusive:
        z = logits - logits.max(axis=1, keepdims=True)
        e = numpy.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + numpy.exp(-numpy.clip(logits, -30, 30)))


def fit_linear_head(X: numpy.ndarray, Y: numpy.ndarray, *, exclusive: bool = True, C: float = 1.0,
                    mask: Optional[numpy.ndarray] = None, sample_weight: Optional[numpy.ndarray] = None,
                    iterations: int = 500) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Logistic regression of ``Y`` (``n x k``: one-hot rows when ``exclusive``, else independent 0/1
    labels) on ``X`` (``n x d``); returns ``W`` (``k x d``) and ``b`` (``k``) for ``X @ W.T + b``.

    The loss is the mean (sample-weighted) cross-entropy plus ``||W||^2 / (2 C n)`` on features
    scaled to unit mean norm (so ``C`` means what it means in scikit-learn whatever the encoder's
    scale); the bias is not regularised. ``mask`` (``n x k``, 1 = counts) leaves out unannotated
    entries. Solved by accelerated gradient descent with the loss's Lipschitz step, deterministic.
    """
    X = numpy.asarray(X, dtype="float64")
    Y = numpy.asarray(Y, dtype="float64")
    n, d = X.shape
    k = Y.shape[1]
    M = numpy.ones_like(Y) if mask is None else numpy.asarray(mask, dtype="float64")
    sw = numpy.ones((n, 1)) if sample_weight is None else numpy.asarray(
        sample_weight, dtype="float64").reshape(n, 1)
    rows = M.max(axis=1, keepdims=True) * sw
    total = max(float(rows.sum()), 1e-12)
    scale = 1.0 / max(float(numpy.sqrt((X * X).sum(axis=1).mean())), 1e-12)
    Xs = X * scale
    lam = 1.0 / (C * max(n, 1))
    lipschitz = float(((Xs * Xs).sum(axis=1).max() + 1.0) * (rows.max() * n / total)) + lam
    step = 1.0 / lipschitz
    W = numpy.zeros((k, d))
    b = numpy.zeros((k,))
    W_prev, b_prev = W.copy(), b.copy()
    for t in range(1, iterations + 1):
        momentum = (t - 1) / (t + 2)
        Wm = W + momentum * (W - W_prev)
        bm = b + momentum * (b - b_prev)
        P = _probabilities(Xs @ Wm.T + bm, exclusive)
        G = (P - Y) * M * sw / total
        W_prev, b_prev = W, b
        W = Wm - step * (G.T @ Xs + lam * Wm)
        b = bm - step * G.sum(axis=0)
    return (W * scale).astype("f"), b.astype("f")


def pair_loss(pooled: Any, classes: Sequence[Optional[int]], ops: Any = None
              ) -> Tuple[float, Any]:
    """SetFit's cosine-similarity loss over every pair of labelled rows of ``pooled``.

    ``classes[i]`` is row ``i``'s class (``None``: no gold, in no pair). For each pair ``i < j`` the
    loss is ``(cos(x_i, x_j) - [c_i == c_j])^2``; same-class and different-class pairs weigh half each
    (whatever their counts). Returns the loss and its gradient with respect to ``pooled`` (zeros
    where no pair was formed, e.g. a batch of one class or of one document).
    """
    xp = numpy if ops is None else ops.xp
    X = pooled
    n = X.shape[0]
    zero = X * 0.0
    if n < 2:
        return 0.0, zero
    labelled = numpy.asarray([c is not None for c in classes], dtype=bool)
    cls = numpy.asarray([(-1 if c is None else int(c)) for c in classes])
    valid = numpy.outer(labelled, labelled)
    numpy.fill_diagonal(valid, False)
    same = (cls[:, None] == cls[None, :]) & valid
    different = valid & ~same
    n_same, n_diff = int(same.sum()) // 2, int(different.sum()) // 2
    if not n_same and not n_diff:
        return 0.0, zero
    weights = numpy.zeros((n, n), dtype="f")
    if n_same:
        weights[same] = 0.5 / n_same if n_diff else 1.0 / n_same
    if n_diff:
        weights[different] = 0.5 / n_diff if n_same else 1.0 / n_diff
    weights = xp.asarray(weights)
    target = xp.asarray(same.astype("f"))
    norms = xp.sqrt((X * X).sum(axis=1, keepdims=True)) + 1e-8
    U = X / norms
    cos = U @ U.T
    err = (cos - target) * weights
    loss = float(0.5 * ((cos - target) ** 2 * weights).sum())
    dU = 2.0 * (err @ U)
    dX = (dU - U * (U * dU).sum(axis=1, keepdims=True)) / norms
    return loss, dX.astype("f")
