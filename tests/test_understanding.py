"""Questions as people ask them: traditional characters, colloquial words, typos, requests."""

import pytest

from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import normalize_text
from tests.conftest import tiny_retriever


def test_traditional_characters_are_searched_as_simplified(tokenizer: Tokenizer) -> None:
    assert normalize_text("AIGC可以應用在哪些行業？") == "aigc可以应用在哪些行业?"
    assert tokenizer.tokens("應用行業") == tokenizer.tokens("应用行业")
    assert normalize_text("程序和文件") == "程序和文件", "simplified text must stay as it is"


def test_answers_keep_the_original_characters(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC可以應用在哪些行業？")
    assert result.answered
    assert any("行业" in p.passage.text for p in result.passages)


def test_colloquial_words_reach_the_articles_vocabulary(tokenizer: Tokenizer) -> None:
    terms = {t.token: t for t in tokenizer.query_terms("AI画画用什么软件")}
    assert terms["绘画"].origin == "synonym" and terms["工具"].origin == "synonym"
    assert terms["绘画"].weight < terms["画画"].weight == 1.0


def test_an_exact_match_outranks_a_synonym_match(tokenizer: Tokenizer) -> None:
    retriever = tiny_retriever(tokenizer, "绘画工具可以生成海报。", "作画的新方法层出不穷。", "无关的内容。")
    top = retriever.search("作画", k=2).passages
    assert top[0].passage.text.startswith("作画")
    assert top[1].passage.text.startswith("绘画")


def test_typos_in_latin_names_match_close_index_words(seed_retriever: Retriever) -> None:
    fuzzy = [t for t in seed_retriever.query_terms("midjourny和chatgtp") if t.origin == "fuzzy"]
    assert {(t.group, t.token) for t in fuzzy} == {("midjourny", "midjourney"), ("chatgtp", "chatgpt")}


def test_fuzzy_matching_never_touches_known_words(seed_retriever: Retriever) -> None:
    assert not [t for t in seed_retriever.query_terms("Midjourney ChatGPT OpenAI") if t.origin == "fuzzy"]


def test_mixed_language_question_works_like_the_chinese_one(seed_retriever: Retriever) -> None:
    mixed = seed_retriever.search("AIGC 的 salary 大概多少").passages
    chinese = seed_retriever.search("AIGC 的薪资大概多少").passages
    assert mixed and chinese
    assert mixed[0].passage.article_id in {p.passage.article_id for p in chinese}
    assert "年薪" in mixed[0].passage.text


@pytest.mark.parametrize(
    "question",
    [
        "帮我画一只猫",
        "怎么用Excel做数据透视表",
        "推荐几部好看的电影",
        "帮我写一首关于春天的诗",
        "Python怎么读取Excel文件",
    ],
)
def test_requests_outside_the_knowledge_base_are_refused(seed_retriever: Retriever, question: str) -> None:
    result = seed_retriever.search(question)
    assert not result.answered, result.reason


@pytest.mark.parametrize(
    "question", ["AIGC salary", "AI作画有哪些好用的app？", "chatgtp 是什么", "做AIGC工作待遇好不好"]
)
def test_terse_or_colloquial_on_topic_questions_still_answer(
    seed_retriever: Retriever, question: str
) -> None:
    assert seed_retriever.search(question).answered


def test_did_you_mean_suggests_close_headings(seed_retriever: Retriever) -> None:
    suggestions = seed_retriever.suggestions("学习路线图在哪里领")
    assert 1 <= len(suggestions) <= 3
    assert len(set(suggestions)) == len(suggestions)


def test_explain_adds_up_to_the_score(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("Stable Diffusion和Midjourney相比有什么不同？")
    top = result.passages[0]
    parts, bonus = seed_retriever.explain(result, top)
    assert parts and bonus >= 0
    assert sum(p.score for p in parts) + bonus == pytest.approx(top.score)
