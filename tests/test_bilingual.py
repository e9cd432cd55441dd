"""English questions reach Chinese articles through a whole bilingual dictionary."""

from __future__ import annotations

from bot.kb.bilingual import glosses, translations
from bot.kb.retrieval import Retriever

LINES = [
    "# CC-CEDICT",
    "中文 中文 [Zhong1 wen2] /Chinese language/",
    "理解 理解 [li3 jie3] /to comprehend/to understand/comprehension/understanding/",
    "工具 工具 [gong1 ju4] /tool/instrument/utensil/means (to achieve a goal etc)/",
    "A A [A] /(slang) (Tw) to steal/",  # one Latin letter: no Chinese headword
    "薪資 薪资 [xin1 zi1] /salary/",  # the simplified headword is kept
]


def test_glosses_map_english_words_to_headwords() -> None:
    table = glosses(LINES)
    assert table["understand"] == table["understanding"] == "理解"
    assert table["tool"] == "工具" and table["salary"] == "薪资"
    assert table["chinese language"] == table["chinese"] == "中文", "a word reaches the phrases it begins"
    assert table["means"] == "工具", "a parenthesised note is not part of the gloss"
    assert "steal" not in table, "an entry without a Chinese headword"


def test_the_shipped_dictionary_translates_plurals_too() -> None:
    assert "工具" in translations("tools") and "理解" in translations("understanding")
    assert translations("qwzx") == ()


def test_an_english_word_speaks_through_the_words_the_articles_use(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("Which chatbot has stronger Chinese understanding?")
    by_dictionary = {t.token for t in result.terms if t.origin == "dictionary"}
    assert {"中文", "理解"} <= by_dictionary
    assert all(seed_retriever.snapshot.index.df(t) for t in by_dictionary), "only words the index has"
    assert result.answered and "中文" in result.passages[0].passage.text
