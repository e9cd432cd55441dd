"""The admin console over HTTP: who gets in, what every page shows, and that its actions
keep the Telegram admin commands' limits (the browser itself: test_web_browser.py)."""

from __future__ import annotations

import datetime
import html
import io
import re
from pathlib import Path

import httpx
import pytest

from bot.cli import main
from bot.config import load_settings
from bot.errors import ConfigError
from bot.i18n import accepted_language
from bot.kb.answer_text import render_reply
from bot.records import Asker, DayCount, Usage
from bot.web.access import console_access, safe_next
from bot.web.base import LOGINS_PER_MINUTE
from bot.web.pages import every_day
from tests.conftest import KNOWLEDGE, write
from tests.web_console import TOKEN, log_in, running_console, xsrf_of

PAGES = ["/", "/unanswered", "/feedback", "/knowledge", "/hit", "/hit?q=什么是AIGC"]
USER = Asker(7, 7, "private", "zh")


def client_for(url: str, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=30)


def pre(page: str, element_id: str) -> str:
    found = re.search(rf'<pre[^>]*id="{element_id}">(.*?)</pre>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return html.unescape(found.group(1))


async def test_every_page_needs_a_login_and_a_wrong_token_gets_nothing(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (_, console), client_for(console.url) as client:
        for path in PAGES:
            response = await client.get(path)
            assert response.status_code == 302 and response.headers["location"].startswith("/login")
        wrong = await log_in(client, "not-the-token-at-all")
        assert wrong.status_code == 403 and "令牌不对" in wrong.text
        assert (await client.get("/")).status_code == 302, "still logged out"
        assert (await client.get("/unanswered.csv")).status_code == 302


async def test_a_login_opens_every_page_with_a_signed_httponly_strict_cookie(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (service, console), client_for(console.url) as client:
        response = await log_in(client)
        assert response.status_code == 302 and response.headers["location"] == "/"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("aigc_admin="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "|" in cookie.split(";")[0], "the session cookie is signed"
        articles = await service.articles()
        for path in [*PAGES, f"/knowledge/article?path={articles[0].path}", "/knowledge?q=Midjourney"]:
            page = await client.get(path)
            assert page.status_code == 200, path
            assert "default-src 'self'" in page.headers["content-security-policy"]
        listed = (await client.get("/knowledge")).text
        assert all(html.escape(a.title, quote=False) in listed for a in articles)
        assert (await client.get("/knowledge/article?path=nope.md")).status_code == 404
        assert (await client.post("/logout", data={"_xsrf": xsrf_of(listed)})).status_code == 302
        assert (await client.get("/")).status_code == 302, "logged out"


async def test_guessing_the_token_is_slowed_to_a_few_tries_a_minute(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (_, console), client_for(console.url) as client:
        form = await client.get("/login")
        token = xsrf_of(form.text)
        codes = []
        for guess in range(LOGINS_PER_MINUTE + 2):
            tried = await client.post("/login", data={"_xsrf": token, "token": f"guess-{guess:020d}"})
            codes.append(tried.status_code)
        assert codes[:LOGINS_PER_MINUTE] == [403] * LOGINS_PER_MINUTE and codes[-1] == 429
        assert "登录尝试太多" in tried.text
        right = await client.post("/login", data={"_xsrf": token, "token": TOKEN})
        assert right.status_code == 429, "not even the right token gets through until the minute is over"
    async with running_console(tmp_path) as (_, console):
        codes = []
        for guess in range(LOGINS_PER_MINUTE + 2):
            async with client_for(console.url, Authorization=f"Bearer guess-{guess:020d}") as script:
                codes.append((await script.get("/")).status_code)
        assert codes[:LOGINS_PER_MINUTE] == [401] * LOGINS_PER_MINUTE and codes[-1] == 429, codes


async def test_a_post_without_the_csrf_token_is_refused(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (_, console), client_for(console.url) as client:
        await log_in(client)
        assert (await client.post("/actions/reload")).status_code == 403
        assert (await client.post("/actions/reload", data={"_xsrf": "2|00|00|00"})).status_code == 403
        page = (await client.get("/")).text
        done = await client.post("/actions/reload", data={"_xsrf": xsrf_of(page)})
        assert done.status_code == 200 and "知识库已更新" in pre(done.text, "outcome")
        reloaded = (await client.get("/")).text
        assert "成功" in reloaded, "the overview shows the reload just made"


async def test_scripts_send_the_token_as_a_bearer_and_download_what_export_writes(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (service, console):
        await service.ask("怎么做红烧肉", asker=USER)
        async with client_for(console.url, Authorization="Bearer nope") as wrong:
            assert (await wrong.get("/")).status_code == 401
        async with client_for(console.url, Authorization=f"Bearer {TOKEN}") as script:
            assert (await script.get("/")).status_code == 200
            assert (await script.post("/actions/reload")).status_code == 200, "no CSRF token needed"
            for fmt in ("csv", "jsonl"):
                got = await script.get(f"/unanswered.{fmt}")
                expected = io.StringIO()
                await service.export("unanswered", "", fmt, expected)
                assert got.status_code == 200 and got.text == expected.getvalue()
                assert "红烧肉" in got.text
            assert (await script.get("/unanswered?since=yesterday")).status_code == 400


async def test_user_typed_text_is_never_rendered_as_html(tmp_path: Path) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>红烧肉怎么做'
    async with running_console(tmp_path) as (service, console):
        reply = await service.ask(attack, asker=USER)
        assert reply.question_id is not None
        await service.feedback(reply.question_id, 7, -1)
        async with client_for(console.url, Authorization=f"Bearer {TOKEN}") as script:
            for path in ("/unanswered", "/feedback", f"/hit?q={attack}", f"/knowledge?q={attack}"):
                page = (await script.get(path)).text
                assert "<script>alert" not in page and "<img src=x" not in page, path
            assert "&lt;script&gt;" in (await script.get("/unanswered")).text


async def test_the_hit_test_shows_what_ask_prints_and_is_not_logged(tmp_path: Path) -> None:
    question = "AIGC有哪些工具？"
    async with running_console(tmp_path) as (service, console):
        expected = render_reply(await service.ask(question), service.settings.max_question_chars)
        async with client_for(console.url, Authorization=f"Bearer {TOKEN}") as script:
            page = (await script.get("/hit", params={"q": question})).text
            assert pre(page, "answer") == expected
            assert "terms:" in pre(page, "explain")
            # A follow-up continues this session's conversation only when asked to.
            follow = (await script.get("/hit", params={"q": "第二个呢", "conversation": "on"})).text
            alone = (await script.get("/hit", params={"q": "第二个呢"})).text
            assert pre(follow, "answer") != pre(alone, "answer")
        assert (await service.usage()).asked == 0, "hit tests stay out of the question log"


async def test_uploads_and_pages_keep_the_telegram_limits(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    for source in KNOWLEDGE.glob("*.txt"):
        write(folder / source.name, source.read_bytes())
    write(folder / "broken.md", b"\x00\x01\x02 not text")
    limited = running_console(tmp_path, folder, max_upload_bytes=4096)
    async with limited as (_, console), client_for(console.url) as client:
        await log_in(client)
        overview = (await client.get("/")).text
        skipped = r'id="skipped">\s*<li><code>broken.md</code>: 二进制文件'
        assert re.search(skipped, overview), "the overview lists a skipped file with the reason"
        token = xsrf_of((await client.get("/knowledge")).text)

        async def upload(name: str, data: bytes) -> httpx.Response:
            files = {"document": (name, data)}
            return await client.post("/actions/upload", data={"_xsrf": token}, files=files)

        too_large = await upload("big.md", b"# big\n\n" + "大".encode() * 3000)
        assert too_large.status_code == 413 and "文件太大" in pre(too_large.text, "outcome")
        wrong_kind = await upload("tool.exe", b"MZ\x90\x00")
        assert wrong_kind.status_code == 400 and "只接受" in pre(wrong_kind.text, "outcome")
        assert not (folder / "big.md").exists() and not (folder / "tool.exe").exists()
        article = "---\ntitle: 控制台上传测试\n---\n\n# 控制台上传测试\n\n这是一篇从管理后台上传的文章。\n"
        saved = await upload("console-upload.md", article.encode())
        assert saved.status_code == 200 and "已保存 console-upload.md" in pre(saved.text, "outcome")
        assert "控制台上传测试" in (await client.get("/knowledge")).text
        private = await client.post("/actions/add", data={"_xsrf": token, "url": "http://127.0.0.1:9/x"})
        assert private.status_code == 400
        missing = await client.post("/actions/add", data={"_xsrf": token, "url": ""})
        assert missing.status_code == 400


async def test_english_when_the_browser_prefers_it(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (_, console):
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}
        async with client_for(console.url, **headers) as script:
            page = (await script.get("/")).text
            assert "Overview" in page and 'lang="en"' in page and "概览" not in page


def test_the_language_follows_the_highest_weight() -> None:
    assert accepted_language("") == "zh"
    assert accepted_language("en-US,en;q=0.9") == "en"
    assert accepted_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert accepted_language("en;q=0.4, zh-TW;q=0.5") == "zh"
    assert accepted_language("fr, en;q=0.5") == "en"


def test_without_a_token_the_console_stays_on_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert console_access(load_settings(web_listen="127.0.0.1")).generated
    with pytest.raises(ConfigError, match="WEB_ADMIN_TOKEN"):
        console_access(load_settings(web_listen="0.0.0.0"))
    assert not console_access(load_settings(web_listen="0.0.0.0", web_admin_token=TOKEN)).generated
    with pytest.raises(ConfigError, match="WEB_ADMIN_TOKEN"):
        load_settings(web_admin_token="short")


def test_the_web_command_refuses_a_network_address_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEB_LISTEN", "0.0.0.0")
    assert main(["web"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "WEB_ADMIN_TOKEN" in err


def test_the_chart_has_every_day_and_logins_return_only_here() -> None:
    usage = Usage([DayCount("2026-01-30", 2, 1)], 3, 2, 0, 0)
    days = every_day(usage, 3, datetime.date(2026, 1, 31))
    assert [(d.day, d.answered, d.refused) for d in days] == [
        ("2026-01-29", 0, 0),
        ("2026-01-30", 2, 1),
        ("2026-01-31", 0, 0),
    ]
    assert safe_next("/unanswered?since=2026-01-01") == "/unanswered?since=2026-01-01"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert safe_next(target) == "/"


async def test_feedback_shows_the_answer_read_and_its_passages(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (service, console):
        reply = await service.ask("什么是AIGC？", asker=USER)
        assert reply.question_id is not None and reply.answer.passages
        await service.feedback(reply.question_id, 7, -1)
        async with client_for(console.url, Authorization=f"Bearer {TOKEN}") as script:
            page = html.unescape((await script.get("/feedback")).text)
        assert reply.answer.lead[0].text in page, "the answer as the user read it"
        first = reply.answer.passages[0].passage
        assert first.text[:60] in page and f"/knowledge/article?path={first.article_path}" in page
