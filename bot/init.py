"""`aigc-bot init [DIR]`: a ready folder to run the bot from, installed or not.

It writes `.env` (every setting, commented, with the defaults), `knowledge/` with the
shipped articles, and `knowledge/vocab/` with the default vocabulary for admins to edit,
then says what to run next. Nothing that exists already is overwritten.
"""

from __future__ import annotations

import shutil
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from bot.config import PACKAGED_VOCAB_DIR, Settings
from bot.errors import ConfigError

ENV_HEADER = """\
# Settings of the AIGC bot (see README.md, "Configure"). Uncomment and fill in what you need.
# The console (`aigc-bot chat`, `aigc-bot ask`) needs none of the Telegram settings.
"""


def shipped_articles() -> Traversable:
    """The articles that ship with the bot: package data in a wheel, knowledge/ in a checkout."""
    try:
        return resources.files("bot.samples")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "knowledge"


def env_text() -> str:
    """Every setting with its default, commented out except where the folder needs it."""
    lines = [ENV_HEADER]
    for name, field in Settings.model_fields.items():
        default = field.default
        value = "" if default is None or isinstance(default, frozenset) else str(default)
        keep = name in {"knowledge_dir", "database_path"}
        lines.append(f"{'' if keep else '# '}{name.upper()}={value}")
    return "\n".join(lines) + "\n"


def init(folder: Path) -> list[str]:
    """Create the folder's files; returns what was written. ConfigError if any exists."""
    env, knowledge = folder / ".env", folder / "knowledge"
    for path in (env, knowledge):
        if path.exists():
            raise ConfigError(f"{path} exists already; choose an empty folder for init")
    folder.mkdir(parents=True, exist_ok=True)
    env.write_text(env_text(), encoding="utf-8")
    (knowledge / "vocab").mkdir(parents=True)
    written = [str(env)]
    for item in shipped_articles().iterdir():
        if item.is_file() and item.name.endswith((".md", ".txt")):
            (knowledge / item.name).write_bytes(item.read_bytes())
            written.append(str(knowledge / item.name))
    for vocab in sorted(PACKAGED_VOCAB_DIR.iterdir()):
        if vocab.suffix == ".txt":
            shutil.copyfile(vocab, knowledge / "vocab" / vocab.name)
    written.append(str(knowledge / "vocab"))
    return written
