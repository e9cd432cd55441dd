"""The suggestion index returns what scoring every heading would."""

from bot.kb.retrieval import Retriever
from bot.kb.similarity import dice
from bot.kb.suggestions import SuggestionIndex


def brute_force(index: SuggestionIndex, grams: set[str], limit: int) -> list[str]:
    scored = [(dice(grams, g), i) for i, g in enumerate(index.grams)]
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
        grams = seed_retriever._plain_grams(question)
        assert index.closest(grams, 3) == brute_force(index, grams, 3), question


def test_no_shared_bigram_no_suggestion() -> None:
    index = SuggestionIndex(
        ["甲乙丙", "丁戊己"], lambda name: {name[i : i + 2] for i in range(len(name) - 1)}
    )
    assert index.closest({"庚辛"}, 3) == [] and index.closest({"甲乙"}, 3) == ["甲乙丙"]
