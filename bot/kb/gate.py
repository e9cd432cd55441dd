"""Whether to answer a question outside the knowledge base's domain: a learned model.

A question that names no article title and no unknown name is answered when its best
passage probably holds the answer. The evidence is general, nothing about any domain:
how much of the question's content the best passage covers (idf-weighted), how many of
its content words the knowledge base never uses, how strongly and how clearly the best
passage wins (BM25 against the question's own idf, and against the best other article),
whether the best title shares a pair of characters with the question, whether the
passage holds a name the question uses, and the longest stretch of the question found
verbatim in the two best passages. A logistic model over these (`gate.json`) gives the
probability that the answer is right; under the threshold the question is refused.

It is fitted by `bench/train_gate.py` on two public reading-comprehension sets: their
questions (answer: the bot's lead holds the gold span) and questions about articles left
out of the folder (refuse), cross-validated with folds grouped by article; the threshold
is chosen on the cross-validated probabilities. Questions in the domain keep the
coverage rule of `RetrievalConfig` (development questions are too few to fit on).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

MODEL_FILE = "gate.json"
# The features, in the order of the weights. Counts are capped and scaled to [0, 1].
FEATURES: tuple[str, ...] = (
    "cover",  # idf-weighted share of the content the best passage covers
    "unknown",  # share of content words the knowledge base never uses
    "title_pair",  # the best title shares a pair of characters with the question
    "holds_name",  # the best passage holds a name of the question
    "content",  # content words, capped at CONTENT_CAP
    "verbatim",  # longest stretch of the question in the best passage, capped
    "verbatim_next",  # the same in the second best passage
    "unmatched",  # share of the question's wording the best passage lacks (bigram stretches)
    "unmatched_run",  # the longest run of it, capped at UNMATCHED_CAP
)
CONTENT_CAP = 8
VERBATIM_CAP = 12
UNMATCHED_CAP = 6


@dataclass(frozen=True)
class GateModel:
    """Weights over FEATURES, and the probability under which a question is refused."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} weights, got {len(self.weights)}")

    def probability(self, row: Sequence[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, row, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_json(self, extra: Mapping[str, Any] | None = None) -> str:
        data: dict[str, Any] = {
            "features": list(FEATURES),
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "threshold": self.threshold,
            **(extra or {}),
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> GateModel:
        raw = json.loads(text)
        if raw.get("features") != list(FEATURES):
            raise ValueError(f"{MODEL_FILE} was fitted on other features; run bench/train_gate.py --write")
        weights = raw["weights"]
        return cls(
            tuple(float(weights.get(f, 0.0)) for f in FEATURES), float(raw["bias"]), float(raw["threshold"])
        )


@functools.cache
def shipped_gate() -> GateModel:
    """The model shipped with the package (`bot/kb/gate.json`)."""
    return GateModel.from_json((resources.files("bot.kb") / MODEL_FILE).read_text(encoding="utf-8"))
