"""Settings read from the environment and `.env` with pydantic-settings.

Every setting is listed in `.env.example`; keep the two in sync (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

# The repository's own knowledge folder: the default vocabulary lives there, so a
# KNOWLEDGE_DIR that holds only articles still gets the shipped dictionaries.
REPO_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"


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

    @field_validator("telegram_bot_token", "vocab_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `TELEGRAM_BOT_TOKEN=` copied from .env.example means "not set", not "empty".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def resolved_vocab_dir(self) -> Path:
        """Where the dictionary, stopwords, glossary and promo markers are read from."""
        if self.vocab_dir is not None:
            return self.vocab_dir
        own = self.knowledge_dir / "vocab"
        return own if own.is_dir() else REPO_KNOWLEDGE_DIR / "vocab"


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning a validation error into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"invalid setting {name}: {first['msg']}") from None
