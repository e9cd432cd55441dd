"""The sentence model: general features, learned weights, and the answer built on them."""

from __future__ import annotations

import numpy as np
import pytest

from bot.kb.answer import compose_answer
from bot.kb.answer_type import asked_type, carries
from bot.kb.learning import fit_listwise, fold_of
from bot.kb.ranker import FEATURES, SentenceModel, candidates, featurize, rank, shipped_model, shipped_prior
from bot.kb.retrieval import Retriever


def test_the_shipped_model_has_a_weight_per_feature_and_loads_its_prior() -> None:
    model = shipped_model()
    prior, l2 = shipped_prior()
    assert len(model.weights) == len(prior.weights) == len(FEATURES)
    assert l2 > 0 and 0 < model.follow_share <= 1


def test_a_model_file_with_an_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError):
        SentenceModel((1.0,), 0.0)
    with pytest.raises(ValueError):
        SentenceModel.from_json({"weights": [1, 2], "bias": 0})


def test_probabilities_are_a_share_over_one_questions_candidates() -> None:
    model = SentenceModel(tuple(1.0 if name == "cover" else 0.0 for name in FEATURES), 0.0)
    rows = np.zeros((3, len(FEATURES)))
    rows[:, FEATURES.index("cover")] = [0.1, 0.9, 0.5]
    probs = model.probabilities(rows)
    assert probs.sum() == pytest.approx(1.0) and int(np.argmax(probs)) == 1


def test_the_listwise_fit_learns_which_candidate_wins() -> None:
    rng = np.random.default_rng(0)
    questions = []
    for _ in range(200):
        rows = rng.normal(size=(6, 2))
        labels = np.zeros(6)
        labels[int(np.argmax(rows[:, 0] - 0.5 * rows[:, 1]))] = 1
        questions.append((rows, labels))
    w = fit_listwise(questions, l2=1e-3)
    assert w[0] > 0 > w[1]
    # A strong pull toward a prior keeps the weights near it.
    held = fit_listwise(questions, l2=1e3, prior=np.array([-1.0, 1.0]))
    assert held == pytest.approx([-1.0, 1.0], abs=0.05)


def test_folds_are_stable_and_keep_a_group_together() -> None:
    assert fold_of("cmrc:高英", 5) == fold_of("cmrc:高英", 5)
    assert len({fold_of(f"q{i}", 5) for i in range(100)}) == 5


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("松平康忠什么时候被任命为知行？", "date"),
        ("纽西兰鸡毛松有多高？", "number"),
        ("高英是哪位皇帝的皇后？", "person"),
        ("潘仕成的祖籍在哪里？", "place"),
        ("锦地罗又名什么？", "name"),
        ("AIGC是什么？", "none"),
    ],
)
def test_the_asked_kind_of_value_is_read_from_question_words(question: str, kind: str) -> None:
    assert asked_type(question) == kind


def test_a_value_the_question_already_says_counts_less() -> None:
    assert carries("date", "他于1906年发表了此书", "他在哪一年发表") == 1.0
    assert carries("date", "1906年", "1906年发表了什么") == 0.5
    assert carries("date", "他发表了此书", "哪一年") == 0.0


def test_every_candidate_gets_a_full_row_of_finite_features(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC人才的平均年薪是多少？")
    cands = candidates(result, seed_retriever.snapshot)
    rows = featurize(result, seed_retriever.snapshot, cands)
    assert rows.shape == (len(cands), len(FEATURES)) and np.isfinite(rows).all()


def test_the_figure_sentence_leads_a_figure_question(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC人才的平均年薪是多少？")
    best = rank(result, seed_retriever.snapshot)[0][0]
    assert "万" in best.text and "年薪" in best.text


def test_a_sentence_leaning_on_the_one_before_brings_it_along(seed_retriever: Retriever) -> None:
    """Whatever leads, it never opens with "它/这/例如…" when its paragraph has the
    sentence it leans on."""
    for question in ["AIGC在艺术设计上有什么用？", "AIGC为什么会火？", "ChatGPT是什么"]:
        result = seed_retriever.search(question)
        answer = compose_answer(result, seed_retriever.snapshot)
        first = answer.lead[0].text
        ranked = rank(result, seed_retriever.snapshot)
        best = ranked[0][0]
        if best.position > 0 and first.startswith(("它", "这", "例如", "所以", "同时")):
            pytest.fail(f"{question}: lead opens leaning on nothing: {first}")


def test_no_lead_opens_with_a_connective_that_leans_on_nothing(seed_retriever: Retriever) -> None:
    import json

    from bot.kb.sentences import without_connective
    from tests.conftest import DATA

    assert without_connective("例如，AIGC可以通过风格迁移技术创作。") == "AIGC可以通过风格迁移技术创作。"
    assert without_connective("所以呢。") == "所以呢。"  # nothing left to stand alone
    questions = [
        json.loads(line)["q"]
        for name in ("dev.jsonl", "dev_answers.jsonl", "dev_judged.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for question in questions:
        answer = compose_answer(seed_retriever.search(question), seed_retriever.snapshot)
        if answer.lead:
            first = answer.lead[0].text
            assert without_connective(first) == first, f"{question}: {first}"
