"""Chat shorthand is read as the words it stands for, unless the articles use it."""

from __future__ import annotations

from bot.kb.retrieval import Retriever
from bot.kb.shorthand import expand_shorthand, shorthand


def nothing_known(word: str) -> bool:
    return False


def test_pinyin_initials_and_count_units_are_written_out() -> None:
    assert expand_shorthand("aigc zm变现", nothing_known) == "aigc 怎么变现"
    assert expand_shorthand("wsm要学aigc", nothing_known) == "为什么要学aigc"
    assert expand_shorthand("nlp专家年薪多少w", nothing_known) == "nlp专家年薪多少万"
    assert expand_shorthand("月薪3.5k和50w", nothing_known) == "月薪3.5千和50万"


def test_letters_inside_words_and_words_the_articles_use_are_left_alone() -> None:
    assert expand_shorthand("zoom和smart", nothing_known) == "zoom和smart"
    assert expand_shorthand("nb-iot是什么", lambda w: w == "nb") == "nb-iot是什么"
    assert expand_shorthand("world", nothing_known) == "world"


def test_the_shipped_list_is_lower_case_chinese() -> None:
    table = shorthand()
    assert table and all(k.isascii() and k == k.lower() and not v.isascii() for k, v in table.items())


def test_a_question_in_shorthand_is_not_refused_for_its_letters(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("aigc人才年薪多少w")
    assert result.answered and result.analysis.question.endswith("多少万")
    assert "zm" not in (seed_retriever.search("aigc zm变现").missing or "")
