"""What kind of answer a question wants: cue words, under two rules of grammar."""

from __future__ import annotations

import pytest

from bot.kb.answer import compose_answer
from bot.kb.intent import IntentDetector, asks_yes_or_no
from bot.kb.retrieval import Retriever


@pytest.fixture
def detector(seed_retriever: Retriever) -> IntentDetector:
    return IntentDetector(seed_retriever.tokenizer.vocab.intents)


@pytest.mark.parametrize(
    "question",
    ["What tools can generate images from text?", "哪些工具不需要付费", "Why can't AIGC replace artists?"],
)
def test_a_question_asking_for_a_value_is_not_yes_or_no(detector: IntentDetector, question: str) -> None:
    # The shipped cues hold "can" and "不"; a wh-word asks for a value all the same.
    assert detector.detect(question).intent != "yesno"


@pytest.mark.parametrize("question", ["Can AIGC write code?", "AIGC会取代程序员吗", "AIGC人才缺不缺"])
def test_yes_no_questions_keep_their_intent(detector: IntentDetector, question: str) -> None:
    assert detector.detect(question).intent == "yesno"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What tools can generate images from text?", "list"),
        ("What kinds of jobs use AIGC?", "list"),
        ("What is AIGC?", "definition"),
        ("What does AIGC mean?", "definition"),
    ],
)
def test_a_plural_noun_after_what_asks_for_a_list(
    detector: IntentDetector, question: str, intent: str
) -> None:
    assert detector.detect(question).intent == intent


def test_an_english_tools_question_is_answered_with_the_tools(seed_retriever: Retriever) -> None:
    question = "What tools can generate images from text?"
    answer = compose_answer(seed_retriever.search(question), seed_retriever.snapshot)
    shown = " ".join(answer.sentences)
    assert "Midjourney" in shown and "Stable Diffusion" in shown


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Bing AI用的是GPT-3吗", True),
        ("AIGC人才现在缺不缺？", True),
        ("AIGC是否会取代设计师", True),
        ("Is ChatGPT made by OpenAI?", True),
        ("什么是AIGC", False),
        ("AIGC有哪些工具吗", False),
        ("What is AIGC?", False),
    ],
)
def test_yes_no_questions_are_recognised(question: str, yes_no: bool) -> None:
    assert asks_yes_or_no(question) is yes_no
