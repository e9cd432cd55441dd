"""Settings read from the environment and `.env` with pydantic-settings.

Every setting is listed in `.env.example`; keep the two in sync (a test checks it).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError
from bot.kb.vocab import FILES as VOCAB_FILES

# The default vocabulary ships inside the package (`bot/vocab`, package data), so a
# KNOWLEDGE_DIR that holds only articles gets the same dictionaries whether the bot runs
# from a checkout or from an installed wheel.
PACKAGED_VOCAB_DIR = Path(str(resources.files("bot") / "vocab"))


class Settings(BaseSettings):
    """All configuration of the bot, from environment variables or `.env`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    knowledge_dir: Path = Path("knowledge")
    database_path: Path = Path("data/bot.sqlite3")
    vocab_dir: Path | None = None
    chunk_max_chars: int = Field(default=600, ge=100, le=4000)

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()

    log_level: str = "INFO"

    # Telegram conversation
    rate_limit_per_minute: int = Field(default=20, ge=1, le=1000)
    max_question_chars: int = Field(default=500, ge=20, le=4096)
    max_upload_bytes: int = Field(default=1_048_576, ge=1024, le=20 * 1024 * 1024)
    # A follow-up within this many seconds continues the conversation (0: every
    # question stands alone).
    context_ttl_seconds: int = Field(default=600, ge=0, le=86400)
    # Question log rows older than this many days are purged on start and reload.
    log_retention_days: int | None = Field(default=None, ge=1, le=36500)

    # `add` and /add fetch only public internet addresses unless this is set (tests,
    # intranet installs): loopback, private and link-local hosts are refused otherwise.
    fetch_allow_private: bool = False
    # Each document (PDF, Word, web page) is parsed in a worker process with these limits;
    # one over them is skipped with the reason (bot/isolation.py).
    parse_cpu_seconds: int = Field(default=30, ge=1, le=3600)
    parse_memory_mb: int = Field(default=512, ge=64, le=65536)

    # Webhook mode (aigc-bot webhook)
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_secret_token: SecretStr | None = None

    # Admin console in the browser (aigc-bot web; run and webhook serve it too when
    # WEB_PORT is set). Without WEB_ADMIN_TOKEN it listens on loopback only, with a
    # token made up for the run and printed once.
    web_listen: str = "127.0.0.1"
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_admin_token: SecretStr | None = None

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        # "42" or "42, 43" from the environment; a list when built in code.
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            if not all(p.lstrip("-").isdigit() for p in parts if p):
                raise ValueError("must be comma-separated numeric Telegram user ids, e.g. 42,43")
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator(
        "telegram_bot_token",
        "vocab_dir",
        "webhook_url",
        "webhook_secret_token",
        "log_retention_days",
        "web_port",
        "web_admin_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `TELEGRAM_BOT_TOKEN=` copied from .env.example means "not set", not "empty".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("vocab_dir")
    @classmethod
    def _check_vocab_dir(cls, value: Path | None) -> Path | None:
        # Checked now, before anything is created on disk: a typo must not silently
        # run the bot without its dictionaries.
        if value is None:
            return None
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        missing = [name for name in VOCAB_FILES if not (value / name).is_file()]
        if missing:
            raise ValueError(f"{value} lacks {', '.join(missing)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("webhook_secret_token")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("web_admin_token")
    @classmethod
    def _check_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        # It is the only thing between the network and the admin actions: not guessable
        # by hand, and typeable into a login form and an Authorization header.
        token = value.get_secret_value() if value is not None else ""
        if value is not None and (len(token) < 16 or not token.isprintable() or " " in token):
            raise ValueError("must be at least 16 printable characters without spaces")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be a public https:// URL")
        return value

    @property
    def resolved_vocab_dir(self) -> Path:
        """Where the dictionary, stopwords, glossary and promo markers are read from."""
        if self.vocab_dir is not None:
            return self.vocab_dir
        own = self.knowledge_dir / "vocab"
        return own if own.is_dir() else PACKAGED_VOCAB_DIR


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning a validation error into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"invalid setting {name}: {first['msg']}") from None
