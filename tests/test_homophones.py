"""Homophone typos (pinyin input) are read as the index words they sound like, and say so;
a name the articles lack is never bent into a word they have."""

from __future__ import annotations

from bot.kb.asking import ask
from bot.kb.homophones import Homophones
from bot.kb.retrieval import Retriever

INDEX = {"工具": 9, "薪资": 5, "前景": 4, "公事": 2, "高等": 7}
DICTIONARY = {"工具", "薪资", "前景", "公事", "公式", "高等", "我", "是"}


def correct(text: str, suspects: list[tuple[int, int]]) -> str:
    return Homophones(INDEX).correct(text, suspects, lambda w: INDEX.get(w, 0), DICTIONARY.__contains__)


def test_a_word_typed_by_its_sound_is_read_as_the_index_word() -> None:
    assert correct("薪姿怎么样", [(0, 2)]) == "薪资怎么样"
    assert correct("aigc的前竟咋样", [(5, 7)]) == "aigc的前景咋样"


def test_real_words_are_never_corrected() -> None:
    # "公式" is a dictionary word even if the index lacks it: not a typo of 公事.
    assert correct("公式是什么", [(0, 2)]) == "公式是什么"
    assert correct("我是新手", []) == "我是新手"


def test_an_answered_typo_is_read_as_what_it_sounds_like_and_says_so(seed_retriever: Retriever) -> None:
    reply = ask(seed_retriever, "AIGC的前竟咋样")
    assert reply.answered and "前景" in reply.understood
    assert "前景" in {t.token for t in reply.result.analysis.terms}
    # Typed correctly, nothing is said about how it was read.
    assert ask(seed_retriever, "AIGC的前景咋样").understood == ""


def test_a_refused_question_is_offered_its_homophone_not_bent_into_it(seed_retriever: Retriever) -> None:
    meant = seed_retriever.sounds_like("薪姿怎么样")
    assert meant == "薪资怎么样"
    assert seed_retriever.sounds_like("AIGC的前竟咋样") == "AIGC的前景咋样"  # as typed but the typo
    reply = ask(seed_retriever, "薪姿怎么样")
    if not reply.answered:
        assert reply.suggestions[0] == meant


def test_the_shipped_syllable_table_reads_characters_as_pinyin_input_types_them() -> None:
    from bot.kb.homophones import syllables

    sound = syllables()
    assert sound["库"] == sound["苦"] == "ku" and sound["资"] == sound["姿"] == "zi"
    assert sound["女"] == "nv" and len(sound) > 20_000
