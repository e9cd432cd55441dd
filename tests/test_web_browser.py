"""The admin console in a real headless browser (Debian's Chromium driven by Playwright):
log in, see the chart drawn from a seeded question log, run a hit test that matches
`aigc-bot ask`, upload a document and find it listed, and be refused with a wrong token,
without a CSRF token or with an oversized upload. Each page's screenshot is kept in
build/console-screenshots/ (CONSOLE_SCREENSHOTS to put them elsewhere).

`.ci/run` installs Chromium when it is missing and sets REQUIRE_BROWSER, so CI fails
rather than skips; elsewhere the test skips when no Chromium is found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.records import Asker
from bot.service import KnowledgeService
from tests.conftest import KNOWLEDGE, REPO, write
from tests.web_console import TOKEN, running_console

playwright_api = pytest.importorskip("playwright.async_api")

SHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", REPO / "build" / "console-screenshots"))


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail("no Chromium found (apt-get install chromium)")
    pytest.skip("no Chromium on this machine (apt-get install chromium)")


async def seed_log(service: KnowledgeService) -> None:
    """A week of questions, answered and refused, and one 👎."""
    user = Asker(5, 5, "private", "zh")
    ids = []
    for question in (
        "什么是AIGC？",
        "AIGC有哪些工具？",
        "AIGC人才薪资怎么样？",
        "怎么做红烧肉",
        "今天天气怎么样",
    ):
        ids.append((await service.ask(question, asker=user)).question_id)
    async with service.db.transaction() as conn:  # spread over the last days
        await conn.execute(
            "UPDATE questions SET asked_at = strftime('%Y-%m-%dT%H:%M:%f', 'now', -(id % 4) || ' days')"
        )
    assert ids[0] is not None
    await service.feedback(ids[0], 5, -1)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    executable = chromium()
    async with playwright_api.async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


async def test_an_admin_uses_the_console_in_a_browser(browser: object, tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    for source in KNOWLEDGE.glob("*.txt"):
        write(folder / source.name, source.read_bytes())
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with running_console(tmp_path, folder, max_upload_bytes=8192) as (service, console):
        await seed_log(service)
        page = await browser.new_page(locale="zh-CN")  # type: ignore[attr-defined]

        # A wrong token is refused; the right one opens the overview.
        await page.goto(console.url)
        await page.fill("input[name=token]", "not-the-admin-token")
        await page.click("button[type=submit]")
        assert "令牌不对" in await page.text_content("[role=alert]")
        await page.fill("input[name=token]", TOKEN)
        await page.click("button[type=submit]")
        await page.wait_for_selector("canvas[data-rendered=true]")
        assert await page.text_content("#asked") == "5"
        drawn = await page.evaluate(
            "() => { const c = document.getElementById('usage-chart'); const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let n = 0;"
            " for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }"
        )
        assert drawn > 1000, "the chart drew bars and axes"
        await page.screenshot(path=SHOTS / "overview.png", full_page=True)

        await page.goto(console.url + "unanswered")
        assert "红烧肉" in await page.text_content("#unanswered")
        await page.screenshot(path=SHOTS / "unanswered.png", full_page=True)
        await page.goto(console.url + "feedback")
        assert "什么是AIGC" in await page.text_content("main")
        await page.screenshot(path=SHOTS / "feedback.png", full_page=True)

        # The hit test shows what `aigc-bot ask` prints.
        question = "AIGC有哪些工具？"
        await page.goto(console.url + "hit")
        await page.fill("input[name=q]", question)
        await page.click("form.hit button")
        shown = await page.text_content("#answer")
        env = {**os.environ, "KNOWLEDGE_DIR": str(folder), "DATABASE_PATH": str(tmp_path / "kb.sqlite3")}
        cli = subprocess.run(
            [sys.executable, "-m", "bot", "ask", question],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr
        assert cli.stdout.strip() == f"? {question}\n{shown}".strip()
        await page.screenshot(path=SHOTS / "hit.png", full_page=True)

        # Upload a document, see it listed after the reload; an oversized one is refused.
        await page.goto(console.url + "knowledge")
        upload = tmp_path / "browser-upload.md"
        upload.write_text(
            "---\ntitle: 浏览器上传的文章\n---\n\n# 浏览器上传的文章\n\n管理员从浏览器上传了这篇文章。\n"
        )
        await page.set_input_files("input[name=document]", str(upload))
        await page.click("form[action='/actions/upload'] button")
        assert "已保存 browser-upload.md" in await page.text_content("#outcome")
        await page.goto(console.url + "knowledge")
        assert "浏览器上传的文章" in await page.text_content("#articles")
        await page.screenshot(path=SHOTS / "knowledge.png", full_page=True)
        big = tmp_path / "big.md"
        big.write_text("# 大文件\n\n" + "很长的文章。" * 2000)
        await page.set_input_files("input[name=document]", str(big))
        await page.click("form[action='/actions/upload'] button")
        assert "文件太大" in await page.text_content("#outcome")
        assert not (folder / "big.md").exists()

        # A POST from this session without the CSRF token is refused.
        forged = await page.request.post(console.url + "actions/reload", form={"x": "1"})
        assert forged.status == 403
        await page.close()
