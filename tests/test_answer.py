"""The answer a user reads: lead, whole lists, subjects, see-also lines, citations."""

import json

from bot.formatting import render_answer
from bot.kb.answer import compose_answer, unstated
from bot.kb.answer_text import answer_body
from bot.kb.outline import Outline
from bot.kb.ranker import rank
from bot.kb.results import Answer, Cited
from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from tests.conftest import DATA, tiny_retriever


def ask(retriever: Retriever, question: str) -> Answer:
    return compose_answer(retriever.search(question), retriever.snapshot)


def test_definition_question_leads_with_the_defining_sentence(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "文心一言是什么？")
    assert answer.answered and answer.intent == "definition"
    assert answer.lead[0].text.startswith("文心一言是")
    assert answer.sources and all(s.url and s.url.startswith("https://") for s in answer.sources)
    assert "文心一言" in answer.highlight


def test_colloquial_definition_gets_the_definition_not_boilerplate(seed_retriever: Retriever) -> None:
    lead = " ".join(c.text for c in ask(seed_retriever, "用大白话说说aigc到底是个啥").lead)
    assert "是指" in lead or "全称" in lead or "泛指" in lead, lead


def test_no_answer_has_no_sentences_and_no_sources(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "今天天气怎么样？")
    assert not answer.answered and answer.sentences == () and answer.sources == ()


