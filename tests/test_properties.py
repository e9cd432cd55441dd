"""Property-based tests: tokenizer, chunker and formatter never crash on any input, and the
formatter's output is always Telegram HTML that parses, in messages of at most 4096."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.formatting import MAX_MESSAGE, pack, render_answer, render_no_answer, render_passages, tg_length
from bot.kb.chunking import Chunker
from bot.kb.cleaning import clean_markdown
from bot.kb.model import Passage
from bot.kb.results import Answer, Cited, ScoredPassage, Source
from bot.kb.retrieval import Retriever
from bot.kb.tokenizer import Tokenizer
from tests.fakes.telegram_html import parse_html

# Text that looks like what reaches the bot: CJK, Latin, markup characters, emoji,
# zero-width and right-to-left marks, astral characters, newlines.
SPECIAL = ["\u200b", "\u200f", "\u202e", "😀", "𠀀", "\ufeff", "ａ", "．", "。", "？"]
ALPHABET = st.sampled_from([*"AIGC是什么的工具薪资 \n\t<>&\"'*_`#>[]()!-|~{}", *SPECIAL]) | st.characters()
TEXT = st.text(ALPHABET, max_size=600)
# st.characters() includes lone surrogates on purpose: JSON from a client can carry them.
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=TEXT)
def test_tokenizer_never_crashes(tokenizer: Tokenizer, text: str) -> None:
    tokens = tokenizer.tokens(text)
    assert all(token and " " not in token for token in tokens)
    tokenizer.query_terms(text)


@FAST
@given(body=TEXT, max_chars=st.integers(min_value=50, max_value=800))
def test_cleaning_and_chunking_never_crash(body: str, max_chars: int) -> None:
    blocks = clean_markdown(body)
    specs = Chunker(max_chars=max_chars, min_chars=max_chars // 4).chunk(blocks)
    used = [i for spec in specs for i in spec.block_ids]
    assert len(used) == len(set(used)), "a block lands in one passage only"
    assert all(0 <= i < len(blocks) for i in used)


@FAST
@given(
    sentences=st.lists(TEXT.filter(str.strip), min_size=1, max_size=12),
    titles=st.lists(TEXT, min_size=1, max_size=4),
    url=st.one_of(st.none(), st.just('https://a.org/?q=<x>&y="1"'), TEXT),
    highlight=st.lists(TEXT, max_size=4),
)
def test_answers_are_always_valid_telegram_html(
    sentences: list[str], titles: list[str], url: str | None, highlight: list[str]
) -> None:
    sources = tuple(Source(title, url) for title in titles)
    passages = tuple(
        ScoredPassage(Passage(i, "a.md", "1", t, url, (t,), s, ()), 1.0, ())
        for i, (t, s) in enumerate(zip(titles, sentences, strict=False))
    )
    half = len(sentences) // 2
    answer = Answer(
        "q",
        True,
        lead=tuple(Cited(x, 1) for x in sentences[:half]),
        items=tuple(Cited(x, 1) for x in sentences[half:]),
        see_also=tuple(Cited(t, 1) for t in titles[:1]),
        sources=sources,
        highlight=tuple(highlight),
        passages=passages,
    )
    for lang in ("zh", "en"):
        for message in [
            *render_answer(answer, lang),
            *render_passages(answer, lang),
            render_no_answer(lang, titles),
        ]:
            assert tg_length(message) <= MAX_MESSAGE
            parse_html(message)


@FAST
@given(
    units=st.lists(
        st.text(ALPHABET, max_size=6000).map(lambda s: s.replace("<", "&lt;").replace("&", "&amp;")),
        max_size=5,
    )
)
def test_packing_keeps_every_message_within_the_limit(units: list[str]) -> None:
    for message in pack(units):
        assert tg_length(message) <= MAX_MESSAGE
        parse_html(message)


@FAST
@given(question=TEXT)
def test_search_never_crashes(seed_retriever: Retriever, question: str) -> None:
    result = seed_retriever.search(question)
    assert result.answered == bool(result.passages)
    seed_retriever.suggestions(question)
