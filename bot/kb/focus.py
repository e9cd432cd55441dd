"""What a question is about, and whether the knowledge base knows it at all.

A question that names something the articles never mention ("Sora的训练成本是多少",
"赵鹏入选过国家队吗") must be refused and the name said, not answered with another
subject's sentence that shares the predicate. The test is on characters, not jieba's
words, because jieba cuts unknown names unpredictably ("年松/平康/忠"): every stretch of
the question that also occurs in the best passages (or their titles) is known; what is
left, minus question words, is either paraphrase in ordinary words ("外貌", "得来") or a
name. A name is a leftover stretch that is not a word of the language: not in jieba's
dictionary (Chinese), not an English word (Latin).

Pure: the caller supplies the texts and the two word tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence

# Question and function words: never a topic.
_QUESTION_WORDS = re.compile(
    r"什么|甚么|哪一?(?:个人|个|位|种|些|国|家|年|天|里|儿|边|方)?|谁|多少|多[高长大远重宽深久]|几|何[时处地种]?|怎么|怎样|如何|为什么|为何|为啥"
    r"|是否|是不是|有没有|能否|可否|吗|呢|啊|呀|吧|啥|咋|请问|一下|告诉我|的话|[他她它此该这那其]"
)
_TYPED_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+#\-]*[A-Za-z0-9+#]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+#\-]*[a-z0-9+#]|[a-z]")
_PARENTHETICAL = re.compile(r"\s*[（(][^）)]*[）)]\s*")
MIN_NAME_CHARS = 2


def is_question_word(token: str) -> bool:
    """A question or function word ("何时", "哪个", "谁"): it frames, it names nothing."""
    return _QUESTION_WORDS.sub("", token) == "" or _QUESTION_WORDS.sub("", token) in (
        "个",
        "类",
        "种",
        "地方",
    )


def proper_latin(question: str) -> frozenset[str]:
    """Latin words that the question (as typed) uses as names, lower-cased: in a Chinese
    question those written with a capital ("Sora的训练成本"), in an English one those
    written with a capital after the first word, or in capitals ("run Stable Diffusion",
    "VRAM"). Latin words that are not English words are names anyway (`_is_word`)."""
    words = _TYPED_LATIN.findall(question)
    if _CJK_RUN.search(question):
        # Written as a name ("Sora", "Excel"); capitals alone may be shouting ("DROP TABLE").
        return frozenset(w.lower() for w in words if w[0].isupper() and not w.isupper())
    return frozenset(w.lower() for i, w in enumerate(words) if w[0].isupper() and (i > 0 or w.isupper()))


def title_core(title: str) -> str:
    """A title without its parenthetical ("高英 (北魏)" -> "高英")."""
    return _PARENTHETICAL.sub("", title).strip()


def names_title(question: str, titles: Iterable[str]) -> bool:
    """Whether the (normalised) question names one of the (normalised) titles."""
    return any(len(core) >= MIN_NAME_CHARS and core in question for core in map(title_core, titles))


def _known_mask(question: str, blob: str) -> list[bool]:
    """Which characters of the question lie in a stretch of two or more characters that
    the blob also has."""
    known = [False] * len(question)
    start = 0
    while start < len(question) - 1:
        end = start + 2
        if question[start:end] not in blob:
            start += 1
            continue
        while end < len(question) and question[start : end + 1] in blob:
            end += 1
        for i in range(start, end):
            known[i] = True
        start = end - 1 if end - 1 > start else start + 1
    return known


def unmatched(question: str, text: str, function_chars: Container[str] = ()) -> tuple[float, int]:
    """How much of the (normalised) question's wording `text` lacks: the share of its
    Chinese characters (question words, Latin and function characters aside) that lie in
    no stretch of two or more characters the text also has, and the longest run of them."""
    plain = _without_frames(question)
    known = _known_mask(plain, text)
    kept = [
        (ch, k) for ch, k in zip(plain, known, strict=True) if _CJK_RUN.match(ch) and ch not in function_chars
    ]
    if not kept:
        return 0.0, 0
    runs = "".join(" " if k else "x" for _, k in kept).split()
    return sum(not k for _, k in kept) / len(kept), max(map(len, runs), default=0)


def unknown_focus(
    question: str,
    texts: Iterable[str],
    is_word: Callable[[str], bool],
    function_chars: Container[str] = (),
    words: Sequence[tuple[int, int]] | None = None,
    is_name: Callable[[str], bool] = lambda word: False,
) -> str | None:
    """The longest name in the (normalised) question that none of the (normalised)
    texts contain, or None. `is_word` says whether a leftover stretch is an ordinary
    word of the language (then it is paraphrase, not a name); `function_chars` (的, 是,
    有…) never belong to a name; `words`: where the question's words start and end (a
    name is whole words); `is_name`: whether a word is a name in the dictionary (郑成功):
    one with a character the texts lack must be held whole by them (that they have 成功
    says nothing about 郑成功)."""
    blob = "\n".join(texts)
    boundaries = None if words is None else {i for span in words for i in span}
    # Latin words are known or not as whole words; Chinese by stretches of characters.
    latin = [w for w in _LATIN_WORD.findall(question) if len(w) >= MIN_NAME_CHARS]
    unknown_latin = [w for w in latin if not is_word(w) and not _has_word(blob, w)]
    plain = _without_frames(question)
    known = _known_mask(plain, blob)
    leftover = "".join(
        ch if not k and ch not in function_chars else " " for ch, k in zip(plain, known, strict=True)
    )
    names = [
        match.group(0) for match in _CJK_RUN.finditer(leftover) if _is_name(match, blob, is_word, boundaries)
    ]
    names += unknown_latin
    if words is not None:
        names += [
            question[start:end]
            for start, end in words
            if leftover[start:end].strip() and _unknown_name(question[start:end], blob, is_name, is_word)
        ]
    return max(names, key=len) if names else None


def _unknown_name(
    word: str, blob: str, is_name: Callable[[str], bool], is_word: Callable[[str], bool]
) -> bool:
    """Whether a whole word of the question (one with a character the texts lack) is a
    dictionary name they do not hold. A compound of known words (韩国公司, 青海地区) has
    no such character, so it never gets here."""
    return len(word) >= MIN_NAME_CHARS and is_name(word) and not is_word(word) and word not in blob


def _is_name(
    match: re.Match[str], blob: str, is_word: Callable[[str], bool], boundaries: set[int] | None
) -> bool:
    """Whether a leftover stretch of Chinese is a name the texts lack."""
    run = match.group(0)
    return (
        len(run) >= MIN_NAME_CHARS
        # A name is whole words: a stretch that starts or ends inside one of jieba's
        # words ("国给" of "哪一国给…") is leftover wording, not a name.
        and (boundaries is None or (match.start() in boundaries and match.end() in boundaries))
        and not _reduplicated(run)
        and not is_word(run)
        and run not in blob
    )


def _without_frames(question: str) -> str:
    """The question with its question words and Latin words blanked out: blanked, not
    removed, so that offsets stay those of the question (`unknown_focus`'s boundaries)."""
    return _LATIN_WORD.sub(_blank, _QUESTION_WORDS.sub(_blank, question))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _reduplicated(run: str) -> bool:
    """ "说说", "看看看", "试试看": a verb said twice is a way of speaking, not a name."""
    return len(set(run)) < len(run) and len(set(run)) <= 2


def _has_word(blob: str, word: str) -> bool:
    # After a number, letters are its unit ("5000hz", "8gb"): the unit is what is known.
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z0-9])", blob) is not None
