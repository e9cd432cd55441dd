import pytest

from bot.formatting import (
    MAX_MESSAGE,
    Callback,
    decode_callback,
    encode_callback,
    highlight,
    link,
    pack,
    render_answer,
    render_no_answer,
    tg_length,
)
from bot.kb.results import Answer, Cited, Source
from tests.fakes.telegram_html import parse_html


def test_highlight_escapes_and_bolds_case_insensitively() -> None:
    out = highlight("Use <Midjourney> & midjourney", ["midjourney"])
    assert out == "Use &lt;<b>Midjourney</b>&gt; &amp; <b>midjourney</b>"
    assert parse_html(out) == "Use <Midjourney> & midjourney"
    assert highlight("Stable  Diffusion", ["stable_diffusion"]) == "<b>Stable  Diffusion</b>"


def test_link_escapes_title_and_url() -> None:
    out = link('<b>"x"</b>', 'https://a.org/?q=1&r="2"')
    assert out == '<a href="https://a.org/?q=1&amp;r=&quot;2&quot;">&lt;b&gt;"x"&lt;/b&gt;</a>'
    assert link("t", "javascript:alert(1)") == "t"


def test_long_answers_split_into_valid_messages_at_sentence_boundaries() -> None:
    sentences = tuple(f"第{i}句话<很长>&" + "内容" * 150 + "。" for i in range(30))
    answer = Answer(
        "q",
        True,
        lead=tuple(Cited(x, 1) for x in sentences[:20]),
        items=tuple(Cited(x, 1) for x in sentences[20:]),
        sources=(Source("标题", "https://a.org"),),
        highlight=("内容",),
    )
    messages = render_answer(answer, "zh")
    assert len(messages) > 1
    for message in messages:
        assert tg_length(message) <= MAX_MESSAGE
        parse_html(message)
    joined = "".join(parse_html(m) for m in messages)
    assert all(s in joined for s in sentences)


def test_a_single_oversized_unit_is_cut_into_plain_pieces() -> None:
    messages = pack(["<b>" + "&amp;" * 5000 + "</b>"])
    assert len(messages) >= 2
    for message in messages:
        assert tg_length(message) <= MAX_MESSAGE
        assert set(parse_html(message)) == {"&"}


def test_no_answer_has_suggestions_but_no_links() -> None:
    text = render_no_answer("zh", ["<AIGC> & 未来"])
    assert "href" not in text and "&lt;AIGC&gt; &amp; 未来" in text
    parse_html(text)


@pytest.mark.parametrize(
    "callback",
    [
        Callback("ex", value=3),
        Callback("more", question_id=10**17),
        Callback("fb", 5, -1),
        Callback("fb", 5, 1),
    ],
)
def test_callback_data_round_trips_within_64_bytes(callback: Callback) -> None:
    data = encode_callback(callback)
    assert len(data.encode()) <= 64
    assert decode_callback(data) == callback


@pytest.mark.parametrize("data", [None, "", "fb:1:2", "more:x", "other", "ex:1:2", "more:1" * 20])
def test_foreign_callback_data_is_ignored(data: str | None) -> None:
    assert decode_callback(data) is None


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("empty file", "空文件"),
        ("malformed YAML front matter (YAML aliases (*name) are not allowed in front matter)", "别名"),
        ("too large (2048 KiB > 1024 KiB)", "文件太大（2048 KiB > 1024 KiB）"),
        ("unsupported format (.pptx)", "不支持的格式（.pptx）"),
        ("https://x.org/a: the server answered 404", "https://x.org/a：服务器返回 404"),
        ("took more than 30 s of CPU or 512 MiB to read", "超过 30 秒 CPU 或 512 MiB"),
        ("took longer than 70 s to read", "读取超过 70 秒"),
        ("needed more memory than documents may use", "内存"),
        ("the document unpacks to more than 64 MiB", "解压后超过 64 MiB"),
        ("the document is compressed more than 200:1 (a zip bomb?)", "压缩比超过 200:1"),
        ("cannot read PDF (PdfReadError: EOF marker not found)", "无法读取 PDF（PdfReadError"),
        (
            "intranet.local is not a public address (10.0.0.5); only the public internet is fetched",
            "不是公网地址",
        ),
        ("cannot resolve nowhere.invalid", "无法解析域名 nowhere.invalid"),
        ("/etc/passwd: only http(s) URLs can be added here", "只能添加 http(s) 网址"),
        ("https://x.org/slow: took longer than 20 s", "https://x.org/slow：超过 20 秒"),
        ("notes.pptx: unsupported format (.pptx)", "notes.pptx：不支持的格式（.pptx）"),
    ],
)
def test_skip_and_refusal_reasons_read_in_chinese(english: str, chinese: str) -> None:
    from bot.i18n import reason

    assert chinese in reason(english, "zh") and reason(english, "en") == english
