from bot.kb.answer import compose_answer
from bot.kb.retrieval import Retriever


def test_answer_leads_with_matching_sentences_then_sources(seed_retriever: Retriever) -> None:
    answer = compose_answer(seed_retriever.search("文心一言是什么？"), seed_retriever)
    assert answer.answered
    assert 1 <= len(answer.sentences) <= 3
    assert "文心一言" in answer.sentences[0]
    assert answer.sources and all(s.url and s.url.startswith("https://") for s in answer.sources)
    assert len({s.title for s in answer.sources}) == len(answer.sources)
    assert "文心一言" in answer.highlight


def test_no_answer_has_no_sentences_and_no_sources(seed_retriever: Retriever) -> None:
    answer = compose_answer(seed_retriever.search("今天天气怎么样？"), seed_retriever)
    assert not answer.answered and answer.sentences == () and answer.sources == ()


def test_sentences_come_from_the_returned_passages(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC人才的平均年薪是多少？")
    answer = compose_answer(result, seed_retriever)
    texts = " ".join(p.passage.text for p in result.passages)
    assert all(sentence in texts for sentence in answer.sentences)
    assert any("年薪" in s for s in answer.sentences)


def test_list_question_leads_with_the_section_items(seed_retriever: Retriever) -> None:
    answer = compose_answer(seed_retriever.search("AIGC有哪些常见的应用工具？"), seed_retriever)
    lead = answer.sentences[0]
    for tool in ["ChatGPT", "Midjourney", "Stable Diffusion", "文心一言"]:
        assert tool in lead
    assert not any(s in {"常见的AIGC应用", "什么是AIGC？"} for s in answer.sentences), (
        "headings are not sentences"
    )
