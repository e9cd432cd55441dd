"""The learned answer-or-refuse gate for questions outside the domain (kb/gate.py)."""

from __future__ import annotations

import dataclasses
import json
import random
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from bot.kb.gate import FEATURES, GateModel, shipped_gate
from bot.kb.retrieval import Retriever
from bot.kb.similarity import longest_shared
from bot.service import KnowledgeService
from tests.test_transfer import SLICE, open_service


def row(**values: float) -> tuple[float, ...]:
    return tuple(values.get(name, 0.0) for name in FEATURES)


def test_the_shipped_gate_has_a_weight_per_feature_and_a_threshold() -> None:
    gate = shipped_gate()
    assert len(gate.weights) == len(FEATURES) and 0 < gate.threshold < 1
    assert GateModel.from_json(gate.to_json()) == gate
    with pytest.raises(ValueError):
        GateModel((1.0,), 0.0, 0.5)
    with pytest.raises(ValueError, match="other features"):
        GateModel.from_json(
            json.dumps({"features": ["cover"], "weights": {"cover": 1}, "bias": 0, "threshold": 0.5})
        )


def test_more_evidence_makes_an_answer_more_likely() -> None:
    # What the fit must have learned, whatever the data: a passage covering more of the
    # question, holding more of it verbatim, with fewer words the articles never use.
    gate = shipped_gate()
    base = row(cover=0.5, verbatim=0.3, content=0.5)
    assert gate.probability(row(cover=0.9, verbatim=0.3, content=0.5)) > gate.probability(base)
    assert gate.probability(row(cover=0.5, verbatim=0.9, content=0.5)) > gate.probability(base)
    assert gate.probability(row(cover=0.5, verbatim=0.3, content=0.5, unknown=0.5)) < gate.probability(base)


def test_the_longest_stretch_in_common() -> None:
    assert longest_shared("松平康忠什么时候被任命为知行", "天正16年，松平康忠被任命为知行。") == 6
    assert longest_shared("", "text") == 0 and longest_shared("abc", "xyz") == 0
    # The same size as difflib's longest matching block, on texts with many repeats.
    rng = random.Random(7)
    for _ in range(300):
        a = "".join(rng.choice("甲乙丙丁") for _ in range(rng.randrange(0, 12)))
        b = "".join(rng.choice("甲乙丙丁戊") for _ in range(rng.randrange(0, 40)))
        block = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
        assert longest_shared(a, b) == block.size, (a, b)


@pytest.fixture(scope="module")
def encyclopedia(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    data = json.loads(Path(SLICE).read_text(encoding="utf-8"))["data"]
    return open_service(tmp_path_factory.mktemp("gate"), data[:12])


def test_the_gate_decides_questions_outside_the_domain(encyclopedia: KnowledgeService) -> None:
    data = json.loads(Path(SLICE).read_text(encoding="utf-8"))["data"][:12]
    questions = [qa["question"] for art in data for p in art["paragraphs"] for qa in p["qas"]]
    shipped = encyclopedia.retriever
    consulted = [q for q in questions if shipped.search(q).evidence]
    # Those naming a title are answered from it, the rest (most) are the gate's to decide.
    assert len(consulted) >= 10, "an encyclopedia is outside the (AIGC) domain"
    assert all(len(shipped.search(q).evidence) == len(FEATURES) for q in consulted)
    closed = Retriever(shipped.snapshot, shipped.tokenizer)
    closed.gate = dataclasses.replace(shipped_gate(), threshold=1.01)  # nothing is likely enough
    opened = Retriever(shipped.snapshot, shipped.tokenizer)
    opened.gate = dataclasses.replace(shipped_gate(), threshold=0.0)
    for question in consulted:
        refused = closed.search(question)
        assert not refused.answered and "unlikely" in refused.reason
        assert opened.search(question).answered
