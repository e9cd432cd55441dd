from bot.kb.chunking import Chunker
from bot.kb.cleaning import Block, clean_markdown
from bot.kb.retrieval import Retriever

TOOLS = (
    """# 文章

## 常见的AIGC应用

#### 1、ChatGPT

ChatGPT是由OpenAI开发的一款大型预训练语言模型。

#### 2、Midjourney

Midjourney是图片类AIGC应用程序。

#### 3、Stable Diffusion

图片生成类AI大模型。

#### 4、文心一言

文心一言是百度的大语言模型。

## 其他

另一节的内容，写得比较长，长到与上一节合起来就超过了段落的长度上限，所以它必须单独成为一个段落。
"""
    + "补充说明。" * 20
    + "\n"
)


def render(blocks: list[Block], chunker: Chunker) -> list[tuple[str, str]]:
    out = []
    for spec in chunker.chunk(blocks):
        heading = " > ".join(blocks[i].text for i in spec.heading_ids)
        out.append((heading, "\n".join(blocks[i].text for i in spec.block_ids)))
    return out


def test_small_sibling_sections_stay_together() -> None:
    chunks = render(clean_markdown(TOOLS), Chunker(max_chars=200, min_chars=10))
    heading, text = chunks[0]
    assert heading == "", "merged siblings take their parent's path (the article root)"
    assert text.startswith("常见的AIGC应用")
    for tool in ["ChatGPT", "Midjourney", "Stable Diffusion", "文心一言"]:
        assert tool in text
    assert len(chunks) == 2 and chunks[1][1].startswith("其他\n另一节的内容")


def test_sections_larger_than_the_bound_are_split_but_keep_their_path() -> None:
    body = "# 文章\n\n## 大节\n\n" + "\n\n".join(f"### 小节{i}\n\n" + "内容很多。" * 20 for i in range(5))
    blocks = clean_markdown(body)
    chunks = render(blocks, Chunker(max_chars=150, min_chars=10))
    assert len(chunks) == 5
    assert all(heading.startswith("大节") for heading, _ in chunks)
    assert all(len(text) <= 150 for _, text in chunks)


def test_article_title_heading_is_not_a_section() -> None:
    chunks = render(
        clean_markdown("# 标题\n\n引言。\n\n## 一节\n\n内容。"), Chunker(max_chars=100, min_chars=0)
    )
    assert chunks == [("", "引言。\n一节\n内容。")]


def test_kept_mask_and_empty_sections() -> None:
    blocks = clean_markdown("# T\n\n## A\n\n广告。\n\n## B\n\n正文。")
    keep = [b.text != "广告。" for b in blocks]
    chunks = render(blocks, Chunker(max_chars=100, min_chars=0))
    assert "广告" in chunks[0][1]
    masked = [(h, t) for h, t in render_masked(blocks, keep)]
    assert all("广告" not in text for _, text in masked)
    assert any("正文" in text for _, text in masked)


def render_masked(blocks: list[Block], keep: list[bool]) -> list[tuple[str, str]]:
    specs = Chunker(max_chars=100, min_chars=0).chunk(blocks, keep)
    return [("", "\n".join(blocks[i].text for i in s.block_ids)) for s in specs]


def test_seed_passages_are_bounded_and_located(seed_retriever: Retriever) -> None:
    passages = seed_retriever.snapshot.passages
    assert passages
    for passage in passages:
        assert passage.text.strip()
        assert len(passage.text) <= 1200  # judged on its first 1,200 characters
        assert passage.title and passage.url
