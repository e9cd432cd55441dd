"""A boosted tree ensemble, evaluated with numpy.

The sentence model (`kb/ranker.py`) adds to its linear features one column that a
gradient-boosted ensemble computes from the others: it learns what a weighted sum cannot
("a figure question, and this sentence holds a number, and its passage is the best"), and
the linear layer keeps what `aigc-bot eval --cv` refits. `bench/train_ranker.py` fits the
ensemble with LightGBM (a training dependency only) and stores it flattened here, so the
bot reads it in milliseconds without LightGBM: every tree's nodes in one set of arrays,
and all trees walked together, one level per step.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TreeEnsemble:
    """Nodes of every tree, flattened. A node with `feature` -1 is a leaf worth `value`;
    any other goes to `left` when the row's `feature` is <= `threshold`, else `right`."""

    feature: Ints
    threshold: Floats
    left: Ints
    right: Ints
    value: Floats
    roots: Ints
    depth: int  # the longest path from a root to a leaf
    width: int  # how many features a row has

    def __post_init__(self) -> None:
        n = len(self.feature)
        if not (len(self.threshold) == len(self.left) == len(self.right) == len(self.value) == n):
            raise ValueError("tree arrays of different lengths")
        inner = self.feature >= 0
        if n and (
            self.feature.max(initial=-1) >= self.width
            or ((self.left[inner] < 0) | (self.left[inner] >= n)).any()
            or ((self.right[inner] < 0) | (self.right[inner] >= n)).any()
            or ((self.roots < 0) | (self.roots >= n)).any()
        ):
            raise ValueError("a tree node points outside the ensemble")

    @functools.cached_property
    def _walk(self) -> tuple[Ints, Floats, Ints]:
        """The nodes as one walk can take them: a leaf splits on feature 0 at +inf and
        both its children are itself, so every row takes exactly `depth` steps with no
        test for leaves; node n's children sit at 2n (left) and 2n + 1 (right)."""
        leaf = self.feature < 0
        itself = np.arange(len(self.feature), dtype=np.int64)
        children = np.empty(2 * len(self.feature), dtype=np.int64)
        children[0::2] = np.where(leaf, itself, self.left)
        children[1::2] = np.where(leaf, itself, self.right)
        return np.where(leaf, 0, self.feature), np.where(leaf, np.inf, self.threshold), children

    def predict(self, rows: Floats) -> Floats:
        """The ensemble's raw score of each row (the sum of its leaves, one per tree)."""
        rows = np.ascontiguousarray(rows, dtype=float)
        if rows.ndim != 2 or rows.shape[1] != self.width:
            raise ValueError(f"expected rows of {self.width} features")
        if not len(rows) or not len(self.roots):
            return np.zeros(len(rows))
        feature, threshold, children = self._walk
        trees = len(self.roots)
        # Every (row, tree) pair walks at once, as flat arrays: `take` on flat arrays is
        # the cheapest gather numpy has, and a question scores ~30 rows x 300 trees.
        at = np.tile(self.roots, len(rows))
        cell = np.repeat(np.arange(len(rows), dtype=np.int64) * self.width, trees)
        flat = rows.ravel()
        for _ in range(self.depth):
            goes_right = flat.take(cell + feature.take(at)) > threshold.take(at)
            at = children.take(2 * at + goes_right)
        out: Floats = self.value.take(at).reshape(len(rows), trees).sum(axis=1)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "depth": self.depth,
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "threshold": self.threshold.tolist(),
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": self.value.tolist(),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TreeEnsemble:
        return cls(
            np.asarray(raw["feature"], dtype=np.int64),
            np.asarray(raw["threshold"], dtype=float),
            np.asarray(raw["left"], dtype=np.int64),
            np.asarray(raw["right"], dtype=np.int64),
            np.asarray(raw["value"], dtype=float),
            np.asarray(raw["roots"], dtype=np.int64),
            int(raw["depth"]),
            int(raw["width"]),
        )

    @classmethod
    def from_lightgbm(cls, dump: Mapping[str, Any]) -> TreeEnsemble:
        """From LightGBM's `Booster.dump_model()` (numerical splits on "<=" only: the
        features are finite numbers, so no missing-value branch is ever taken)."""
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        depth = 0

        def add(node: Mapping[str, Any], level: int) -> int:
            nonlocal depth
            depth = max(depth, level)
            at = len(feature)
            feature.append(-1)
            threshold.append(0.0)
            left.append(-1)
            right.append(-1)
            value.append(float(node.get("leaf_value", 0.0)))
            if "split_feature" in node:
                if node.get("decision_type", "<=") != "<=":
                    raise ValueError("only numerical '<=' splits are supported")
                feature[at] = int(node["split_feature"])
                threshold[at] = float(node["threshold"])
                left[at] = add(node["left_child"], level + 1)
                right[at] = add(node["right_child"], level + 1)
            return at

        for tree in dump["tree_info"]:
            roots.append(add(tree["tree_structure"], 0))
        return cls(
            np.asarray(feature, dtype=np.int64),
            np.asarray(threshold, dtype=float),
            np.asarray(left, dtype=np.int64),
            np.asarray(right, dtype=np.int64),
            np.asarray(value, dtype=float),
            np.asarray(roots, dtype=np.int64),
            depth,
            int(dump["max_feature_idx"]) + 1,
        )


def empty(width: int) -> TreeEnsemble:
    """No trees: every row scores 0 (a model file from before the ensemble)."""
    none: list[object] = []
    return TreeEnsemble.from_json(
        {
            "width": width,
            "depth": 0,
            **dict.fromkeys(("roots", "feature", "threshold", "left", "right", "value"), none),
        }
    )
