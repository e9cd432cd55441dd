"""Follow-up questions: ordinals, pronouns and ellipsis, and questions left alone."""

from __future__ import annotations

import pytest

from bot.evaluation import EvalReport, load_cases, score_answer
from bot.kb.asking import converse
from bot.kb.followup import Turn, is_follow_up, ordinal, resolve
from bot.kb.tokenizer import QueryTerm
from bot.service import KnowledgeService
from tests.conftest import DATA

PREVIOUS = Turn(
    "AIGC人才薪资怎么样？",
    (QueryTerm("薪资", 1.0, "薪资", "question"), QueryTerm("chatgpt", 1.0, "chatgpt", "answer")),
    "figure",
    ("技能匹配", "兴趣契合", "职业规划相符"),
    3,
)


@pytest.mark.parametrize(
    ("question", "position"),
    [
        ("第三条是什么？", 3),
        ("第2个具体说说", 2),
        ("最后那个呢", -1),
        ("what about the second one?", 2),
        ("薪资", None),
    ],
)
def test_ordinals(question: str, position: int | None) -> None:
    assert ordinal(question) == position


@pytest.mark.parametrize(
    ("question", "follows"),
    [
        ("那算法工程师呢？", True),
        ("它是谁开发的？", True),
        ("And what about video?", True),
        ("什么是AIGC？", False),
    ],
)
def test_follow_up_cues(question: str, follows: bool) -> None:
    assert is_follow_up(question) is follows


def test_an_ordinal_picks_the_item_of_the_last_list() -> None:
    resolution = resolve("第二个具体说说", PREVIOUS, answered_alone=False, english=False)
    assert resolution.kind == "ordinal" and resolution.question == "兴趣契合"
    assert "兴趣契合" in resolution.understood


def test_a_pronoun_carries_the_topic_and_what_the_answer_was_about() -> None:
    resolution = resolve("那算法工程师呢？", PREVIOUS, answered_alone=True, english=False)
    carried = {t.token: t for t in resolution.context}
    assert resolution.kind == "carried" and set(carried) == {"薪资", "chatgpt"}
    assert all(t.origin == "context" and t.weight < 1 for t in carried.values())
    assert resolution.intent == "figure" and "理解为" in resolution.understood


def test_a_self_contained_question_is_never_bent() -> None:
    resolution = resolve("什么是AIGC？", PREVIOUS, answered_alone=True, english=False)
    assert resolution.kind == "standalone" and not resolution.context and not resolution.understood


def test_a_question_with_a_topic_of_its_own_is_not_bent_even_when_refused_alone() -> None:
    # Refused on its own, but it names its own topic and nothing points back: it is a new
    # question, answered (or refused) as such, never read as a follow-up.
    resolution = resolve("是什么让机器能像人一样写文章？", PREVIOUS, False, False, own_topic=True)
    assert resolution.kind == "standalone" and not resolution.understood
    # Without a topic of its own, a question that cannot stand alone still follows up.
    elliptic = resolve("具体是多少？", PREVIOUS, False, False, own_topic=False)
    assert elliptic.kind == "carried"


def test_turns_survive_storage() -> None:
    assert Turn.from_json(PREVIOUS.to_json()) == PREVIOUS


def test_dev_followups(seed_service: KnowledgeService) -> None:
    """Follow-ups are read with their context (a floor, not a per-question target), and a
    self-contained question is never bent by it."""
    vocab = seed_service.retriever.tokenizer.vocab
    dependent, independent = EvalReport(), EvalReport()
    for case in load_cases(DATA / "dev_followups.jsonl"):
        reply = converse(seed_service.retriever, case.turns)[-1]
        report = independent if case.independent else dependent
        score_answer(case, reply.answer, vocab, False, report, reply.understood)
        report.answerable += 1
        if case.independent:
            assert not reply.understood, f"{case.id} was bent by the context"
    assert dependent.answerable == 9 and dependent.lead_hits >= 7, dependent.misses
    assert independent.answerable == 3 and independent.lead_hits >= 2, independent.misses
