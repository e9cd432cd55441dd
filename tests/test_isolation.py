"""Documents are parsed in a worker with limits; one bad file never stops the index."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.errors import ArticleError
from bot.isolation import IsolatedReader
from bot.kb.readers import Document, read_document
from tests.conftest import KNOWLEDGE, knowledge_folder
from tests.hostile import docx_bomb, with_title, write_hostile_folder
from tests.test_readers import make_docx, make_pdf


def spin(suffix: str, data: bytes, url: str | None) -> Document:
    """A parser that never ends (what a hostile PDF does to pypdf)."""
    while True:
        pass


def hog(suffix: str, data: bytes, url: str | None) -> Document:
    """A parser that takes all the memory it can (a DOCX with a 1 GB text node)."""
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))


def test_a_parser_spinning_is_killed_at_its_cpu_limit() -> None:
    reader = IsolatedReader(cpu_seconds=1, parse=spin)
    started = time.monotonic()
    with pytest.raises(ArticleError, match="1 s of CPU"):
        reader(".pdf", b"%PDF-1.4")
    assert time.monotonic() - started < 10
    reader.close()


def test_a_parser_taking_all_memory_is_stopped_at_its_limit() -> None:
    reader = IsolatedReader(memory_bytes=256 * 2**20, parse=hog)
    with pytest.raises(ArticleError, match=r"memory|MiB"):
        reader(".docx", b"PK")
    reader.close()


def test_after_a_killed_worker_the_next_document_is_read() -> None:
    bad = IsolatedReader(cpu_seconds=1, parse=spin)
    with pytest.raises(ArticleError):
        bad(".pdf", b"")
    good = IsolatedReader()
    document = good(".pdf", make_pdf([["Sora is a video model."], ["Sora makes clips."], ["x"]]))
    assert "Sora is a video model." in document.body and isinstance(document.body, str)
    bad.close()
    good.close()


def test_a_pdf_with_a_metadata_title_is_indexed_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    pdf = make_pdf([["Agents plan and act with tools."], ["Agents call tools."], ["x"]])
    (folder / "agent.pdf").write_bytes(with_title(pdf, "AI智能体（Agent）入门"))
    assert (
        read_document(".pdf", (folder / "agent.pdf").read_bytes())
        .to_markdown()
        .startswith("---\ntitle: AI智能体（Agent）入门")
    )
    assert main(["index"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["ask", "--json", "What do agents call?"]) == 0
    assert "AI智能体（Agent）入门" in capsys.readouterr().out


def test_one_bad_file_is_skipped_with_its_reason_and_the_rest_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("PARSE_CPU_SECONDS", "2")
    make_docx(folder / "suno.docx")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 1000)
    (folder / "note.md").write_text("# Note\n\nSuno can write songs in many styles.\n", encoding="utf-8")
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert "2 added" in out and "broken.pdf" in out


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    with pytest.raises(ArticleError, match=r"unpacks to more than|compressed more than"):
        read_document(".docx", docx_bomb(80))


def test_an_unchanged_bad_file_is_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    (folder / "note.md").write_text("# Note\n\nSuno can write songs in many styles.\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 1000)
    calls: list[str] = []
    parse = IsolatedReader.__call__

    def counting(self: IsolatedReader, suffix: str, data: bytes, url: str | None = None) -> Document:
        calls.append(suffix)
        return parse(self, suffix, data, url)

    monkeypatch.setattr(IsolatedReader, "__call__", counting)
    assert main(["index"]) == 0
    first = capsys.readouterr().out
    assert main(["index"]) == 0
    second = capsys.readouterr().out
    assert calls == [".pdf"], "parsed once, remembered as skipped"
    reason = [line for line in first.splitlines() if "broken.pdf" in line]
    assert reason and reason == [line for line in second.splitlines() if "broken.pdf" in line]
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00other" * 1000)
    assert main(["index"]) == 0
    assert calls == [".pdf", ".pdf"], "a changed file is read again"


def _seeds() -> dict[str, bytes]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "word/document.xml", "<w:document><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body>"
        )
    return {
        ".pdf": make_pdf([["Sora is a video model."], ["Sora makes clips."], ["x"]]),
        ".docx": out.getvalue(),
        ".html": b"<html><head><title>t</title></head><body><p>"
        + "正文".encode() * 50
        + b"</p></body></html>",
    }


SEEDS = _seeds()


@settings(max_examples=40, deadline=None)
@given(
    suffix=st.sampled_from(sorted(SEEDS)),
    cut=st.integers(min_value=0, max_value=5000),
    noise=st.binary(max_size=64),
    at=st.integers(min_value=0, max_value=5000),
)
def test_every_reader_turns_mutated_bytes_into_a_document_or_a_skip(
    suffix: str, cut: int, noise: bytes, at: int
) -> None:
    """Random and mutated bytes: a document or ArticleError, never another exception."""
    seed = SEEDS[suffix]
    data = seed[: len(seed) - cut % max(len(seed), 1)]
    position = at % (len(data) + 1)
    data = data[:position] + noise + data[position + len(noise) :]
    try:
        document = read_document(suffix, data)
    except ArticleError:
        return
    assert isinstance(document.body, str) and isinstance(document.to_markdown(), str)


def test_a_folder_of_hostile_documents_is_indexed_around_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = knowledge_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("PARSE_CPU_SECONDS", "2")  # the slow Word document is stopped sooner
    expected = write_hostile_folder(folder, KNOWLEDGE, gigabyte=False)
    started = time.monotonic()
    assert main(["index"]) == 0
    first = capsys.readouterr().out
    skipped = dict(
        line.strip()[len("skipped: ") :].split(": ", 1) for line in first.splitlines() if "skipped:" in line
    )
    assert set(skipped) == {name for name, why in expected.items() if why}
    for name, why in expected.items():
        assert why is None or why in skipped[name], (name, skipped.get(name))
    assert time.monotonic() - started < 60
    again = time.monotonic()
    assert main(["index"]) == 0
    assert "0 added, 0 changed" in capsys.readouterr().out and time.monotonic() - again < 10
    assert main(["ask", "--json", "What do agents act with?"]) == 0
    assert "AI智能体（Agent）入门" in capsys.readouterr().out, "the good PDF answers, with its title"
