"""jieba's dictionary as a mapped table: the same segmentation, without loading it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot import dictionary
from bot.kb import spelling
from bot.kb.frequencies import FrozenFrequencies, encode
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import Vocabulary
from tests.conftest import KNOWLEDGE


def test_the_table_answers_like_the_dict() -> None:
    words = {"人工智能": 5, "人工": 3, "人": 0, "aigc": 7, "生成式": 2}
    table = FrozenFrequencies(encode(words, 17))
    assert table.total == 17
    for word, count in words.items():
        assert word in table and table[word] == count and table.get(word) == count
    assert "智能" not in table and table.get("智能") is None and table.get("智能", 1) == 1
    with pytest.raises(KeyError):
        table["智能"]
    table["智能"] = 4  # jieba's add_word
    assert table["智能"] == 4 and table.materialize() == {**words, "智能": 4}
    assert sorted(table) == sorted([*words, "智能"]) and len(table) == 6


def test_an_empty_or_damaged_table() -> None:
    assert FrozenFrequencies(encode({}, 0)).get("x") is None
    for junk in (b"", b"short", b"not a table at all, not at all...."):
        with pytest.raises(ValueError):
            FrozenFrequencies(junk)
    with pytest.raises(ValueError):
        FrozenFrequencies(encode({"词": 1}, 1)[:-2])


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, vocab: Vocabulary) -> Tokenizer:
    table = dictionary.frequencies(tmp_path_factory.mktemp("index"))
    assert table is not None
    return Tokenizer(vocab, frequencies=table)


def test_questions_segment_exactly_as_with_jiebas_own_dictionary(
    mapped: Tokenizer, tokenizer: Tokenizer
) -> None:
    for question in [
        "什么是AIGC？",
        "AIGC人才薪资怎么样",
        "Stable Diffusion和Midjourney有什么区别",
        "怎么做红烧肉",
    ]:
        assert mapped.query_terms(question) == tokenizer.query_terms(question)
        assert mapped.tokens(question) == tokenizer.tokens(question)


def test_articles_segment_exactly_as_with_jiebas_own_dictionary(
    tmp_path: Path, vocab: Vocabulary, tokenizer: Tokenizer
) -> None:
    texts = [line for path in sorted(KNOWLEDGE.iterdir()) for line in path.read_text().splitlines() if line]
    fresh = Tokenizer(vocab, frequencies=dictionary.frequencies(tmp_path))
    assert [fresh.tokens(t) for t in texts[:20]] == tokenizer.tokens_many(texts[:20])
    # Bulk work switches to a plain dict first, with the same result.
    assert fresh.tokens_many(texts) == tokenizer.tokens_many(texts)


def test_the_table_is_written_once_and_reused(tmp_path: Path) -> None:
    first = dictionary.frequencies(tmp_path)
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".freq"]
    stamp = written.stat().st_mtime_ns
    again = dictionary.frequencies(tmp_path)
    assert first is not None and again is not None and again.total == first.total
    assert written.stat().st_mtime_ns == stamp


def test_the_dictionarys_names_are_a_table_beside_it(tmp_path: Path, vocab: Vocabulary) -> None:
    names = dictionary.names(tmp_path)
    assert names is not None and "郑成功" in names and "长崎县" in names and "东西" not in names
    assert [p.suffix for p in tmp_path.iterdir() if p.suffix == ".names"] == [".names"]
    tokenizer = Tokenizer(vocab, names=names)
    assert tokenizer.is_proper_name("郑成功") and not tokenizer.is_proper_name("成功")
    # Without a table, the tokenizer reads the same names from jieba's dictionary.
    assert Tokenizer(vocab).is_proper_name("郑成功") and not Tokenizer(vocab).is_proper_name("东西")


def test_a_new_table_replaces_those_of_another_jieba(tmp_path: Path) -> None:
    old = tmp_path / "jieba-0.42.1-5071852-1796282338520626004-AIGCFRQ2.freq"  # named by time
    old.write_bytes(b"old")
    assert dictionary.frequencies(tmp_path) is not None
    assert not old.exists() and len(list(tmp_path.glob("*.freq"))) == 1


def test_a_damaged_table_is_written_anew(tmp_path: Path) -> None:
    assert dictionary.frequencies(tmp_path) is not None
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".freq"]
    written.write_bytes(written.read_bytes()[:1000])
    assert dictionary.frequencies(tmp_path) is None  # this start loads jieba as usual...
    assert dictionary.frequencies(tmp_path) is not None  # ...the next one has it again


def test_no_folder_or_an_unusable_one_lets_jieba_load_as_usual(tmp_path: Path) -> None:
    assert dictionary.frequencies(None) is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert dictionary.frequencies(blocker / "below") is None
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # anyone could have put a table there
    assert dictionary.frequencies(shared) is None
    assert not list(shared.iterdir())


def test_a_linked_folder_or_table_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another local user could prepare a link where the table goes: never followed."""
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(real, target_is_directory=True)
    assert dictionary.frequencies(link) is None
    assert not list(real.iterdir()), "nothing written through the link"
    own = tmp_path / "own"
    own.mkdir(mode=0o700)
    assert dictionary.frequencies(own) is not None
    (table,) = [p for p in own.iterdir() if p.suffix == ".freq"]
    planted = tmp_path / "planted.freq"
    table.rename(planted)
    table.symlink_to(planted)
    assert dictionary.frequencies(own) is None  # the link is refused, not read


def test_the_table_lives_in_the_users_cache_not_the_temporary_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setenv("XDG_CACHE_HOME", "/home/someone/.cache")
    assert dictionary.shared_folder() == Path("/home/someone/.cache/aigc-bot")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert not dictionary.shared_folder().is_relative_to(tempfile.gettempdir())


def test_a_table_overwritten_in_place_never_hangs_a_question(tmp_path: Path, vocab: Vocabulary) -> None:
    """Same size, other bytes: refused at the next start (and written anew after); under
    a live mapping, words go missing and nothing hangs."""
    table = dictionary.frequencies(tmp_path)
    assert table is not None
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".freq"]
    size = written.stat().st_size
    with open(written, "r+b") as f:  # in place: the live mapping sees it
        f.seek(64)
        f.write(b"\x01\x00\x00\x00" * ((size - 64) // 4))
    started = time.monotonic()
    assert Tokenizer(vocab, frequencies=table).tokens("什么是AIGC？") is not None
    assert time.monotonic() - started < 5
    assert dictionary.frequencies(tmp_path) is None  # the next start refuses it...
    assert dictionary.frequencies(tmp_path) is not None  # ...and the one after has it again


def test_the_english_words_are_a_table_too(tmp_path: Path) -> None:
    table = dictionary.english(tmp_path)
    assert table is not None and [p.suffix for p in tmp_path.iterdir()] == [".words"]
    words = spelling.english_word_list()
    assert all(w in table for w in words[::97]) and "aigc" not in table and "稳定" not in table
    # Spelling asks the table, with the answers the loaded list gives.
    try:
        spelling.use_table(table)
        spelling._english_words.cache_clear()
        assert [spelling.is_english_word(w) for w in ("words", "diffusion", "midjourney")] == [
            True,
            True,
            False,
        ]
        spelling.load_english_words()
        assert spelling._english_words.cache_info().currsize == 0  # nothing was loaded
    finally:
        spelling.use_table(None)
    assert [spelling.is_english_word(w) for w in ("words", "diffusion", "midjourney")] == [True, True, False]
