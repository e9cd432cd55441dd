"""Fitting the sentence model: a listwise (softmax) fit with an L2 pull toward a prior.

Pure numpy. The prior is what lets the development questions refine weights learned on
thousands of reading-comprehension questions without a hundred questions undoing them:
the penalty is on the distance from the prior's weights, not from zero (the Gaussian
prior of a MAP fit, which scikit-learn's LogisticRegression has no parameter for).
Folds are grouped so no question (or article) is in both the fitted and the scored part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def fold_of(group: str, folds: int) -> int:
    """A stable fold for a group (an article or a question id), the same on every run."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % folds


def grouped_folds(groups: Sequence[str], folds: int) -> npt.NDArray[np.int64]:
    return np.array([fold_of(g, folds) for g in groups], dtype=np.int64)


def fit_listwise(
    questions: Sequence[tuple[Floats, Floats]],
    *,
    l2: float = 1.0,
    prior: Floats | None = None,
    iterations: int = 50,
) -> Floats:
    """Weights w for a softmax over each question's candidates (rows @ w), fitted so the
    labelled candidates get the probability mass: minimises, over the questions, minus
    the log of the share their positives get, + l2/2 * |w - prior|^2 (Newton's method).
    It learns which candidate wins within a question, the thing the answer uses, where
    a pointwise fit also spends itself on how likely a question is to be answered."""
    lists = [(rows, labels / labels.sum()) for rows, labels in questions if labels.sum() > 0]
    if not lists:
        raise ValueError("no question with a labelled candidate")
    d = lists[0][0].shape[1]
    centre = np.zeros(d) if prior is None else np.asarray(prior, dtype=float)
    n = len(lists)

    def softmax(rows: Floats, w: Floats) -> Floats:
        z = rows @ w
        e = np.exp(z - z.max())
        out: Floats = e / e.sum()
        return out

    def loss(w: Floats) -> float:
        total = 0.0
        for rows, target in lists:
            z = rows @ w
            total -= float(target @ z) - (float(z.max()) + float(np.log(np.exp(z - z.max()).sum())))
        return total / n + 0.5 * l2 * float((w - centre) @ (w - centre))

    w = centre.copy()
    current = loss(w)
    for _ in range(iterations):
        gradient = l2 * (w - centre)
        hessian = l2 * np.eye(d) + 1e-9 * np.eye(d)
        for rows, target in lists:
            p = softmax(rows, w)
            gradient += rows.T @ (p - target) / n
            weighted = rows * p[:, None]
            hessian += (rows.T @ weighted - np.outer(p @ rows, p @ rows)) / n
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4:
            candidate = w - size * step
            value = loss(candidate)
            if value <= current:
                break
            size /= 2
        else:
            break
        w, current = candidate, value
        if np.abs(size * step).max() < 1e-7:
            break
    return w
