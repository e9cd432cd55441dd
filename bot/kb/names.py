"""Which dictionary words are names: jieba's part-of-speech tags, with their noise cut.

jieba's dictionary tags each word; person, place and organisation tags (nr, ns, nt,
nrt, nrfg) mark names such as 郑成功, 长崎县, 南华早报. Its "other proper noun" tag (nz)
is left out: it marks as many everyday words (万能, 英文) as names. A question
naming one that the knowledge base never mentions is about something else, even though
the word is ordinary vocabulary to jieba (kb/focus.py). The tags are noisy, so two
general filters apply: a frequent word is kept out whatever its tag (东西 ns, 明白 nr
are everyday words; the names that matter here are rare), and two-character
organisation entries are left out (招人, 中箭, 最省: mostly abbreviations and mis-tagged
verbs).

Pure: the caller reads the dictionary lines ("word frequency tag").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Bump when the filters below change: the mapped table of names (bot/dictionary.py) is
# named by it, so a changed filter writes a new table instead of reading a stale one.
NAMES_VERSION = 2
PROPER_TAGS = frozenset({"nr", "ns", "nt", "nrt", "nrfg"})
# jieba's counts over ~60 million words: above this a word is everyday vocabulary.
MAX_NAME_FREQUENCY = 1000
MIN_ORGANISATION_CHARS = 3


def proper_names(lines: Iterable[str]) -> Iterator[str]:
    """The names among dictionary lines "word frequency tag" (other lines are skipped)."""
    for line in lines:
        parts = line.split()
        if len(parts) < 3 or parts[2] not in PROPER_TAGS or len(parts[0]) < 2:
            continue
        word, frequency, tag = parts[0], parts[1], parts[2]
        if not frequency.isdigit() or int(frequency) > MAX_NAME_FREQUENCY:
            continue
        if tag == "nt" and len(word) < MIN_ORGANISATION_CHARS:
            continue
        yield word
