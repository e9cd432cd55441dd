"""Question -> ranked, diversified passages, with a calibrated no-answer decision.

Over one Snapshot: no storage, no Telegram, easy to test. What it derives per passage
(token sets, heading grams) is kept in the snapshot's bounded memo.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.kb.bilingual import translations
from bot.kb.coverage import IDF_FLOOR, SINGLE_CHAR_WEIGHT, SINGLE_CJK, Coverage, Covered
from bot.kb.focus import is_question_word, names_title, proper_latin, unknown_focus, unmatched
from bot.kb.gate import CONTENT_CAP, UNMATCHED_CAP, VERBATIM_CAP, shipped_gate
from bot.kb.homophones import Homophones
from bot.kb.intent import PRECEDENCE, IntentDetector, QuestionIntent
from bot.kb.model import Passage, Snapshot
from bot.kb.results import Analysis, Contribution, RetrievalConfig, ScoredPassage, SearchResult
from bot.kb.shorthand import expand_shorthand
from bot.kb.similarity import dice, jaccard, longest_shared
from bot.kb.spelling import is_english_word
from bot.kb.suggestions import SuggestionIndex, pervasive_words, plain_grams
from bot.kb.thesaurus import synonyms
from bot.kb.tokenizer import QueryTerm, Tokenizer
from bot.kb.vocab import normalize_text

CANDIDATES = 60
FOCUS_PASSAGES = 10  # a name the question's best passages lack is unknown to the knowledge base
NEAREST = 50  # BM25 matches whose titles may pad "did you mean"
SAME_PASSAGE = 0.8  # token Jaccard at which two passages say the same (sentences: NEAR_DUPLICATE)
_FUZZY_CANDIDATE = re.compile(r"[a-z][a-z0-9+#.\-]{3,}")
_FUZZY_LINE = re.compile(f"^(?:{_FUZZY_CANDIDATE.pattern})$", re.MULTILINE)  # the same, per line
HEADING_DECAY = 0.7
# How much an English question word counts, literally, when it also has a translation.
TRANSLATED_LITERAL_WEIGHT = 0.3
# How much a word found in most passages ("AIGC") counts when choosing sentences.
UBIQUITOUS_SENTENCE_WEIGHT = 0.15
# How much a Chinese question word the index lacks counts when choosing sentences: the
# tokenizer may have split the articles' phrasing of it ("写一首歌" for "写歌").
UNKNOWN_SENTENCE_WEIGHT = 0.5
# An English word the bilingual dictionary translates: at most this many of its senses
# that the index uses (each at the learned "dictionary" weight: a dictionary does not
# know which sense the domain means).
MAX_TRANSLATIONS = 4
# Synonyms kept per word: a word's classes run to dozens of words over all its senses.
MAX_SYNONYMS = 3
_UNKNOWN_WORD = re.compile(r"[\u3400-\u9fff]{2,4}")
_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
# The single-character prepositions, conjunctions and particles of jieba's dictionary
# (tagged p, c, u), and the written demonstratives 此 and 该: what jieba glues to a
# neighbouring word it does not know ("由威廉", "此鱼").
_FUNCTION_CHARS = frozenset("与为之于从以及同向和在对把按比由的给自被跟此该")
# A question word and the kind of thing it asks, as jieba may cut them: "何年", "哪一部".
_ASKED_SLOT = re.compile(r"(?:何|哪一?|几)[\u3400-\u9fff]")


class Verdict(NamedTuple):
    """The refusal decision: coverage, why refused ("" when answered), the unknown name,
    and the learned gate's features when it was consulted."""

    coverage: float
    reason: str = ""
    missing: str = ""
    evidence: tuple[float, ...] = ()


