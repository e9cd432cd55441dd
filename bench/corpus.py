"""Deterministic synthetic Chinese corpus and query set for the benchmarks.

Passages recombine the seed articles' sentences (already tokenised by the project's
tokenizer) with words drawn from jieba's dictionary, so the vocabulary grows with the
corpus as it would with real articles. Every engine gets exactly these tokens.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import jieba

from bot.config import PACKAGED_VOCAB_DIR
from bot.kb.cleaning import clean_markdown, split_sentences
from bot.kb.ingest import list_article_files, read_article
from bot.kb.tokenizer import Tokenizer
from bot.kb.vocab import load_vocabulary

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
SEED = 20261122
ENGLISH = [
    "what is AIGC",
    "AIGC salary",
    "which tools exist",
    "future of the AIGC industry",
    "How much do AIGC jobs pay?",
    "AIGC market size",
    "AIGC copyright challenge",
    "learning roadmap",
]


@dataclass
class Corpus:
    sentences: list[str]
    passages: list[list[str]]  # tokens
    texts: list[str]
    queries: list[list[str]]  # tokens, the same for every engine
    questions: list[str]  # the raw questions behind the first queries (for the full search path)


def tokenizer() -> Tokenizer:
    return Tokenizer(load_vocabulary(PACKAGED_VOCAB_DIR))


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in list_article_files(KNOWLEDGE, (PACKAGED_VOCAB_DIR,)):
        for block in clean_markdown(read_article(path, KNOWLEDGE).body):
            if block.kind != "heading":
                sentences.extend(s for s in split_sentences(block.text) if len(s) >= 8)
    return sentences


def dictionary_words() -> list[str]:
    words = []
    with jieba.get_dict_file() as handle:
        for raw in handle:
            word, freq, *_ = raw.decode("utf-8").split()
            if len(word) >= 2 and int(freq) >= 3:
                words.append(word)
    return words


def build(size: int, tok: Tokenizer, queries: int = 200) -> Corpus:
    rng = random.Random(SEED)
    sentences = seed_sentences()
    sentence_tokens = [tok.tokens(s) for s in sentences]
    vocab = dictionary_words()
    rng.shuffle(vocab)
    passages: list[list[str]] = []
    texts: list[str] = []
    word_tokens: dict[str, list[str]] = {}
    for _ in range(size):
        picked = rng.sample(range(len(sentences)), rng.randint(2, 5))
        # Zipf-like draw: a few dictionary words are common, most are rare.
        extra = [
            vocab[min(int(rng.paretovariate(0.6)) - 1, len(vocab) - 1)] for _ in range(rng.randint(3, 10))
        ]
        tokens = [t for i in picked for t in sentence_tokens[i]]
        for word in extra:
            if word not in word_tokens:
                word_tokens[word] = tok.tokens(word)
            tokens.extend(word_tokens[word])
        passages.append(tokens)
        texts.append("".join(sentences[i] for i in picked) + "".join(extra))
    questions = [
        json.loads(line)["q"]
        for name in ("dev.jsonl", "dev_hard.jsonl")
        for line in (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line
    ]
    questions += ENGLISH
    query_tokens = [list(dict.fromkeys(t.token for t in tok.query_terms(q))) for q in questions]
    seen_vocab = sorted({t for p in passages[: min(size, 5000)] for t in p})
    while len(query_tokens) < queries:
        query_tokens.append(rng.sample(seen_vocab, rng.randint(2, 4)))
    return Corpus(sentences, passages, texts, [q for q in query_tokens if q], questions)
