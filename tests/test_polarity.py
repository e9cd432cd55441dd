"""Yes/no questions get a yes, a no, or "not stated", from the evidence the answer shows."""

from __future__ import annotations

from bot.kb.answer import compose_answer
from bot.kb.answer_text import answer_body
from bot.kb.polarity import Polarity, opener, polarity
from bot.kb.retrieval import Retriever
from bot.kb.sentences import Matcher


def verdict(retriever: Retriever, question: str, *evidence: str) -> Polarity | None:
    return polarity(question, evidence, Matcher(retriever.analyse(question)))


def test_a_slot_filled_with_another_value_means_no(seed_retriever: Retriever) -> None:
    said = verdict(seed_retriever, "Bing AI用的是GPT-3吗", "Bing AI就是搭载了GPT-4的Bing浏览器。")
    assert said == Polarity("no", "是")
    assert verdict(
        seed_retriever, "Bing AI用的是GPT-4吗", "Bing AI就是搭载了GPT-4的Bing浏览器。"
    ) == Polarity("yes", "是")


def test_a_negation_of_what_is_asked_means_no_and_words_that_only_look_negative_do_not(
    seed_retriever: Retriever,
) -> None:
    question = "AIGC能取代设计师吗？"
    assert verdict(seed_retriever, question, "目前AIGC还不能完全取代设计师。") == Polarity("no", "能")
    assert verdict(seed_retriever, question, "未来AIGC将不断取代设计师的部分工作。") == Polarity("yes", "能")


def test_evidence_that_does_not_hold_what_is_asked_is_not_stated(seed_retriever: Retriever) -> None:
    unrelated = verdict(seed_retriever, "AIGC人才现在缺不缺？", "AIGC人才的薪资与其学历成正比。")
    assert unrelated is not None and unrelated.verdict == "unclear"
    # Its own verb must be said: "缺" is not a frame like "能".
    assert verdict(seed_retriever, "AIGC人才现在缺不缺？", "AIGC人才目前非常紧缺。") == Polarity("yes", "缺")


def test_negative_and_wh_questions_get_no_verdict(seed_retriever: Retriever) -> None:
    assert verdict(seed_retriever, "AIGC不会取代设计师吗？", "AIGC不会取代设计师。") is None
    assert verdict(seed_retriever, "什么是AIGC？", "AIGC是人工智能生成内容。") is None


def test_the_reply_opens_with_the_verdict_in_the_askers_language() -> None:
    assert opener(Polarity("no", "是"), "zh") == "不是。"
    assert opener(Polarity("yes", "能"), "zh") == "能。"
    assert opener(Polarity("no", "有"), "zh") == "没有。"
    assert opener(Polarity("yes", "是"), "en") == "Yes."
    assert opener(Polarity("unclear", "是"), "zh") == ""


def test_an_answer_to_a_yes_no_question_reads_with_its_verdict(seed_retriever: Retriever) -> None:
    answer = compose_answer(seed_retriever.search("Bing AI用的是GPT-3吗"), seed_retriever.snapshot)
    text = answer_body(answer, "zh")
    assert text.startswith("不是。") and "GPT-4" in text
    unclear = compose_answer(seed_retriever.search("AIGC人才现在缺不缺？"), seed_retriever.snapshot)
    assert answer_body(unclear, "zh").startswith("文章没有明确说明")


def test_yes_needs_one_sentence_that_says_it_all(seed_retriever: Retriever) -> None:
    question = "Midjourney支持中文吗"
    spread = verdict(
        seed_retriever,
        question,
        "Midjourney是一款图片类AIGC应用程序。",
        "Stable Diffusion支持根据关键词和图片检索。",
        "文心一言具备更强的中文理解能力。",
    )
    assert spread == Polarity("unclear", "是")
    assert verdict(seed_retriever, question, "Midjourney支持中文提示词。") == Polarity("yes", "是")
