"""Who may use the admin console: the admin token, where the console may listen without
one, and the signed session cookie a login sets."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from bot.config import Settings
from bot.errors import ConfigError

SESSION_COOKIE = "aigc_admin"
SESSION_DAYS = 1  # a login lasts a day at most, even in a browser left open


@dataclass(frozen=True)
class Access:
    """The token admins log in with (and scripts send as a Bearer token)."""

    token: str
    generated: bool  # made up for this run: no WEB_ADMIN_TOKEN, loopback only

    @property
    def cookie_secret(self) -> str:
        # Derived from the token, so changing the token logs every session out, and
        # nothing else needs to be configured or stored.
        return hmac.new(self.token.encode(), b"aigc-bot admin console session", hashlib.sha256).hexdigest()

    def allows(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def console_access(settings: Settings) -> Access:
    """WEB_ADMIN_TOKEN, or a random token for this run when the console listens on
    loopback only. ConfigError when it would listen on a network without a token."""
    if settings.web_admin_token is not None:
        return Access(settings.web_admin_token.get_secret_value(), generated=False)
    if not is_loopback(settings.web_listen):
        raise ConfigError(
            f"WEB_ADMIN_TOKEN is not set: the admin console listens on {settings.web_listen} only with "
            "one (set it, or WEB_LISTEN=127.0.0.1)"
        )
    return Access(secrets.token_urlsafe(24), generated=True)


def safe_next(target: str) -> str:
    """Where to go after logging in: a path on this console, never another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