class Retriever:
    """Searches one snapshot. Cheap to build; make a new one for each snapshot."""

    def __init__(
        self, snapshot: Snapshot, tokenizer: Tokenizer, config: RetrievalConfig | None = None
    ) -> None:
        self.snapshot = snapshot
        self.tokenizer = tokenizer
        self.config = config or RetrievalConfig()
        index = snapshot.index
        self.judge = Coverage(index, tokenizer, self.config, snapshot.memo)
        self._suggestions: SuggestionIndex | None = None
        self._suggestions_lock = threading.Lock()
        # Built now rather than on the first misspelt word, so no question pays for it:
        # one scan over the words joined by lines (tokens hold no whitespace), ~2x
        # faster than matching 200k words one by one.
        self._latin_vocab = _FUZZY_LINE.findall("\n".join(index.vocabulary))
        self._intents = IntentDetector(tokenizer.vocab.intents)
        self._course = snapshot.course
        self._pervasive = pervasive_words(index, self.config.heading_ignore_df)
        self._function_chars = (
            frozenset(w for w in tokenizer.vocab.stopwords if len(w) == 1) | _FUNCTION_CHARS
        )
        self._function_strip = "".join(sorted(self._function_chars))  # for str.strip
        self.gate = shipped_gate()
        self._homophones = Homophones(index.vocabulary)

    def token_set(self, doc: int) -> frozenset[str]:
        """A passage's distinct tokens, kept for the passages questions keep meeting."""
        snapshot = self.snapshot

        def make() -> frozenset[str]:
            return frozenset(snapshot.passages[doc].tokens)

        return snapshot.kept("token sets", doc, make)

    def is_ubiquitous(self, token: str) -> bool:
        return self.judge.is_ubiquitous(token)

    def query_terms(self, question: str) -> list[QueryTerm]:
        """The tokenizer's terms, plus the index's pieces of a name jieba glued to its
        neighbour and close spellings of Latin words the index lacks."""
        terms = [
            QueryTerm(t.token, t.weight * SINGLE_CHAR_WEIGHT, t.group, t.origin)
            if len(t.token) == 1 and SINGLE_CJK.match(t.token)
            else t
            for t in self.tokenizer.query_terms(question)
        ]
        index = self.snapshot.index
        terms = self._unglued(terms)
        known = {t.token for t in terms}
        for term in list(terms):
            if term.origin != "question" or index.df(term.token):
                continue
            for extra in self._stand_ins(term.token, terms):
                if extra.token not in known:
                    known.add(extra.token)
                    terms.append(extra)
        return terms

    def _unglued(self, terms: list[QueryTerm]) -> list[QueryTerm]:
        """Question words jieba guessed that the index never holds: a question word with
        the kind of thing it asks ("何年", "哪一部", "几层") frames the question and is
        dropped; a word glued to a function character ("坚于", "由威廉", from "苻坚於何年")
        is the word without it when the index holds that."""
        index = self.snapshot.index
        renamed: dict[str, str] = {}
        out: list[QueryTerm] = []
        for t in terms:
            if t.origin == "question" and not index.df(t.token) and _ALL_CJK.fullmatch(t.token):
                if _ASKED_SLOT.fullmatch(t.token):
                    renamed[t.token] = ""
                    continue
                bare = t.token.strip(self._function_strip)
                if bare and bare != t.token and index.df(bare):
                    renamed[t.token] = bare
                    if all(o.token != bare for o in (*terms, *out)):
                        weight = t.weight * SINGLE_CHAR_WEIGHT if len(bare) == 1 else t.weight
                        out.append(QueryTerm(bare, weight, bare, t.origin))
                    continue
            out.append(t)
        if not renamed:
            return terms
        return [
            QueryTerm(t.token, t.weight, renamed[t.group], t.origin) if renamed.get(t.group) else t
            for t in out
            if renamed.get(t.group) != ""
        ]

    def sounds_like(self, question: str) -> str:
        """The question with its homophone typos read as the index words they sound like
        ("薪姿" -> "薪资"), or "" if it has none. Never applied silently (`asking.ask`
        says so, and only offers it to a refused question): a name the articles lack
        ("高登") can sound like a word they have ("高等"), and must be refused, not bent."""
        normal = normalize_text(question)
        index, stop = self.snapshot.index, self.tokenizer.vocab.stopwords

        def content(word: str) -> bool:
            return bool(_ALL_CJK.fullmatch(word)) and word not in stop and not is_question_word(word)

        # jieba's words, with runs of lone characters joined: a typo may split a word
        # into characters ("前竟" -> 前 | 竟) instead of gluing it to a neighbour. A run
        # needs a character that is not a function word ("我是" is no typo of 卧室).
        spans: list[tuple[int, int]] = []
        run = False  # whether the last span is a run of lone characters
        for start, end in self.tokenizer.word_spans(normal):
            lone = end - start == 1 and bool(_ALL_CJK.fullmatch(normal[start]))
            if lone and run and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
            run = lone
        suspects = [
            (start, end)
            for start, end in spans
            if content(normal[start:end])
            and any(content(ch) for ch in normal[start:end])
            and not index.df(normal[start:end])
        ]
        corrected = self._homophones.correct(normal, suspects, index.df, self.tokenizer.is_dictionary_word)
        if corrected == normal:
            return ""
        if len(normal) != len(question):
            return corrected
        # As typed (case, traditional characters), but for the characters corrected.
        return "".join(c if n == m else m for c, n, m in zip(question, normal, corrected, strict=True))

    def _stand_ins(self, word: str, terms: Sequence[QueryTerm]) -> list[QueryTerm]:
        """Index words that stand for a question word the index lacks."""
        df = self.snapshot.index.df
        weights = self.tokenizer.weights
        # The glossary or the admins' synonyms already translated it.
        translated = any(t.group == word and t.origin != "question" and df(t.token) for t in terms)
        if _ALL_CJK.fullmatch(word):
            # The thesaurus's synonyms that this knowledge base uses ("饭碗" -> 工作).
            # Words, not single characters: "干" is 干涉 as often as 做.
            known = [] if translated or len(word) < 2 else [w for w in synonyms(word) if len(w) > 1 and df(w)]
            known = known[:MAX_SYNONYMS]
            found = [QueryTerm(w, weights["thesaurus"], word, "thesaurus") for w in known]
            if len(word) > 2:
                # jieba glued a name the index knows to its neighbour ("黄华麒是"): the
                # longest pieces of it that the index has stand for it.
                weight = weights["subword"]
                found += [QueryTerm(piece, weight, word, "subword") for piece in self._known_pieces(word)]
            return found
        if translated or not _FUZZY_CANDIDATE.fullmatch(word):
            return []
        # The bilingual dictionary's translations that this knowledge base uses.
        known = [w for w in translations(word) if df(w)][:MAX_TRANSLATIONS]
        if known:
            return [QueryTerm(w, weights["dictionary"], word, "dictionary") for w in known]
        if is_english_word(word):
            return []  # a real word ("words") is not a misspelt index word ("word")
        return [QueryTerm(match, weights["fuzzy"], word, "fuzzy") for match in self._fuzzy(word)]

    def _known_pieces(self, word: str) -> list[str]:
        """The longest substrings (two characters or more) of a word that the index has,
        none inside another."""
        df = self.snapshot.index.df
        found: list[str] = []
        for size in range(len(word) - 1, 1, -1):
            for start in range(len(word) - size + 1):
                piece = word[start : start + size]
                if df(piece) and not any(piece in longer for longer in found):
                    found.append(piece)
        return found

    def _fuzzy(self, word: str) -> list[str]:
        """Index words within 1 edit (2 for long words), transpositions counting as one."""
        limit = 1 if len(word) <= 5 else 2
        found = process.extract(word, self._latin_vocab, scorer=OSA.distance, score_cutoff=limit, limit=3)
        best = min((score for _, score, _ in found), default=None)
        return [choice for choice, score, _ in found if score == best]

    def explain(self, result: SearchResult, scored: ScoredPassage) -> tuple[list[Contribution], float]:
        """Why a passage ranked: each matched term's BM25 contribution, and the heading bonus."""
        index = self.snapshot.index
        parts = [
            Contribution(
                t.token, t.origin, t.group, t.weight, t.weight * index.contribution(t.token, scored.doc)
            )
            for t in result.terms
        ]
        parts = sorted((p for p in parts if p.score > 0), key=lambda p: -p.score)
        bm25 = sum(p.score for p in parts)
        return parts, scored.score - bm25

    def suggestion_index(self) -> SuggestionIndex:
        """The snapshot's, when built with the same pervasive words; else built once here."""
        with self._suggestions_lock:
            if self._suggestions is None:
                stored = self.snapshot.suggestions
                self._suggestions = (
                    stored
                    if stored is not None and stored.pervasive == self._pervasive
                    else SuggestionIndex.build(self.snapshot.names, self._pervasive)
                )
            return self._suggestions

    def suggestions(self, question: str, limit: int = 3, nearest: Sequence[int] | None = None) -> list[str]:
        """Headings or titles closest to the question ("did you mean"), best first.
        `nearest`: the question's best BM25 matches when a search has just found them."""
        suggestions = self.suggestion_index()
        grams = suggestions.grams_of(" ".join([question, *self.tokenizer.translations(question)]))
        ranked = suggestions.closest(grams, limit)
        if len(ranked) >= limit:
            return ranked
        # Pad with the titles of the articles BM25 finds nearest, then any titles.
        if nearest is None:
            terms = self.query_terms(question)
            nearest = self.snapshot.index.top([(t.token, t.weight) for t in terms], NEAREST).ids.tolist()
        titles = [self.snapshot.title_of(d) for d in nearest] + [a.title for a in self.snapshot.articles]
        for title in titles:
            if len(ranked) >= limit:
                break
            if title not in ranked:
                ranked.append(title)
        return ranked

    def entities(self, text: str) -> list[str]:
        """The admins' domain terms a text names ("ChatGPT", "文心一言"), rare ones only:
        what an answer was about, for a follow-up's "它"."""
        return [
            w
            for w in dict.fromkeys(self.tokenizer.words(text))
            if w in self.judge.domain_terms and not self.is_ubiquitous(w)
        ]

    def is_domain_term(self, token: str) -> bool:
        return self.judge.is_domain_term(token)

    def analyse(
        self, question: str, context: Sequence[QueryTerm] = (), context_intent: str | None = None
    ) -> Analysis:
        """Terms, intent and term values of a question: computed once per question.

        `context` are words carried from the previous turn of a conversation (origin
        "context", reduced weight); they rank and compose but never decide coverage.
        Chat shorthand the index does not use is read as its words first ("zm" 怎么).
        """
        normal = normalize_text(question)
        written_out = expand_shorthand(normal, lambda w: bool(self.snapshot.index.df(w)))
        if written_out != normal:
            question = written_out
        own = self.query_terms(question)
        mine = {t.token for t in own}
        terms = tuple([*own, *(t for t in context if t.token not in mine)])
        index = self.snapshot.index
        ubiquitous = frozenset(t.token for t in terms if self.is_ubiquitous(t.token))
        unknown = frozenset(
            t.token
            for t in terms
            if t.origin == "question" and not index.df(t.token) and _UNKNOWN_WORD.fullmatch(t.token)
        )
        weights = self._term_values(terms, ubiquitous, unknown)
        limit = self.config.heading_ignore_df * index.size
        pervasive = frozenset(t for t in ubiquitous if index.df(t) > limit)
        intent = self._intents.detect(question)
        if context_intent and intent.intent == "general" and context_intent in PRECEDENCE:
            intent = QuestionIntent(context_intent, intent.learning)
        return Analysis(question, terms, intent, weights, ubiquitous, pervasive, unknown)

    def _term_values(
        self, terms: Sequence[QueryTerm], ubiquitous: frozenset[str], unknown: frozenset[str]
    ) -> dict[str, float]:
        """What finding each term in a sentence is worth: its weight times its idf;
        ubiquitous words little, unknown names much, question words nothing."""
        index = self.snapshot.index
        top_idf = max(self.judge.max_idf, 1.0)
        weights: dict[str, float] = {}
        for t in terms:
            value = t.weight * max(index.idf(t.token), IDF_FLOOR if index.df(t.token) else 0.0)
            if t.token in ubiquitous:
                value = t.weight * UBIQUITOUS_SENTENCE_WEIGHT * top_idf
            weights[t.token] = max(weights.get(t.token, 0.0), value)
        # An English word with a glossary translation speaks through the translation: its
        # literal matches ("Content" inside "Generated Content") are incidental.
        translated = {t.group for t in terms if t.origin in ("glossary", "dictionary")}
        for t in terms:
            if t.origin == "question" and t.token in translated and t.token.isascii():
                weights[t.token] *= TRANSLATED_LITERAL_WEIGHT
        for token in unknown:
            weights[token] = UNKNOWN_SENTENCE_WEIGHT * top_idf
        for t in terms:
            if is_question_word(t.group):
                weights[t.token] = 0.0  # "哪几个", "何时": they frame the question, name nothing
        return weights

    def search(self, question: str | Analysis, k: int = 3, offset: int = 0) -> SearchResult:
        """The k best passages after `offset` (for "more"), diversified."""
        analysis = question if isinstance(question, Analysis) else self.analyse(question)
        text, terms = analysis.question, analysis.terms

        def refuse(
            coverage: float, reason: str, nearest: Sequence[int] = (), missing: str = ""
        ) -> SearchResult:
            return SearchResult(
                text, False, (), terms, coverage, reason, analysis, tuple(nearest[:NEAREST]), missing
            )

        index = self.snapshot.index
        if not terms or index.size == 0:
            return refuse(0.0, "no searchable words")
        # Course outlines answer only questions about learning.
        exclude = None if analysis.intent.learning else self._course
        hits = index.top([(t.token, t.weight) for t in terms], max(CANDIDATES, offset + k), exclude=exclude)
        if len(hits.ids) == 0:
            return refuse(0.0, "no matching passage")
        reranked = self._rerank(text, hits.ids.tolist(), hits.scores.tolist(), analysis.intent.learning)
        ranked = self._diversify(reranked, offset + k)
        best_doc = ranked[0][0]
        if best_doc is None:  # cannot happen: the best hit always heads the list
            return refuse(0.0, "no matching passage")
        verdict = self._refusal(analysis, hits.ids.tolist(), best_doc)
        coverage = verdict.coverage
        if verdict.reason:
            refused = refuse(coverage, verdict.reason, hits.ids.tolist(), verdict.missing)
            return dataclasses.replace(refused, evidence=verdict.evidence)
        passages = []
        for doc, score in ranked[offset : offset + k]:
            if doc is None:
                continue
            passage = self.snapshot.passages[doc]
            present = self.token_set(doc)
            matched = tuple(t.token for t in terms if t.token in present)
            passages.append(ScoredPassage(passage, score, matched, doc))
        return SearchResult(
            text,
            True,
            tuple(passages),
            terms,
            coverage,
            "answered",
            analysis,
            tuple(hits.ids[:NEAREST].tolist()),
            evidence=verdict.evidence,
        )

    def _searchable(self, doc: int) -> str:
        """A passage's title, headings and text in normalised form, kept per passage."""

        def make() -> str:
            p = self.snapshot.passages[doc]
            return normalize_text("\n".join([p.title, *p.headings, p.text]))

        return self.snapshot.kept("normal text", doc, make)

    def _refusal(self, analysis: Analysis, hits: Sequence[int], best_doc: int) -> Verdict:
        """Whether to answer, why not, and the unknown name.

        A question naming an article's title is answered from it. One naming something
        that none of its best passages mention is refused, and the name said. Outside
        the domain the learned gate decides (kb/gate.py); in it, one naming something
        the best passage holds (a name, not ordinary words) is answered, and the rest
        need the best passage to cover enough of their words (`Coverage`)."""
        text, terms = analysis.question, analysis.terms
        best = self.snapshot.passages[best_doc]
        covered = self.coverage(terms, best)
        coverage = covered.share
        question = normalize_text(text)
        nearby = list(hits[:FOCUS_PASSAGES])
        if names_title(question, {normalize_text(self.snapshot.title_of(d)) for d in nearby}):
            return Verdict(coverage)
        missing = unknown_focus(
            question,
            [self._searchable(d) for d in nearby],
            self._ordinary_test(analysis, question),
            self._function_chars,
            self.tokenizer.word_spans(question),
            self.tokenizer.is_proper_name,
        )
        if missing is not None:
            typed = re.search(re.escape(missing), text, re.IGNORECASE)  # as the user wrote it
            name = typed.group(0) if typed else missing
            return Verdict(coverage, f"nothing about '{name}'", name)
        held = self._holds_a_name(terms, best_doc)
        # A question about learning is answered by course material as such.
        if analysis.intent.learning and best.kind == "course":
            return Verdict(coverage)
        evidence: tuple[float, ...] = ()
        if not covered.in_domain and covered.has_content:
            evidence = self._evidence(analysis, question, hits, covered, held)
            # The gate learned from questions in the articles' own script: one typed in
            # another (English on Chinese articles) shares no verbatim stretch with them
            # whatever it asks, so the coverage rule decides it.
            same_script = not _ALL_CJK.search(best.text) or _ALL_CJK.search(question) is not None
            if self.config.learned_gate and same_script:
                chance = self.gate.probability(evidence)
                needs = self.gate.threshold
                why = (
                    f"the answer is unlikely to be here ({chance:.0%}, needs {needs:.0%})"
                    if chance < needs
                    else ""
                )
                return Verdict(coverage, why, "", evidence)
        if held:
            return Verdict(coverage, "", "", evidence)
        needed = self.config.min_coverage_in_domain if covered.in_domain else self.config.min_coverage
        if covered.has_content and coverage < needed:
            why = f"best passage covers {coverage:.0%} of the question (needs {needed:.0%})"
            return Verdict(coverage, why, "", evidence)
        return Verdict(coverage, "", "", evidence)

    def _evidence(
        self,
        analysis: Analysis,
        question: str,
        hits: Sequence[int],
        covered: Covered,
        held: bool,
    ) -> tuple[float, ...]:
        """The learned gate's features (kb/gate.py, in the order of its FEATURES)."""
        index = self.snapshot.index
        groups: dict[str, list[QueryTerm]] = {}
        for t in analysis.terms:
            if t.origin == "question" and len(t.group) >= 2 and not is_question_word(t.group):
                groups.setdefault(t.group, []).append(t)
        content = [g for g in groups if not self.is_ubiquitous(g)]
        unknown = sum(1 for g in content if not any(index.df(t.token) for t in groups[g]))
        title = self.snapshot.title_of(hits[0]) if hits else ""
        plain_title = normalize_text(title)
        pairs = {plain_title[i : i + 2] for i in range(len(plain_title) - 1)}

        lacked, run = (
            unmatched(question, self._searchable(hits[0]), self._function_chars) if hits else (1.0, 0)
        )

        def verbatim(rank: int) -> float:
            if len(hits) <= rank:
                return 0.0
            return min(longest_shared(question, self._searchable(hits[rank])), VERBATIM_CAP) / VERBATIM_CAP

        return (
            covered.share,
            unknown / max(len(content), 1),
            float(any(p in question for p in pairs)),
            float(held),
            min(len(content), CONTENT_CAP) / CONTENT_CAP,
            verbatim(0),
            verbatim(1),
            lacked,
            min(run, UNMATCHED_CAP) / UNMATCHED_CAP,
        )

    def _ordinary_test(self, analysis: Analysis, question: str) -> Callable[[str], bool]:
        """Whether a stretch of the question is known or ordinary words, not a name."""
        index = self.snapshot.index
        # A word the glossary or synonyms translate into the index's words is known.
        aliased = {
            t.group
            for t in analysis.terms
            if t.origin in ("glossary", "dictionary", "synonym", "thesaurus", "fuzzy") and index.df(t.token)
        }
        aliased |= {k for k in self.tokenizer.vocab.synonyms if len(k) > 1 and k in question}
        proper = proper_latin(analysis.question)

        def ordinary(run: str) -> bool:
            # An index word is known wherever it is; an alias is known by what it means.
            if run in aliased or index.df(run):
                return True
            # A dictionary word that is a name (长崎县, 郑成功) is not paraphrase.
            if not run.isascii() and self.tokenizer.is_proper_name(run):
                return False
            return run not in proper and self._is_word(run)

        return ordinary

    def _holds_a_name(self, terms: Sequence[QueryTerm], doc: int) -> bool:
        """Whether a name of the question (a known word that is not ordinary vocabulary,
        "春园别墅", "七鳃鳗") is in the passage: the passage is about what was asked."""
        index = self.snapshot.index
        held = self._searchable(doc)
        return any(
            t.origin in ("question", "subword")
            and len(t.token) >= 2
            and index.df(t.token)
            and not self._is_word(t.token)
            and t.token in held
            for t in terms
        )

    def _is_word(self, run: str) -> bool:
        """An ordinary word (or words) of the language, not a name: Latin that is an
        English word or a number; Chinese that jieba's dictionary cuts, without guessing,
        into dictionary words of two or more characters."""
        if run.isascii():
            return is_english_word(run) or not run.isalpha()
        return self.tokenizer.is_dictionary_phrase(run)

    def _grams(self, text: str) -> set[str]:
        """Character bigrams of a text without the words in nearly every passage and
        punctuation. Cut out as strings, not segmented: a first question meets a few
        dozen new headings, and segmenting each cost ~20 ms at 100k passages."""
        return plain_grams(text, self._pervasive)

    def question_grams(self, question: str) -> set[str]:
        # English words are compared through their glossary translations.
        return self._grams(" ".join([question, *self.tokenizer.translations(question)]))

    def heading_similarity(self, question: str | set[str], doc: int) -> float:
        """Dice overlap of the question (or its grams) with the passage's closest heading."""
        q = self.question_grams(question) if isinstance(question, str) else question
        if not q:
            return 0.0
        # Keyed with the share that makes a word pervasive: the bigrams leave those out.
        key = (doc, self.config.heading_ignore_df)
        passages = self.snapshot.passages  # decoded only when the passage is new here
        headings = self.snapshot.kept("heading grams", key, lambda: self._weighted_headings(passages[doc]))
        return max((weight * dice(q, grams) for grams, weight in headings), default=0.0)

    def _weighted_headings(self, passage: Passage) -> tuple[tuple[set[str], float], ...]:
        # The passage's own heading counts fully, each enclosing one and each merged
        # subsection's heading a little less.
        path = passage.headings
        weighted = [(h, HEADING_DECAY**depth) for depth, h in enumerate(reversed(path))]
        weighted += [(h, HEADING_DECAY) for h in passage.subheadings]
        return tuple((self._name_grams(h), weight) for h, weight in weighted)

    def _name_grams(self, name: str) -> set[str]:
        """Bigrams of a heading or title, memoised: the same headings recur in every query."""
        return self.snapshot.kept("name grams", name, lambda: self._grams(name))

    def _rerank(
        self, question: str, ids: Sequence[int], scores: Sequence[float], learning: bool = False
    ) -> list[tuple[int, float]]:
        top = abs(float(scores[0])) if len(scores) else 0.0
        bonus = self.config.heading_weight * top
        course = self.config.course_bonus * top if learning else 0.0
        grams = self.question_grams(question)  # once, not once per candidate
        rescored = [
            (
                doc,
                score + bonus * self.heading_similarity(grams, doc) + (course if self._course[doc] else 0.0),
            )
            for doc, score in zip(ids, scores, strict=True)
        ]
        rescored.sort(key=lambda item: (-item[1], item[0]))
        return rescored

    def coverage(self, terms: Sequence[QueryTerm], passage: Passage) -> Covered:
        """How much of the question `passage` covers: see `Coverage.of`."""
        return self.judge.of(terms, passage)

    def _near_duplicate(self, a: int, b: int) -> bool:
        """Whether two passages share nearly all their words; kept per pair, since the
        passages that answer one question meet again in the next."""
        pair = (a, b) if a < b else (b, a)
        return self.snapshot.kept(
            "near duplicates",
            pair,
            lambda: jaccard(self.token_set(a), self.token_set(b)) >= SAME_PASSAGE,
        )

    def _diversify(self, ranked: list[tuple[int, float]], needed: int) -> list[tuple[int | None, float]]:
        """Drop near-duplicates; at most `per_article` per article in the first few.

        Returns positions: when too few articles match to fill the first `diverse_top`
        places under that rule, the empty places are None (the first page is shorter).
        """
        passages = self.snapshot.passages
        top = self.config.diverse_top
        head: list[tuple[int, float]] = []
        tail: list[tuple[int, float]] = []
        kept: list[int] = []
        for doc, score in ranked:
            if len(head) + len(tail) >= max(needed, top) + top:
                break  # enough to fill the requested page; comparing more costs time
            if any(self._near_duplicate(doc, other) for other in kept):
                continue
            kept.append(doc)
            same = sum(passages[c].article_path == passages[doc].article_path for c, _ in head)
            if len(head) < top and same < self.config.per_article:
                head.append((doc, score))
            else:
                tail.append((doc, score))
        padding: list[tuple[int | None, float]] = [(None, 0.0)] * (top - len(head)) if tail else []
        return [*head, *padding, *tail]
