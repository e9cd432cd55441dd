import dataclasses
from collections import Counter

import pytest

from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from tests.conftest import tiny_retriever


@pytest.mark.parametrize(
    "question",
    [
        "明天会下雨吗？",
        "今天天气怎么样？",
        "How do I bake sourdough bread?",
        "asdkjh qwoeiu zxmcnb",
        "？？？",
        "",
    ],
)
def test_off_topic_questions_are_not_answered(seed_retriever: Retriever, question: str) -> None:
    result = seed_retriever.search(question)
    assert not result.answered
    assert result.passages == ()


@pytest.mark.parametrize("question", ["AIGC salary", "AIGC工具", "文心一言", "what is AIGC", "Midjourney"])
def test_short_on_topic_questions_are_answered(seed_retriever: Retriever, question: str) -> None:
    result = seed_retriever.search(question)
    assert result.answered and result.passages


def test_salary_question_in_english_reaches_chinese_text(seed_retriever: Retriever) -> None:
    top = seed_retriever.search("AIGC salary").passages
    assert any("年薪" in p.passage.text for p in top)


def test_at_most_two_passages_per_article_in_the_top_three(seed_retriever: Retriever) -> None:
    for question in ["AIGC是什么", "AIGC的学习", "AIGC行业前景", "GPT实操练习", "AI绘画"]:
        top = seed_retriever.search(question, k=3).passages
        counts = Counter(p.passage.article_path for p in top)
        assert max(counts.values()) <= 2, question


def test_more_pages_continue_without_repeats(seed_retriever: Retriever) -> None:
    first = seed_retriever.search("AIGC应用", k=3)
    second = seed_retriever.search("AIGC应用", k=3, offset=3)
    ids = [p.passage.id for p in first.passages + second.passages]
    assert len(ids) == len(set(ids)) == 6


def test_scores_are_best_first_and_matched_terms_reported(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("Stable Diffusion和Midjourney相比有什么不同？")
    assert result.passages[0].score >= result.passages[-1].score
    assert "midjourney" in result.passages[0].matched


def test_heading_that_mirrors_the_question_wins(seed_retriever: Retriever) -> None:
    top = seed_retriever.search("AIGC能做什么？").passages[0].passage
    assert "能做什么" in top.heading


def test_coverage_weighs_unknown_words(seed_retriever: Retriever) -> None:
    passage = seed_retriever.snapshot.passages[0]
    terms = seed_retriever.tokenizer.query_terms("天气预报")
    covered = seed_retriever.coverage(terms, passage)
    assert covered.has_content and not covered.in_domain and covered.share == 0.0


@pytest.mark.parametrize("question", ["绘画的原理是什么", "电影和音乐的创作", "写作的方法"])
def test_coverage_reads_the_stored_lines_as_the_text_would_cut(
    seed_retriever: Retriever, question: str
) -> None:
    # Stored passages carry their tokens line by line; coverage reads those instead of
    # cutting the text again per question, and must judge exactly as the text would.
    terms = seed_retriever.tokenizer.query_terms(question)
    for passage in seed_retriever.snapshot.passages:
        assert len(passage.token_lines) == 2 + len(passage.text.split("\n"))
        recut = dataclasses.replace(passage, id=-passage.id - 1, token_lines=())
        covered = seed_retriever.coverage(terms, passage)
        assert not covered.in_domain  # judged line by line
        assert covered == seed_retriever.coverage(terms, recut)


def test_a_lone_character_in_most_passages_does_not_name_the_domain(tokenizer: Tokenizer) -> None:
    # An encyclopedia has "年" (dates) in most passages; a word such as "AIGC" in most
    # passages names what the articles are about. Only the word exempts a question from
    # the learned gate (for the domain's looser coverage rule).
    dates = tiny_retriever(
        tokenizer, "1950年，甲城建了一座桥。", "1960年，乙城建了一座塔。", "1970年，丙城修了一条路。"
    )
    assert dates.judge.is_ubiquitous("年") and not dates.is_domain_term("年")
    covered = dates.coverage(tokenizer.query_terms("丁城哪年建了机场"), dates.snapshot.passages[0])
    assert not covered.in_domain
    topic = tiny_retriever(tokenizer, "AIGC可以写文章。", "AIGC可以画图。", "AIGC可以作曲。")
    assert topic.is_domain_term("aigc")
    assert topic.coverage(tokenizer.query_terms("AIGC能做视频吗"), topic.snapshot.passages[0]).in_domain
