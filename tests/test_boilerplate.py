from bot.kb.boilerplate import find_boilerplate, fingerprint
from bot.kb.cleaning import Block
from bot.kb.retrieval import Retriever
from bot.kb.vocab import Vocabulary, normalize_text

MARKERS = ("免费领取", "若有侵权")


def t(text: str) -> Block:
    return Block("text", text)


def test_a_block_with_a_marker_is_dropped() -> None:
    drops, report = find_boilerplate(
        [[t("正文内容很好。"), t("扫码免费领取资料！"), t("更多正文内容。")]], MARKERS
    )
    assert drops == [[False, True, False]]
    assert report.promo_blocks == 1


def test_shared_content_is_indexed_once() -> None:
    shared = t("AIGC技术的未来发展前景广阔，将在更多领域得到应用。")
    drops, report = find_boilerplate([[t("第一篇的正文。"), shared], [shared, t("第二篇的正文。")]], MARKERS)
    assert drops == [[False, False], [True, False]]
    assert report.duplicate_blocks == 1


def test_shared_blocks_after_a_promo_hook_are_promotion() -> None:
    hook = t("感兴趣的小伙伴，赠送全套资料，免费领取。")
    roadmap = [Block("heading", "一、学习路线", 4), t("所有方向的技术点做的整理，形成知识点汇总。")]
    first = [t("文章一正文。"), hook, *roadmap, t("后续正文一。")]
    second = [t("文章二正文。"), hook, *roadmap, t("后续正文二。")]
    drops, _ = find_boilerplate([first, second], MARKERS)
    assert drops[0] == [False, True, True, True, False]
    assert drops[1] == [False, True, True, True, False]


def test_an_article_ending_in_promotion_loses_its_tail() -> None:
    body = [t("正文第一段，内容很长很长很长很长。" * 5), t("正文第二段。" * 10)]
    tail = [
        t("资料已打包好，免费领取！"),
        t("学不到干货？这里有笔记。"),
        Block("heading", "工具库", 4),
        t("扫码免费领取"),
    ]
    drops, _ = find_boilerplate([body + tail], MARKERS)
    assert drops == [[False, False, True, True, True, True]]


def test_a_promo_line_mid_article_does_not_take_the_rest() -> None:
    blocks = [t("正文一。" * 10), t("免费领取资料"), t("正文二。" * 10), t("正文三。" * 10)]
    drops, _ = find_boilerplate([blocks], MARKERS)
    assert drops == [[False, True, False, False]]


def test_fingerprint_ignores_case_width_and_punctuation() -> None:
    assert fingerprint("ＡＩＧＣ是什么？") == fingerprint("aigc是什么")
    assert fingerprint("短句") is None


def test_no_promo_marker_survives_in_any_seed_passage(seed_retriever: Retriever, vocab: Vocabulary) -> None:
    assert vocab.promo_markers, "the shipped promo marker list is empty"
    for passage in seed_retriever.snapshot.passages:
        text = normalize_text(passage.text)
        assert not [m for m in vocab.promo_markers if m in text], passage.text[:80]


def test_seed_roadmap_boilerplate_is_gone(seed_retriever: Retriever) -> None:
    texts = "\n".join(p.text for p in seed_retriever.snapshot.passages)
    for phrase in ["工具都帮大家整理好了", "纸上得来终觉浅", "AIGC工具库是一个", "二维码"]:
        assert phrase not in texts
    # a paragraph shared word for word by two articles survives exactly once
    assert texts.count("对程序员来说影响至关重要") == 1
