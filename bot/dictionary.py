"""jieba's dictionary kept as a memory-mapped frequency table (and its names and the
English word list as two more).

Written once per user (from jieba's own dictionary, about two seconds) into the user's
cache folder (`$XDG_CACHE_HOME/aigc-bot`, else `~/.cache/aigc-bot`), never a shared
temporary folder another local user could prepare; then every start maps it instead of
loading ~500,000 words with marshal (about a second). See kb/frequencies.py. The folder
must be ours and not a link, and the table is opened without following links. Any
problem (a folder not ours, a damaged file) falls back to jieba's usual loading.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import mmap
import os
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

from bot.kb.frequencies import MAGIC, FrozenFrequencies, encode
from bot.kb.names import NAMES_VERSION
from bot.kb.segmenter import jieba
from bot.kb.spelling import english_word_list
from bot.kb.tokenizer import dictionary_names

log = logging.getLogger(__name__)


@functools.cache
def _name() -> str:
    """Names jieba's version and its dictionary's content, so an upgrade writes a new
    table and every install of the same jieba (each virtualenv, each clean clone) shares
    one: a name by the file's time would leave a 16 MB table behind per install."""
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    digest = zlib.crc32(dictionary.read_bytes())
    return f"jieba-{jieba.__version__}-{digest:08x}-{MAGIC.decode()}.freq"


def shared_folder() -> Path:
    """The user's cache folder for the table: shared by every knowledge base of this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aigc-bot"


def _ours(folder: Path) -> bool:
    """Only this user can write the folder, and it is not a link (a folder prepared by
    someone else could hand us their table); where there are no owners (Windows), trust it."""
    stat = folder.lstat()
    if not os.path.isdir(folder) or os.path.islink(folder):
        return False
    getuid = getattr(os, "getuid", None)
    return getuid is None or (stat.st_uid == getuid() and not stat.st_mode & 0o022)


def frequencies(folder: Path | None) -> FrozenFrequencies | None:
    """The mapped table in `folder` (written first if missing); None to let jieba load."""

    def build(target: Path) -> bytes:
        base = jieba.Tokenizer()
        base.tmp_dir = str(target)  # jieba's own cache too: not the shared temporary folder
        base.initialize()
        return encode(base.FREQ, base.total)

    return _mapped(folder, _name(), build)


def names(folder: Path | None) -> FrozenFrequencies | None:
    """The names of jieba's dictionary (kb/names.py) as a mapped table in `folder`;
    None to let the tokenizer read them from the dictionary when first asked."""

    def build(_: Path) -> bytes:
        found = dict.fromkeys(dictionary_names(), 1)
        return encode(found, len(found))

    return _mapped(folder, _name().replace(".freq", f"-{NAMES_VERSION}.names"), build)


def english(folder: Path | None) -> FrozenFrequencies | None:
    """pyspellchecker's English words as a mapped table in `folder` (kb/spelling.py);
    None to let the list be loaded when first needed. Named by the list's own file, so
    that another pyspellchecker writes a new table."""
    spec = importlib.util.find_spec("spellchecker")  # found, not imported: that is the 0.2 s
    if spec is None or spec.origin is None:
        return None
    source = Path(spec.origin).parent / "resources" / "en.json.gz"
    try:
        digest = zlib.crc32(source.read_bytes())
    except OSError:
        return None

    def build(_: Path) -> bytes:
        words = english_word_list()
        return encode(dict.fromkeys(words, 1), len(words))

    return _mapped(folder, f"english-{digest:08x}-{MAGIC.decode()}.words", build)


def _mapped(folder: Path | None, name: str, build: Callable[[Path], bytes]) -> FrozenFrequencies | None:
    """A table kept in `folder` under `name`, written with `build` first if missing."""
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _ours(folder):
            log.info("not using %s for the word tables: another user can write there", folder)
            return None
        path = folder / name
        if not path.is_file():
            tmp = folder / f".tmp-{uuid.uuid4().hex}"
            tmp.write_bytes(build(folder))
            os.replace(tmp, path)
            _drop_stale(folder, path)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as f:
            try:
                return FrozenFrequencies(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
            except ValueError:
                path.unlink(missing_ok=True)  # damaged (empty, truncated): written anew next time
                raise
    except (OSError, ValueError) as exc:
        log.warning("cannot keep %s in %s (%s); loading it the usual way", name, folder, exc)
        return None


def _drop_stale(folder: Path, current: Path) -> None:
    """Tables of the same kind for another jieba or word list (an upgrade, an older naming): nobody
    starts with them again. One still mapped by a running bot stays readable to it."""
    kind = current.name.split("-", 1)[0]  # "jieba", "english"
    for stale in folder.glob(f"{kind}-*{current.suffix}"):
        if stale != current and not stale.is_symlink():
            with contextlib.suppress(OSError):
                stale.unlink()
