"""Every format the bot keeps on disk, with the version that names it.

Later runs read back the stored index (`snapshot_files`), jieba's frequency table
(`kb/frequencies`), the tokens stored with each article (`kb/tokenizer`) and the chunk
rows (`indexer`); each is made anew when its version changes. `Format.sample` is each
encoder's output on a fixed input: `tests/test_formats.py` fails when an output changes
and its version does not, so a stale copy on disk is never read as current.

    python -m bot.formats    # the versions and digests to record in tests/data/formats.json
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from bot import indexer, snapshot_files
from bot.kb import frequencies, tokenizer
from bot.kb.chunking import Chunker
from bot.kb.cleaning import clean_markdown
from bot.kb.model import Passage
from bot.kb.vocab import Vocabulary


@dataclass(frozen=True)
class Format:
    name: str
    version: str
    sample: Callable[[], bytes]  # the encoder's output on a fixed input

    def digest(self) -> str:
        return hashlib.sha256(self.sample()).hexdigest()


_ARTICLE = """# 生成式AI简介

## 什么是AIGC

AIGC（AI Generated Content）指由人工智能生成的内容，包括文本、图像和音频。
它的应用很广。

## 常见工具

- ChatGPT：对话
- Midjourney：绘画

扫码关注公众号，领取资料。
"""


def _passage() -> bytes:
    sample = Passage(
        7,
        "a.md",
        "a",
        "标题",
        None,
        ("一", "二"),
        "正文。",
        ("标题", "正文"),
        ("三",),
        "0t0",
        "content",
        (1, 0, 1),
    )
    return snapshot_files._encode(sample) + snapshot_files.key_for("chunks").encode()


def _frequencies() -> bytes:
    return frequencies.encode({"人工智能": 5, "生成": 3, "AIGC": 2}, 10)


def _tokens() -> bytes:
    words = tokenizer.Tokenizer(Vocabulary()).tokens("什么是AIGC？ Generative AI tools, 2023年的市场规模")
    return " ".join(words).encode()


def _chunks() -> bytes:
    vocab = Vocabulary(promo_markers=("关注公众号",), course_markers=("课程",))
    blocks = clean_markdown(_ARTICLE)
    tokens = [b.text.split() for b in blocks]
    rows, _ = indexer.chunk_rows([("a.md", blocks, tokens, "生成式AI简介")], Chunker(200), vocab)
    return json.dumps(rows, ensure_ascii=False, default=str).encode()


FORMATS = (
    Format("stored index", snapshot_files.FORMAT, _passage),
    Format("frequency table", frequencies.MAGIC.decode(), _frequencies),
    Format("tokens", tokenizer.TOKENIZER_VERSION, _tokens),
    Format("chunks", indexer.BOILERPLATE_VERSION, _chunks),
)


if __name__ == "__main__":
    print(json.dumps({f.name: [f.version, f.digest()] for f in FORMATS}, ensure_ascii=False, indent=2))
