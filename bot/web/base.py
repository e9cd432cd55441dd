"""What every console page shares: who is logged in, the language, security headers,
template helpers and the one error page (a failing page never takes the server down:
tornado turns the exception into this page and logs it)."""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass, field
from typing import Any

from tornado.web import HTTPError, RequestHandler

from bot.config import Settings
from bot.errors import ConfigError
from bot.i18n import Lang, accepted_language, t
from bot.ratelimit import UserRateLimiter
from bot.service import KnowledgeService, parse_since
from bot.web.access import SESSION_COOKIE, SESSION_DAYS, Access

# Scripts only from this console (the vendored chart); no frames, no foreign requests.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

LOGINS_PER_MINUTE = 10

NAV = (
    ("/", "web_overview"),
    ("/unanswered", "web_unanswered"),
    ("/feedback", "web_feedback"),
    ("/knowledge", "web_knowledge"),
    ("/hit", "web_hit"),
)


class Refusal(HTTPError):
    """A request the console refuses, with the sentence the admin reads."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message


@dataclass(frozen=True)
class Console:
    """What the handlers are given: the service every page goes through, the settings
    (upload limit) and the access rule."""

    service: KnowledgeService
    settings: Settings
    access: Access
    # Login attempts per client address and minute: guessing the token stays slow.
    logins: UserRateLimiter = field(default_factory=lambda: UserRateLimiter(LOGINS_PER_MINUTE))


def http_link(url: str | None) -> str | None:
    """An article's source link, if it is one a browser may follow (a front matter could
    say javascript:…)."""
    return url if url and url.startswith(("http://", "https://")) else None


class ConsoleHandler(RequestHandler):
    """The base of every page: authentication (session cookie or Bearer token), CSRF
    (tornado's xsrf cookie, which a Bearer script does not need) and the language."""

    console: Console

    def initialize(self, console: Console) -> None:
        self.console = console

    @property
    def service(self) -> KnowledgeService:
        return self.console.service

    @property
    def lang(self) -> Lang:
        return accepted_language(self.request.headers.get("Accept-Language", ""))

    def text(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", _CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")  # pages show other people's questions

    def _bearer(self) -> str | None:
        scheme, _, value = self.request.headers.get("Authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None

    def prepare(self) -> None:
        # A script with a wrong token gets 401, not the login page meant for people, and
        # counts as a login attempt: guessing by header is as slow as by the form.
        given = self._bearer()
        if given is not None and not self.console.access.allows(given):
            self.count_login()
            raise HTTPError(401)

    def count_login(self) -> None:
        """A login attempt from this address; 429 past LOGINS_PER_MINUTE."""
        wait = self.console.logins.check(zlib.crc32((self.request.remote_ip or "").encode()))
        if wait:
            raise Refusal(429, self.text("web_slow_down", seconds=int(wait) + 1))

    def get_current_user(self) -> str | None:
        """The session id ("bearer" for a script with the token), None if not logged in."""
        given = self._bearer()
        if given is not None:
            return "bearer" if self.console.access.allows(given) else None
        value = self.get_signed_cookie(SESSION_COOKIE, max_age_days=SESSION_DAYS)
        return value.decode() if value else None

    def check_xsrf_cookie(self) -> None:
        # A Bearer token is never sent by a browser on its own, so it needs no CSRF token.
        if self._bearer() is None:
            super().check_xsrf_cookie()

    def dates(self) -> tuple[str, str]:
        """?since= and ?until= as dates, 400 with a readable reason otherwise."""
        try:
            return parse_since(self.get_argument("since", "")), parse_since(self.get_argument("until", ""))
        except ConfigError:
            raise Refusal(400, self.text("web_bad_date")) from None

    def get_template_namespace(self) -> dict[str, Any]:
        namespace = super().get_template_namespace()
        namespace.update(t=self.text, lang=self.lang, nav=NAV, here=self.request.path, http_link=http_link)
        return namespace

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, Refusal):
            message = error.message
        elif status_code == 401:
            message = self.text("web_wrong_token")
        else:
            message = self.text("web_error", reason=f"{status_code} {self._reason}")
        self.render("error.html", status=status_code, message=message)


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()
