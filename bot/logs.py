"""Logging set-up: levels, quiet third-party loggers, and the bot token never printed."""

from __future__ import annotations

import logging


def redact(text: str, secrets: list[str]) -> str:
    """The text with every secret (and a bot token's secret half) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
            if ":" in secret:  # "123:ABC": the part after the colon is the secret
                text = text.replace(secret.split(":", 1)[1], "<redacted>")
    return text


class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token appears in Bot API URLs) in every log record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self.secrets):
                for secret in self.secrets:
                    text = text.replace(secret, "<redacted>")
                record.exc_info, record.exc_text = None, text
        return True


class OneLineExceptions(logging.Filter):
    """Below DEBUG detail, an exception is logged as one line ("…: NetworkError: …"),
    not a 100-line traceback; LOG_LEVEL=DEBUG keeps the tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {error.__class__.__name__}: {error}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def configure(level: str | int, secrets: list[str] | None = None) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    redact = RedactFilter(secrets or [])
    for handler in logging.getLogger().handlers:
        if logging.getLevelName(level) != logging.DEBUG and level != logging.DEBUG:
            handler.addFilter(OneLineExceptions())
        handler.addFilter(redact)  # last: it also sees the one-line messages
