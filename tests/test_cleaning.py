import time

import pytest

from bot.kb.cleaning import MAX_BLOCK_CHARS, Block, clean_markdown, split_sentences


def texts(body: str) -> list[str]:
    return [b.text for b in clean_markdown(body)]


def test_images_and_html_are_dropped_link_text_kept() -> None:
    body = (
        "生成式\n[人工智能](https://so.csdn.net/so/search?q=%E4%BA%BA&spm=1001.2101)\n——AIGC是一种技术。\n\n"
        "![在这里插入图片描述](https://i-blog.csdnimg.cn/x.png)\n\n<p>段落<br/>第二行。</p>"
    )
    out = " ".join(texts(body))
    assert "生成式人工智能——AIGC是一种技术。" in out
    assert "csdn" not in out and "<" not in out and "图片" not in out


def test_emphasis_and_quote_markers_are_removed() -> None:
    out = texts("> **加粗**的*斜体*和`代码`。\n>\n> 第二段。")
    assert out == ["加粗的斜体和代码。", "第二段。"]


def test_lines_broken_mid_sentence_are_rejoined() -> None:
    body = "工具包括 Stable\n  \nDiffusion 和\n  \nMidjourney。\n\n**内容创作**\n  \n：可用于写作。"
    assert texts(body) == ["工具包括 Stable Diffusion 和Midjourney。", "内容创作：可用于写作。"]


def test_soft_break_after_a_full_stop_separates_paragraphs() -> None:
    assert texts("第一句。\n  \n第二句。") == ["第一句。", "第二句。"]


def test_headings_and_pseudo_headings() -> None:
    blocks = clean_markdown(
        "# 标题\n\n**【薪资情况】**\n\n**1.高薪化特征：**\n\n年薪超过40万。\n\n## 小节\n\n内容。"
    )
    assert blocks == [
        Block("heading", "标题", 1),
        Block("heading", "【薪资情况】", 2),
        Block("heading", "1.高薪化特征", 3),
        Block("text", "年薪超过40万。"),
        Block("heading", "小节", 2),
        Block("text", "内容。"),
    ]


def test_list_items_and_rules() -> None:
    blocks = clean_markdown("-----------\n\n* 第一项\n* 第二项\n  续行\n1. 编号项")
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "第一项"),
        ("item", "第二项续行"),
        ("item", "1. 编号项"),
    ]


def test_long_paragraphs_are_split_at_sentences() -> None:
    body = "这是一个很长的句子，用来测试。" * 80
    blocks = clean_markdown(body)
    assert len(blocks) > 1
    assert all(len(b.text) <= MAX_BLOCK_CHARS for b in blocks)
    assert "".join(b.text for b in blocks) == body


def test_split_sentences() -> None:
    assert split_sentences("一。二！Three. Four? 五") == ["一。", "二！", "Three.", "Four?", "五"]


def test_an_initial_or_a_short_title_does_not_end_a_sentence() -> None:
    # "Andrew W." cut the sentence in two, and the lead showed half of the answer.
    assert split_sentences("由Andrew W. Mellon Foundation主持。之后结束。") == [
        "由Andrew W. Mellon Foundation主持。",
        "之后结束。",
    ]
    assert len(split_sentences("主席是约翰（John H. McArthur）教授，两旁有St. Felix的雕像。")) == 1
    assert split_sentences("It works. Then it stops.") == ["It works.", "Then it stops."]


def test_empty_and_odd_input_never_crash() -> None:
    for body in ["", "\n\n", "```\ncode\n", "#", "* ", "> > >", "[]()", "![]()", "**"]:
        clean_markdown(body)


@pytest.mark.parametrize(
    "unit",
    [" *a", "[", "![", "<!--", "**a", "__a", "~~a", "[x](", " _a", "`"],
    ids=lambda u: repr(u),
)
def test_hostile_markdown_cleans_in_linear_time(unit: str) -> None:
    """Growing the input 8x grows the work about 8x, never 64x (quadratic patterns)."""

    def cost(repeats: int) -> float:
        body = unit * repeats
        started = time.perf_counter()
        clean_markdown(body)
        return time.perf_counter() - started

    cost(500)  # warm up
    small, large = min(cost(2500) for _ in range(3)), min(cost(20000) for _ in range(3))
    assert large < 2.0, f"{large:.2f} s for {len(unit) * 20000} characters"
    assert large < 30 * max(small, 1e-3), f"{small:.4f} s -> {large:.4f} s"