def test_lead_opens_with_the_best_sentence_and_stays_in_its_article(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC人才的平均年薪是多少？")
    answer = compose_answer(result, seed_retriever.snapshot)
    best = rank(result, seed_retriever.snapshot)[0][0]
    assert answer.lead[0].text.endswith(best.text)
    article = " ".join(
        line.text
        for a in seed_retriever.snapshot.articles
        if a.path == best.article
        for line in Outline.of(seed_retriever.snapshot, a.path).lines
    )
    assert all(c.text in article for c in answer.lead[1:])
    assert {c.source for c in answer.lead} == {1}
    assert "年薪" in answer.lead[0].text


def test_list_question_gets_the_whole_list_across_passages(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "AIGC有哪些常见的应用工具？")
    listed = " ".join(c.text for c in answer.items)
    for tool in ["ChatGPT", "Midjourney", "Stable Diffusion", "Bing", "文心一言", "文心一格"]:
        assert tool in listed, tool
    assert not any(c.text in {"常见的AIGC应用", "什么是AIGC？"} for c in answer.items), (
        "headings are not items"
    )


def test_list_of_bullets_under_the_heading_the_question_names(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "有哪些兴趣特点说明一个人适合进入AIGC行业？")
    assert [c.text.split("：")[0] for c in answer.items] == ["创新热情", "内容创造", "跨学科学习"]


def test_subject_is_restored_from_the_heading(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "Stable Diffusion和Midjourney相比有什么不同？")
    text = "".join(c.text for c in answer.lead)
    assert text.startswith("Stable Diffusion"), text
    assert "更可控" in text


def test_no_sentence_is_said_twice_across_articles(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "AIGC能和哪些人工智能技术结合？")
    parts = [c.text for c in (*answer.lead, *answer.items, *answer.see_also)]
    assert sum("紧密结合" in p for p in parts) <= 1, parts


def test_citations_number_the_sources_in_order(seed_retriever: Retriever) -> None:
    answer = ask(seed_retriever, "How can AIGC be used in finance?")
    assert "金融" in answer.lead[0].text
    cited = {c.source for c in (*answer.lead, *answer.items, *answer.see_also)}
    assert cited == set(range(1, len(answer.sources) + 1))
    assert len(answer.see_also) <= len(answer.sources) - 1


def test_course_syllabus_is_never_served_to_other_questions(seed_retriever: Retriever) -> None:
    for question in ["AIGC有哪些工具？", "which tools exist", "Stable Diffusion是什么？"]:
        result = seed_retriever.search(question)
        assert all(p.passage.kind == "content" for p in result.passages), question
        answer = compose_answer(result, seed_retriever.snapshot)
        assert not any("该阶段" in s or "阶段（" in s for s in answer.sentences), question


def test_course_material_answers_learning_questions(seed_retriever: Retriever) -> None:
    result = seed_retriever.search("AIGC的学习路线是怎样的？", k=5)
    assert result.answered
    assert any(p.passage.kind == "course" for p in result.passages)


def test_every_source_shows_its_articles_title_and_link(seed_retriever: Retriever) -> None:
    # A list read from an article's outline may cite an article no retrieved passage
    # belongs to: it must still be named by its title and link, never by its file name.
    articles = {a.path: (a.title, a.url) for a in seed_retriever.snapshot.articles}
    questions = [json.loads(line)["q"] for line in (DATA / "dev_lists.jsonl").read_text().splitlines()]
    questions += [json.loads(line)["q"] for line in (DATA / "dev.jsonl").read_text().splitlines()]
    cited = [s for q in questions for s in ask(seed_retriever, q).sources]
    assert cited
    assert all((s.title, s.url) in articles.values() for s in cited), "a source named by its file"


def test_a_figure_or_date_the_articles_do_not_give_is_said_to_be_missing() -> None:
    assert unstated("ChatGPT是哪一年发布的？", ["ChatGPT一经上线席卷全球。"]) == "date"
    assert unstated("ChatGPT是哪一年发布的？", ["ChatGPT于2022年11月发布。"]) == ""
    assert unstated("Midjourney会员一个月多少钱？", ["Midjourney是一款图片生成应用。"]) == "number"
    assert unstated("什么是AIGC？", ["AIGC是人工智能生成内容。"]) == ""
    answer = Answer(
        "ChatGPT是哪一年发布的？", True, lead=(Cited("ChatGPT一经上线席卷全球。", 1),), unstated="date"
    )
    assert answer_body(answer, "zh").startswith("文章里没有找到具体的时间")
    assert "没有找到具体的时间" in "".join(render_answer(answer, "zh"))


def test_a_comparison_is_answered_on_both_sides(seed_retriever: Retriever) -> None:
    from bot.kb.answer import comparison_sides
    from bot.kb.sentences import Matcher

    # Its usual lead speaks of ChatGPT only: one best sentence of each side instead.
    for first, second in (
        ("文心一言", "文心一格"),
        ("ChatGPT", "Stable Diffusion"),
        ("Stable Diffusion", "ChatGPT"),
    ):
        question = f"{first}和{second}有什么区别？"
        result = seed_retriever.search(question)
        sides = comparison_sides(question, Matcher(result.analysis))
        assert sides is not None
        assert first.lower().replace(" ", "_") in sides[0] and second.lower().replace(" ", "_") in sides[1]
        lead = "".join(c.text for c in compose_answer(result, seed_retriever.snapshot).lead)
        assert first in lead and second in lead, lead
    # One thing named, or a side made only of words every passage has, is no comparison of two.
    for question in ("文心一言有什么不同之处？", "AIGC和AI有什么区别"):
        assert comparison_sides(question, Matcher(seed_retriever.search(question).analysis)) is None


def test_a_figure_asked_of_something_the_articles_never_mention_is_unstated(tokenizer: Tokenizer) -> None:
    # "会员" is in no passage, in no form, and the only figure shown is said of another
    # thing: the price of a membership is not stated, whatever number is shown.
    texts = [
        "Midjourney是图片生成应用，用语言描述生成图片。ChatGPT上线一个月用户突破100万。",
        "文心一言是百度的大模型。",
        "文心一格是百度的绘画应用。",
    ]
    retriever = tiny_retriever(tokenizer, *texts)
    asked_of_the_unknown = ask(retriever, "Midjourney会员一个月多少钱？")
    assert asked_of_the_unknown.answered and asked_of_the_unknown.unstated == "number"
    # A figure said with the question's own words is about what was asked.
    said = ask(retriever, "ChatGPT会员上线一个月有多少？")
    assert said.answered and said.unstated == ""
