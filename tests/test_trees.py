"""The sentence model's tree ensemble, read from LightGBM's dump and walked with numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bot.kb.ranker import FEATURES, shipped_trees
from bot.kb.trees import TreeEnsemble, empty


def _leaf(value: float) -> dict[str, Any]:
    return {"leaf_value": value}


def _split(feature: int, threshold: float, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {
        "split_feature": feature,
        "threshold": threshold,
        "decision_type": "<=",
        "left_child": left,
        "right_child": right,
    }


# Two trees over three features, in the shape of `lightgbm.Booster.dump_model()`.
DUMP = {
    "max_feature_idx": 2,
    "tree_info": [
        {"tree_structure": _split(0, 0.5, _leaf(-1.0), _split(2, 2.0, _leaf(0.5), _leaf(2.0)))},
        {"tree_structure": _leaf(0.25)},
    ],
}


def by_hand(row: list[float]) -> float:
    first = -1.0 if row[0] <= 0.5 else (0.5 if row[2] <= 2.0 else 2.0)
    return first + 0.25


def test_each_row_scores_the_sum_of_the_leaves_it_reaches() -> None:
    trees = TreeEnsemble.from_lightgbm(DUMP)
    rows = [[0.5, 9.0, 9.0], [0.6, 0.0, 2.0], [0.6, 0.0, 2.1], [-3.0, 0.0, 0.0]]
    assert trees.predict(np.array(rows)).tolist() == [by_hand(r) for r in rows]
    assert trees.depth == 2 and trees.width == 3


def test_the_file_form_reads_back_the_same_trees() -> None:
    trees = TreeEnsemble.from_lightgbm(DUMP)
    again = TreeEnsemble.from_json(trees.to_json())
    rows = np.random.default_rng(0).normal(size=(50, 3))
    assert np.array_equal(trees.predict(rows), again.predict(rows))


def test_a_broken_ensemble_is_refused_when_read() -> None:
    raw = TreeEnsemble.from_lightgbm(DUMP).to_json()
    with pytest.raises(ValueError):
        TreeEnsemble.from_json({**raw, "left": [99] * len(raw["left"])})
    with pytest.raises(ValueError):
        TreeEnsemble.from_json({**raw, "width": 1})  # splits on a feature past the row
    with pytest.raises(ValueError):
        TreeEnsemble.from_lightgbm(
            {
                "max_feature_idx": 0,
                "tree_info": [
                    {"tree_structure": {**_split(0, 1.0, _leaf(0), _leaf(1)), "decision_type": "=="}}
                ],
            }
        )
    with pytest.raises(ValueError):
        TreeEnsemble.from_lightgbm(DUMP).predict(np.zeros((2, 4)))


def test_no_trees_score_nothing() -> None:
    assert empty(3).predict(np.ones((4, 3))).tolist() == [0.0] * 4


def test_the_shipped_trees_read_every_column_but_their_own() -> None:
    trees = shipped_trees()
    assert trees.width == len(FEATURES) - 1 and FEATURES[-1] == "trees"
    assert len(trees.roots) > 0
    assert np.isfinite(trees.predict(np.zeros((3, trees.width)))).all()
