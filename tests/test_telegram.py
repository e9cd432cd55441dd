"""The real Application polling loop against a local fake Bot API (no network)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import VOCAB
from tests.fakes.bot_api import FakeBotAPI, wait_until
from tests.fakes.running import App, module_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = 42
USER = 7


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    fake: FakeBotAPI, knowledge: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[App]:
    async with module_app(
        fake,
        knowledge,
        tmp_path_factory,
        VOCAB,
        admin_user_ids=frozenset({ADMIN}),
        rate_limit_per_minute=1000,
    ) as application:
        yield application


def replies(fake: FakeBotAPI, chat_id: int, after: int) -> list[dict[str, Any]]:
    return [c.params for c in fake.sent("sendMessage", chat_id)][after:]


async def ask(
    fake: FakeBotAPI, text: str, chat_id: int = USER, count: int = 1, **kwargs: Any
) -> list[dict[str, Any]]:
    before = len(fake.sent("sendMessage", chat_id))
    fake.message(text, chat_id=chat_id, **kwargs)
    await wait_until(lambda: len(replies(fake, chat_id, before)) >= count)
    return replies(fake, chat_id, before)


async def test_start_shows_help_and_example_buttons(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "/start")
    assert "AIGC" in reply["text"] and "5" in reply["text"]
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert 3 <= len(buttons) <= 4
    commands = [c.params for c in fake.sent("setMyCommands")]
    admin_menus = [c for c in commands if c.get("scope", {}).get("type") == "chat"]
    assert admin_menus and admin_menus[0]["scope"]["chat_id"] == ADMIN
    assert any(cmd["command"] == "reload" for cmd in admin_menus[0]["commands"])
    public = [c for c in commands if c.get("scope", {}).get("type") in ("default", None)]
    assert all(cmd["command"] not in {"reload", "stats"} for c in public for cmd in c["commands"])


async def test_answer_links_to_its_source(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "AIGC人才的平均年薪是多少？")
    assert "年薪" in reply["text"] and "<b>" in reply["text"]
    assert '<a href="https://blog.csdn.net/' in reply["text"]
    data = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert any(d.startswith("more:") for d in data) and any(d.startswith("fb:") for d in data)
    assert not fake.rejected()


async def test_english_question_gets_english_ui(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "How much do AIGC jobs pay?", language_code="en")
    assert "Sources" in reply["text"]


async def test_no_answer_is_polite_without_links(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "明天会下雨吗？")
    assert "没有找到" in reply["text"]
    assert "href" not in reply["text"]
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert 1 <= len(buttons) <= 3 and all(b["callback_data"].startswith("sg:") for b in buttons)


async def test_group_is_silent_unless_addressed(app: App, fake: FakeBotAPI) -> None:
    group = -100123
    before = len(fake.sent("sendMessage", group))
    fake.message("什么是AIGC？", chat_id=group, chat_type="supergroup")
    # A mention afterwards is answered; the plain message before it never is.
    [reply] = await ask(fake, f"@{fake.username} 什么是AIGC？", chat_id=group, chat_type="supergroup")
    assert "AIGC" in reply["text"]
    assert len(replies(fake, group, before)) == 1
    [by_reply] = await ask(fake, "文心一言是什么？", chat_id=group, chat_type="supergroup", reply_to_bot=True)
    assert "文心一言" in by_reply["text"]
    [by_command] = await ask(fake, "/ask Midjourney是什么", chat_id=group, chat_type="supergroup")
    assert "Midjourney" in by_command["text"]


async def test_non_text_gets_a_hint(app: App, fake: FakeBotAPI) -> None:
    before = len(fake.sent("sendMessage", USER))
    fake.sticker()
    await wait_until(lambda: len(replies(fake, USER, before)) >= 1)
    assert "文字" in replies(fake, USER, before)[0]["text"]


async def test_buttons_are_answered(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "AIGC可以应用到哪些行业？")
    message = next(c for c in fake.sent("sendMessage", USER) if c.params is reply).params["_result"]
    data = {b["text"]: b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row}
    answered = len(fake.sent("answerCallbackQuery"))
    fake.callback(data["👍"], message=message)
    await wait_until(lambda: len(fake.sent("answerCallbackQuery")) > answered)
    assert "谢谢" in fake.sent("answerCallbackQuery")[-1].params.get("text", "")
    before = len(fake.sent("sendMessage", USER))
    fake.callback(next(v for k, v in data.items() if k.startswith("更多")), message=message)
    await wait_until(lambda: len(fake.sent("answerCallbackQuery")) > answered + 1)
    await wait_until(lambda: len(replies(fake, USER, before)) >= 1)
    assert "更多相关内容" in replies(fake, USER, before)[0]["text"]
    fake.callback("garbage:1", message=message)
    await wait_until(lambda: len(fake.sent("answerCallbackQuery")) > answered + 2)
    assert not fake.rejected()


async def test_example_button_asks_the_question(app: App, fake: FakeBotAPI) -> None:
    [help_reply] = await ask(fake, "/help")
    message = fake.sent("sendMessage", USER)[-1].params["_result"]
    first = help_reply["reply_markup"]["inline_keyboard"][0][0]
    before = len(fake.sent("sendMessage", USER))
    fake.callback(first["callback_data"], message=message)
    await wait_until(lambda: len(replies(fake, USER, before)) >= 1)
    assert "href" in replies(fake, USER, before)[0]["text"]


async def test_inline_mode_returns_articles(app: App, fake: FakeBotAPI) -> None:
    before = len(fake.sent("answerInlineQuery"))
    fake.inline("AIGC 薪资")
    await wait_until(lambda: len(fake.sent("answerInlineQuery")) > before)
    results = fake.sent("answerInlineQuery")[-1].params["results"]
    assert 1 <= len(results) <= 5
    assert len({r["title"] for r in results}) == len(results)


async def test_every_question_is_answered_under_load_from_many_chats(app: App, fake: FakeBotAPI) -> None:
    chats = range(5000, 5060)
    questions = ["什么是AIGC？", "AIGC salary", "文心一言是什么？", "今天天气怎么样？", "AIGC有哪些工具"]
    for chat in chats:
        fake.message(questions[chat % len(questions)], user_id=chat, chat_id=chat)
    await wait_until(lambda: all(fake.sent("sendMessage", chat) for chat in chats), timeout=60)
    assert not fake.rejected()


async def test_reload_is_for_admins_only(app: App, fake: FakeBotAPI, knowledge: Path) -> None:
    (knowledge / "quantum.md").write_text(
        "---\ntitle: 量子绘图\nurl: https://example.org/quantum\n---\n\n# 量子绘图\n\n"
        "量子绘图是一种用量子比特生成图像的新型AIGC方法，由示例实验室提出。\n",
        encoding="utf-8",
    )
    [refused] = await ask(fake, "/reload")
    assert "管理员" in refused["text"]
    [still_unknown] = await ask(fake, "量子比特绘图是什么？")
    assert "example.org/quantum" not in still_unknown["text"]

    replies_ = await ask(fake, "/reload", chat_id=ADMIN, count=2, user_id=ADMIN)
    assert "1 新增" in replies_[1]["text"] and "quantum.md" in replies_[1]["text"]
    [known] = await ask(fake, "量子比特绘图是什么？")
    assert "example.org/quantum" in known["text"]


async def test_stats_for_admins(app: App, fake: FakeBotAPI) -> None:
    [reply] = await ask(fake, "/stats", chat_id=ADMIN, user_id=ADMIN)
    assert "今天提问" in reply["text"] and "👍" in reply["text"]
    [refused] = await ask(fake, "/stats")
    assert "管理员" in refused["text"]


async def test_admin_uploads_an_article(app: App, fake: FakeBotAPI, knowledge: Path) -> None:
    body = "# 光子作画\n\n光子作画是示例中用光子阵列生成图片的AIGC技术。\n".encode()
    before = len(fake.sent("sendMessage", ADMIN))
    fake.document("../../光子 作画.md", body, user_id=ADMIN)
    await wait_until(lambda: len(replies(fake, ADMIN, before)) >= 2)
    texts = " ".join(r["text"] for r in replies(fake, ADMIN, before))
    assert "已保存" in texts and "1 新增" in texts
    assert (knowledge / "光子 作画.md").exists()
    [known] = await ask(fake, "光子作画是什么？")
    assert "阵列生成图片" in known["text"]
    [refused] = await ask(fake, "hi", chat_id=USER)  # ordinary text still works
    assert refused["text"]
    assert not fake.rejected()
