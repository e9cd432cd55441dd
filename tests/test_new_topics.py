"""An article about a topic the vocabulary has never heard of is answerable on arrival,
and does not make everyday questions that share a character with it pass."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import KnowledgeService
from tests.conftest import KNOWLEDGE, answer_to, make_settings, write

SUNO = """---
title: Suno入门：用AI写一首歌
url: https://example.org/suno
tags: [Suno, AI音乐]
---

# Suno入门：用AI写一首歌

## Suno是什么

Suno是一款AI音乐生成工具，输入一段描述或歌词，几十秒就能生成一首带人声和伴奏的完整歌曲。

## 如何用Suno写一首歌

打开Suno官网并登录，点击Create按钮。在输入框里描述想要的歌曲风格和主题，或者切换到Custom模式自己填写歌词。点击生成后，Suno会同时给出两个版本供你挑选。

## Suno的价格

Suno免费版每天可以生成10首歌曲。专业版每月10美元，可以生成500首歌曲，并可用于商业用途。
"""

JIMENG = """---
title: 即梦入门：字节跳动的AI绘画工具
url: https://example.org/jimeng
tags: [即梦]
---

# 即梦入门：字节跳动的AI绘画工具

## 即梦是什么

即梦是字节跳动推出的AI创作平台，支持文生图、图生图和视频生成，操作界面简单，适合新手使用。

## 即梦的收费方式

即梦每天赠送60积分，生成一张图片消耗1积分。会员每月69元，可获得更多积分和高清下载。
"""


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KnowledgeService]:
    kb = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, kb)
    write(kb / "suno.md", SUNO)
    write(kb / "jimeng.md", JIMENG)
    opened = await KnowledgeService.open(make_settings(tmp_path, kb))
    yield opened
    await opened.close()


def lead(service: KnowledgeService, question: str) -> str:
    answer = answer_to(service, question)
    assert answer.answered, question
    return "".join(c.text for c in answer.lead)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("suno是啥", "AI音乐生成工具"),
        ("suno多少钱一个月", "每月10美元"),
        ("即梦是什么", "字节跳动推出的AI创作平台"),
        ("即梦怎么收费", "积分"),
    ],
)
def test_a_new_topic_is_answered_without_a_vocabulary_edit(
    service: KnowledgeService, question: str, expected: str
) -> None:
    assert expected in lead(service, question)


def test_a_how_question_leads_with_the_steps_not_the_price(service: KnowledgeService) -> None:
    # "写歌" is not a word of the article ("写一首歌"), yet it says which section answers.
    text = lead(service, "怎么用Suno写歌")
    first = text[:100]
    assert "点击" in first or "输入" in first
    assert "美元" not in first


@pytest.mark.parametrize(
    "question",
    ["我昨晚做了个梦", "做梦是什么原因", "今天天气怎么样", "帮我写一首关于大海的诗"],
)
def test_everyday_questions_sharing_a_character_stay_refused(
    service: KnowledgeService, question: str
) -> None:
    assert not answer_to(service, question).answered
