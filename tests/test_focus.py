"""Refusal by the question's focus: unknown names are said; named articles are answered."""

from __future__ import annotations

import re

import pytest

from bot.kb.answer import compose_answer
from bot.kb.answer_text import render_text
from bot.kb.focus import is_question_word, names_title, proper_latin, unknown_focus
from bot.kb.names import proper_names
from bot.kb.retrieval import Retriever


def ordinary(run: str) -> bool:
    """Ordinary words, as jieba's dictionary would cut them."""
    for word in ("外貌", "特征", "样子", "locally", "need"):
        run = run.replace(word, "")
    return run == ""


@pytest.mark.parametrize(
    ("question", "texts", "missing"),
    [
        ("赵鹏入选过国家队吗", ["李明入选国家队，效力于北京队。"], "赵鹏"),
        ("sora的训练成本是多少", ["训练成本很高"], "sora"),
        ("牡蒿的外貌特征是什么", ["牡蒿是一种草本植物"], None),  # paraphrase in ordinary words
        ("天正16年松平康忠的主要工作是什么", ["天正16年，松平康忠担任知行。主要工作"], None),
        ("第三个说说", ["第三个方向"], None),  # a verb said twice is no name
        ("谁对5000hz以下的声音做了分析", ["他对5000hz以下的声音做了分析"], None),  # a unit, known
        ("谁对5000qz以下的声音做了分析", ["他对5000hz以下的声音做了分析"], "qz"),
    ],
)
def test_unknown_focus(question: str, texts: list[str], missing: str | None) -> None:
    assert unknown_focus(question, texts, ordinary, function_chars="的是了") == missing


def dictionary_word(run: str) -> bool:
    return run in {"郑成功", "成功", "韩国公司", "韩国", "公司", "领域", "贡献"}


@pytest.mark.parametrize(
    ("question", "texts", "missing"),
    [
        # A name of the dictionary is held whole or not at all: 成功 is not 郑成功.
        ("郑成功在这个领域有什么贡献", ["取得成功的关键在这个领域"], "郑成功"),
        ("郑成功在这个领域有什么贡献", ["郑成功在这个领域有贡献"], None),
        # A compound of words the texts have is not an unknown name.
        ("哪家韩国公司做得最好", ["韩国的造船公司做得最好"], None),
    ],
)
def test_names_of_the_dictionary_must_be_held_whole(
    question: str, texts: list[str], missing: str | None
) -> None:
    words = [
        (m.start(), m.end())
        for m in re.finditer("郑成功|韩国公司|这个|领域|什么|贡献|哪家|做得|最好", question)
    ]
    found = unknown_focus(
        question,
        texts,
        lambda run: dictionary_word(run) and run not in ("郑成功", "韩国公司"),
        function_chars="的是了在有",
        words=words,
        is_name=lambda word: word in ("郑成功", "韩国公司"),
    )
    assert found == missing


def test_the_dictionarys_names_without_its_noise() -> None:
    lines = [
        "郑成功 289 nrfg",  # a person
        "长崎县 7 ns",  # a place
        "南华早报 3 nt",  # an organisation
        "东西 18877 ns",  # an everyday word with a place tag: too frequent to be a name
        "明白 10875 nr",
        "招人 3 nt",  # two-character organisation entries are abbreviations or noise
        "公司 45604 n",  # not a name
        "AIGC",  # no tag
    ]
    assert list(proper_names(lines)) == ["郑成功", "长崎县", "南华早报"]


def test_a_name_the_articles_lack_is_refused_even_when_they_share_a_word_of_it(
    seed_retriever: Retriever,
) -> None:
    answer = compose_answer(seed_retriever.search("郑成功在AIGC领域有什么贡献？"), seed_retriever.snapshot)
    assert not answer.answered and answer.missing == "郑成功"
    assert seed_retriever.search("AIGC能做哪些东西？").answered, "an everyday word with a name's tag"


def test_question_words_and_titles() -> None:
    assert is_question_word("哪一个") and is_question_word("何时") and not is_question_word("皇后")
    assert names_title("高英是哪位皇帝的皇后", ["高英 (北魏)"])
    assert not names_title("谁是皇后", ["高"])  # a one-character title names nothing


def test_latin_names_are_read_from_how_they_are_typed() -> None:
    assert proper_latin("Sora的训练成本是多少") == {"sora"}
    assert proper_latin("'; DROP TABLE questions; -- AIGC薪资") == {"aigc"} - {"aigc"}
    assert proper_latin("How much VRAM do I need to run Stable Diffusion?") == {"vram", "stable", "diffusion"}


@pytest.mark.parametrize(
    ("question", "name"),
    [("Sora的训练成本是多少", "Sora"), ("How much VRAM do I need to run Stable Diffusion locally?", "VRAM")],
)
def test_a_question_about_something_the_articles_never_mention_is_refused_naming_it(
    seed_retriever: Retriever, question: str, name: str
) -> None:
    result = seed_retriever.search(question)
    answer = compose_answer(result, seed_retriever.snapshot)
    assert not answer.answered and answer.missing == name
    assert name in render_text(answer)


def test_known_names_and_translated_words_are_not_unknown(seed_retriever: Retriever) -> None:
    for question in ["Midjourney是什么", "AI作画有哪些好用的app？", "chatgtp 是什么", "ChatGPT是谁开发的"]:
        assert seed_retriever.search(question).answered, question


def test_the_wording_a_passage_lacks_is_measured_apart_from_question_words() -> None:
    from bot.kb.focus import unmatched

    text = "珍珠港位于夏威夷，是美国海军的基地。"
    # "发生于何时" frames the question; "事件" is the stretch the passage lacks.
    share, run = unmatched("珍珠港事件发生于何时", text, "于的是")
    assert run == 4 and 0 < share < 1  # 事件发生
    assert unmatched("珍珠港位于哪里", text, "于的是") == (0.0, 0)
    assert unmatched("什么", text) == (0.0, 0)
