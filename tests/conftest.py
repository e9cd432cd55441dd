"""Shared fixtures: a clean environment, the shipped vocabulary, and a seed knowledge base."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.kb import asking
from bot.kb.model import Passage, Snapshot
from bot.kb.results import Answer
from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import Vocabulary, load_vocabulary
from bot.service import KnowledgeService
from tests.fakes.bot_api import FakeBotAPI

# Property tests explore at random on a developer's machine and replay a fixed sequence
# in CI, so that CI results are reproducible.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
VOCAB = REPO / "bot" / "vocab"
DATA = Path(__file__).resolve().parent / "data"

_SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A developer's environment or .env must not change test results."""
    for name in _SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is picked up
    yield


def knowledge_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty knowledge folder and a database beside it, set for the CLI to use."""
    folder = tmp_path / "kb"
    folder.mkdir()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(folder))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    return folder


def make_settings(tmp_path: Path, knowledge: Path = KNOWLEDGE, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        database_path=tmp_path / "kb.sqlite3",
        vocab_dir=VOCAB,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return load_vocabulary(VOCAB)


@pytest.fixture(scope="session")
def tokenizer(vocab: Vocabulary) -> Tokenizer:
    return Tokenizer(vocab)


@pytest.fixture(scope="session")
def seed_retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    """The shipped knowledge base, indexed once per test session (in memory)."""

    async def build() -> Retriever:
        settings = make_settings(tmp_path_factory.mktemp("seed"))
        service = await KnowledgeService.open(settings)
        await service.close()
        return service.retriever

    return asyncio.run(build())


@pytest.fixture(scope="session")
def seed_service(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    """The shipped knowledge base as a service whose database is closed: for tests that
    read its snapshot in memory (`answer_to`, `converse(seed_service.retriever, …)`)."""

    async def build() -> KnowledgeService:
        service = await KnowledgeService.open(make_settings(tmp_path_factory.mktemp("seed-service")))
        await service.close()
        return service

    return asyncio.run(build())


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotAPI]:
    """A fake Bot API server for a whole test module (see tests/fakes/bot_api.py)."""
    api = FakeBotAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the shipped articles, for tests that add or reload articles."""
    folder = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(KNOWLEDGE, folder, ignore=shutil.ignore_patterns("vocab"))
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def answer_to(service: KnowledgeService, question: str) -> Answer:
    """The answer the current snapshot gives `question`, synchronously (no log, no conversation)."""
    return asking.ask(service.retriever, question, suggest=False).answer


def tiny_retriever(tokenizer: Tokenizer, *texts: str) -> Retriever:
    """A retriever over one passage (and one article) per text, built in memory."""
    passages = [
        Passage(i, f"a{i}.md", str(i), f"title {i}", None, (), text, tuple(tokenizer.tokens(text)))
        for i, text in enumerate(texts)
    ]
    return Retriever(Snapshot.build(passages, ()), tokenizer)
