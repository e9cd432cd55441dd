import pytest

from bot.kb.tokenizer import EXPANSIONS, Tokenizer, collapse_a_not_a, shipped_weights
from bot.kb.vocab import Vocabulary, load_vocabulary
from tests.conftest import write


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("我想学Stable Diffusion绘画", "stable_diffusion"),
        ("Midjourney和文心一言", "文心一言"),
        ("生成式人工智能的发展", "生成式人工智能"),
        ("ＡＩＧＣ的前景", "aigc"),  # full-width folded
        ("使用ChatGPT写作", "chatgpt"),  # lowercased, kept whole
        ("GPT-4很强", "gpt-4"),
    ],
)
def test_dictionary_terms_stay_whole(tokenizer: Tokenizer, text: str, term: str) -> None:
    assert term in tokenizer.tokens(text)


def test_stopwords_and_punctuation_are_dropped(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokens("什么是AIGC？AIGC有哪些工具，怎么用？What is it?")
    assert "什么" not in tokens and "哪些" not in tokens and "怎么" not in tokens
    assert "what" not in tokens and "is" not in tokens
    assert "？" not in tokens and "," not in tokens
    assert tokens.count("aigc") == 2 and "工具" in tokens


def test_compound_words_also_index_their_parts(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokens("人工智能生成内容")
    assert "人工智能" in tokens and "智能" in tokens


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("AIGC salary", {"薪资", "年薪"}),
        ("which tools exist", {"工具"}),
        ("How much do AIGC jobs pay?", {"职位", "年薪"}),
        ("future of the industries", {"未来", "行业"}),
        ("market size", {"市场规模"}),
    ],
)
def test_english_questions_are_expanded_to_chinese(
    tokenizer: Tokenizer, question: str, expected: set[str]
) -> None:
    terms = tokenizer.query_terms(question)
    tokens = {t.token for t in terms}
    assert expected <= tokens
    glossary = [t for t in terms if t.origin == "glossary"]
    assert glossary and all(t.weight < 1 for t in glossary)


def test_question_words_weigh_more_than_expansions(tokenizer: Tokenizer) -> None:
    terms = {t.token: t for t in tokenizer.query_terms("AIGC人才薪资")}
    assert terms["薪资"].weight == 1.0 and terms["薪资"].origin == "question"


def test_expansion_weights_are_learned_data_and_below_the_own_words(tokenizer: Tokenizer) -> None:
    # bench/train_expansion.py writes one weight per origin; none reaches a typed word's 1.
    shipped = shipped_weights()
    assert set(shipped) == set(EXPANSIONS) and all(0 < w < 1 for w in shipped.values())
    terms = tokenizer.query_terms("AIGC salary")
    assert {t.weight for t in terms if t.origin == "glossary"} == {shipped["glossary"]}
    # A tokenizer given its own weights uses them; one that would outweigh the user is refused.
    mine = Tokenizer(tokenizer.vocab, weights={**shipped, "glossary": 0.25})
    assert {t.weight for t in mine.query_terms("AIGC salary") if t.origin == "glossary"} == {0.25}
    with pytest.raises(ValueError, match="glossary"):
        Tokenizer(tokenizer.vocab, weights={**shipped, "glossary": 1.0})


def test_own_vocabulary_folder(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    write(folder / "userdict.txt", "# comment\n魔法词汇\nfoo bar\n")
    write(folder / "stopwords.txt", "的\n")
    write(folder / "glossary.txt", "magic = 魔法词汇\n")
    vocab = load_vocabulary(folder)
    tok = Tokenizer(vocab)
    assert "魔法词汇" in tok.tokens("这是魔法词汇的测试")
    assert "foo_bar" in tok.tokens("Foo  Bar rocks")
    assert {t.token for t in tok.query_terms("magic")} >= {"magic", "魔法词汇"}


def test_signature_changes_with_the_files(tmp_path: object, vocab: Vocabulary) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    write(folder / "userdict.txt", "甲\n")
    first = load_vocabulary(folder).signature
    write(folder / "userdict.txt", "乙\n")
    assert load_vocabulary(folder).signature != first != vocab.signature


def test_bad_glossary_line_is_reported(tmp_path: object) -> None:
    from pathlib import Path

    from bot.errors import VocabularyError

    folder = Path(str(tmp_path))
    write(folder / "glossary.txt", "no equals sign here\n")
    with pytest.raises(VocabularyError, match="line 1"):
        load_vocabulary(folder)


@pytest.mark.parametrize("text", ["", "   ", "？？！！", "😀😀", "\u200b\u200f", "a" * 5000, "<b>&amp;</b>"])
def test_odd_input_never_crashes(tokenizer: Tokenizer, text: str) -> None:
    tokenizer.tokens(text)
    tokenizer.query_terms(text)


@pytest.mark.parametrize(("spoken", "plain"), [("适不适合", "适合"), ("好不好", "好"), ("能不能做", "能做")])
def test_a_not_a_questions_collapse(spoken: str, plain: str) -> None:
    assert collapse_a_not_a(spoken) == plain
