"""Chinese words the articles never use reach them through a whole thesaurus (Cilin)."""

from __future__ import annotations

from bot.kb.retrieval import Retriever
from bot.kb.thesaurus import Thesaurus, synonym_classes, synonyms

TREE = {
    "D": {
        "sub": {
            "i19A01=": ["职业", "工作", "饭碗"],
            "i19A02#": ["行业", "工种"],  # related, not the same meaning
            "i19A03@": ["差使"],  # a word alone
            "x": {"sub": {"01=": ["画家", "画师"], "02=": ["画匠", "画师"]}},
        }
    }
}


def test_only_synonym_classes_stand_in_for_each_other() -> None:
    thesaurus = Thesaurus(" ".join(words) for words in synonym_classes(TREE))
    assert thesaurus.synonyms("饭碗") == ("职业", "工作")
    assert thesaurus.synonyms("行业") == () and thesaurus.synonyms("差使") == ()
    assert thesaurus.synonyms("画师") == ("画家", "画匠"), "every sense of a word, in the thesaurus's order"


def test_the_shipped_thesaurus_knows_everyday_words() -> None:
    assert "工作" in synonyms("饭碗") and "薪资" in synonyms("工资")
    assert synonyms("不是一个词") == ()


def test_a_word_the_articles_lack_speaks_through_their_synonyms(seed_retriever: Retriever) -> None:
    index = seed_retriever.snapshot.index
    result = seed_retriever.search("AI绘画会抢走很多人的饭碗吗")
    assert not index.df("饭碗")
    found = {t.token: t for t in result.terms if t.group == "饭碗" and t.origin == "thesaurus"}
    assert found and all(index.df(w) for w in found), "only synonyms the index has"
    own = max(t.weight for t in result.terms if t.origin == "question")
    assert all(t.weight < own for t in found.values()), "weighed below the user's own words"


def test_known_words_and_single_characters_are_not_expanded(seed_retriever: Retriever) -> None:
    for question in ("AIGC的前景怎么样", "做aigc要干什么"):
        terms = seed_retriever.search(question).terms
        assert not [t for t in terms if t.origin == "thesaurus"], question
