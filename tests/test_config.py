from pathlib import Path

import pytest

from bot.config import PACKAGED_VOCAB_DIR, Settings, load_settings
from bot.errors import ConfigError
from bot.kb.vocab import FILES


def test_defaults_need_no_environment() -> None:
    settings = load_settings(_env_file=None)
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.telegram_bot_token is None
    assert settings.admin_user_ids == frozenset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", {42}), ("42,43", {42, 43}), (" 42 , 43 ,", {42, 43}), ("", set())],
)
def test_admin_ids_from_environment(monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", raw)
    assert load_settings(_env_file=None).admin_user_ids == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_USER_IDS", "alice"), ("CHUNK_MAX_CHARS", "5"), ("LOG_LEVEL", "LOUD")],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(_env_file=None)


def test_blank_token_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert load_settings(_env_file=None).telegram_bot_token is None


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("KNOWLEDGE_DIR=/srv/articles\n", encoding="utf-8")
    assert Settings(_env_file=env).knowledge_dir == Path("/srv/articles")  # type: ignore[call-arg]


def test_vocab_falls_back_to_the_shipped_folder(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, knowledge_dir=tmp_path)
    assert settings.resolved_vocab_dir == PACKAGED_VOCAB_DIR
    assert all((PACKAGED_VOCAB_DIR / name).is_file() for name in FILES), "the vocabulary is package data"
    (tmp_path / "vocab").mkdir()
    assert settings.resolved_vocab_dir == tmp_path / "vocab"


def test_a_vocab_dir_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"VOCAB_DIR.*not a folder"):
        load_settings(_env_file=None, vocab_dir=tmp_path / "nope")


def test_a_vocab_dir_that_lacks_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "stopwords.txt").write_text("的\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lacks userdict\.txt"):
        load_settings(_env_file=None, vocab_dir=tmp_path)
