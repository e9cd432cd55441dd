"""The admins' actions from the browser: reload, upload a document, add a web page.
The same service calls, limits and messages as the Telegram admin commands; each ends
with the reload's report (or why it failed) on one page."""

from __future__ import annotations

from tornado.web import authenticated

from bot.errors import ArticleError, BotError
from bot.i18n import reason
from bot.web.base import ConsoleHandler

# multipart framing and the other form fields, on top of the largest upload
FORM_OVERHEAD_BYTES = 64 * 1024


class _Action(ConsoleHandler):
    def outcome(self, status: int, lines: list[str]) -> None:
        self.set_status(status)
        self.render("outcome.html", lines=lines)

    def refused(self, why: str, status: int = 400) -> None:
        self.outcome(status, [self.text("upload_refused", reason=reason(why, self.lang))])

    async def reload_after(self, lines: list[str]) -> None:
        try:
            report = await self.service.reload_recorded()
        except (BotError, OSError) as exc:
            self.outcome(500, [*lines, self.text("reload_failed", reason=str(exc))])
            return
        self.outcome(200, [*lines, self.text("reload_done"), *report.lines(self.lang)])


class Reload(_Action):
    @authenticated
    async def post(self) -> None:
        await self.reload_after([])


class Upload(_Action):
    @authenticated
    async def post(self) -> None:
        files = self.request.files.get("document") or []
        if not files or not files[0].body:
            self.outcome(400, [self.text("web_no_file")])
            return
        upload, limit = files[0], self.console.settings.max_upload_bytes
        if len(upload.body) > limit:
            self.refused(f"too large ({len(upload.body) // 1024} KiB > {limit // 1024} KiB)", 413)
            return
        try:
            name, kept = await self.service.add_upload(upload.filename, upload.body)
        except ArticleError as exc:
            self.refused(str(exc))
            return
        saved = self.text("upload_saved", name=name)
        if kept is not None:
            saved += " " + self.text("upload_backup", name=kept)
        await self.reload_after([saved])


class AddPage(_Action):
    @authenticated
    async def post(self) -> None:
        url = self.get_body_argument("url", "").strip()
        if not url:
            self.outcome(400, [self.text("web_no_url")])
            return
        try:  # public addresses only, never a server file: as /add in Telegram
            saved = await self.service.add_sources([url], files=False)
        except ArticleError as exc:
            self.refused(str(exc))
            return
        await self.reload_after([self.text("upload_saved", name=", ".join(p.name for p in saved))])
