"""The suggestion index returns what scoring every heading would."""

from bot.kb.retrieval import Retriever
from bot.kb.similarity import dice
from bot.kb.suggestions import SuggestionIndex


def brute_force(index: SuggestionIndex, grams: set[str], limit: int) -> list[str]:
    scored = [(dice(grams, index.grams_of(name)), i) for i, name in enumerate(index.names)]
    ranked = sorted((item for item in scored if item[0] > 0), key=lambda x: (-x[0], x[1]))
    return [index.names[i] for _, i in ranked[:limit]]


def test_index_equals_brute_force_on_the_seed_headings(seed_retriever: Retriever) -> None:
    index = seed_retriever.suggestion_index()
    assert len(index.names) > 30
    for question in [
        "学习路线图在哪里领",
        "薪资待遇",
        "AI绘画工具",
        "量子计算",
        "Stable Diffusion 插件",
        "天气",
    ]:
        grams = index.grams_of(question)
        assert index.closest(grams, 3) == brute_force(index, grams, 3), question


def test_no_shared_bigram_no_suggestion() -> None:
    index = SuggestionIndex.build(["甲乙丙", "丁戊己", "甲乙丙"], ())
    assert index.names == ("甲乙丙", "丁戊己")
    assert index.closest({"庚辛"}, 3) == [] and index.closest({"甲乙"}, 3) == ["甲乙丙"]


def test_pervasive_words_are_left_out_of_names() -> None:
    index = SuggestionIndex.build(["AIGC工具", "AIGC薪资"], ("aigc",))
    assert index.grams_of("AIGC的工具") == {"的工", "工具"}
    assert index.closest(index.grams_of("工具"), 3) == ["AIGC工具"]
