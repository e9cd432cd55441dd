"""The console's pages: thin handlers that read through the service and render a
template (questions are user input: every template escapes, nothing is rendered raw)."""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import secrets

from tornado.web import authenticated

from bot.i18n import reason
from bot.kb.answer_text import render_reply
from bot.records import DayCount, Usage
from bot.web.access import SESSION_COOKIE, safe_next
from bot.web.base import ConsoleHandler, Refusal, today

CHART_DAYS = 30
FAILED_LOGIN_PAUSE = 0.5  # seconds: a wrong token costs a guesser time


class Login(ConsoleHandler):
    def get(self) -> None:
        self.render("login.html", wrong=False, next=safe_next(self.get_argument("next", "/")))

    async def post(self) -> None:
        target = safe_next(self.get_argument("next", "/"))
        self.count_login()
        if not self.console.access.allows(self.get_body_argument("token", "").strip()):
            await asyncio.sleep(FAILED_LOGIN_PAUSE)
            self.set_status(403)
            self.render("login.html", wrong=True, next=target)
            return
        self.set_signed_cookie(
            SESSION_COOKIE,
            secrets.token_urlsafe(16),  # the session id: also the hit test's conversation
            expires_days=None,  # gone with the browser; the signature expires it after a day
            httponly=True,
            samesite="Strict",
            secure=self.request.protocol == "https",
        )
        self.redirect(target)


class Logout(ConsoleHandler):
    def post(self) -> None:
        self.clear_cookie(SESSION_COOKIE)
        self.redirect("/login")


def every_day(usage: Usage, days: int, last: datetime.date) -> list[DayCount]:
    """One entry per day up to `last`, days without questions as zeros (the chart's x axis)."""
    counted = {d.day: d for d in usage.days}
    dates = [(last - datetime.timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    return [counted.get(day, DayCount(day, 0, 0)) for day in dates]


class Overview(ConsoleHandler):
    @authenticated
    async def get(self) -> None:
        usage = await self.service.usage(CHART_DAYS)
        days = every_day(usage, CHART_DAYS, today())
        chart = {
            "days": [d.day[5:] for d in days],
            "series": [
                {"label": self.text("web_answered"), "data": [d.answered for d in days]},
                {"label": self.text("web_refused"), "data": [d.refused for d in days]},
            ],
        }
        articles, passages, _ = self.service.overview()
        self.render(
            "overview.html",
            usage=usage,
            days=days,
            chart=json.dumps(chart, ensure_ascii=False),
            articles=articles,
            passages=passages,
            reloaded=await self.service.last_reload(),
            report=self.service.last_report,
            loaded_at=self.service.loaded_at,
            reason=reason,
        )


class Unanswered(ConsoleHandler):
    @authenticated
    async def get(self) -> None:
        since, until = self.dates()
        groups = await self.service.refused(since, until)
        query = "&".join(f"{k}={v}" for k, v in (("since", since), ("until", until)) if v)
        self.render("unanswered.html", groups=groups, since=since, until=until, query=query)


class UnansweredDownload(ConsoleHandler):
    """/unanswered.csv and /unanswered.jsonl: `aigc-bot export unanswered`, same dates."""

    @authenticated
    async def get(self, fmt: str) -> None:
        since, until = self.dates()
        out = io.StringIO()
        await self.service.export("unanswered", since, fmt, out, until)
        kind = "text/csv" if fmt == "csv" else "application/x-ndjson"
        self.set_header("Content-Type", f"{kind}; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="unanswered.{fmt}"')
        self.write(out.getvalue().encode("utf-8"))


class Feedback(ConsoleHandler):
    @authenticated
    async def get(self) -> None:
        self.render("feedback.html", disliked=await self.service.disliked())


class Knowledge(ConsoleHandler):
    @authenticated
    async def get(self) -> None:
        query = self.get_argument("q", "").strip()
        found = await self.service.find_passages(query) if query else []
        self.render(
            "knowledge.html",
            articles=await self.service.articles(),
            query=query,
            found=found,
            upload_kib=self.console.settings.max_upload_bytes // 1024,
        )


class Article(ConsoleHandler):
    @authenticated
    async def get(self) -> None:
        path = self.get_argument("path", "")
        passages = await self.service.article(path) if path else []
        if not passages:
            raise Refusal(404, self.text("web_no_article"))
        self.render("article.html", path=path, passages=passages)


class HitTest(ConsoleHandler):
    """What the bot would answer, exactly as `aigc-bot ask` prints it, not logged. With
    the conversation box ticked, the question follows up on this session's last one."""

    @authenticated
    async def get(self) -> None:
        question = self.get_argument("q", "").strip()
        follow = self.get_argument("conversation", "") == "on"
        reply = explanation = None
        if question:
            key = f"web:{self.current_user}"
            reply = await self.service.ask(question, conversation=key, continues=follow)
            explanation = await self.service.explain(reply.result.question)
        limit = self.console.settings.max_question_chars
        self.render(
            "hit.html",
            question=question,
            follow=follow,
            reply=reply,
            text=render_reply(reply, limit) if reply is not None else "",
            explanation=explanation,
        )
