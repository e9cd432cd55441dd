"""User-facing strings in Chinese (default) and English, and how to pick between them."""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")

STRINGS: dict[str, dict[Lang, str]] = {
    "answer_header": {"zh": "答案", "en": "Answer"},
    "sources": {"zh": "来源", "en": "Sources"},
    "see_also": {"zh": "另见：", "en": "See also: "},
    "unstated_number": {
        "zh": "文章里没有找到具体的数字，下面是相关的内容：",
        "en": "The articles give no figure for this; here is what they say:",
    },
    "unstated_date": {
        "zh": "文章里没有找到具体的时间，下面是相关的内容：",
        "en": "The articles give no date for this; here is what they say:",
    },
    "unstated_yesno": {
        "zh": "文章没有明确说明，下面是相关的内容：",
        "en": "The articles do not say so explicitly; here is what they say:",
    },
    "no_answer": {
        "zh": "抱歉，知识库里没有找到这个问题的答案。",
        "en": "Sorry, I could not find an answer to that in the knowledge base.",
    },
    "nothing_about": {
        "zh": "知识库里没有关于「{name}」的内容。",
        "en": "The knowledge base has nothing about “{name}”.",
    },
    "try_topics": {"zh": "可以试试问这些文章相关的问题：", "en": "You could ask about these articles:"},
    "no_url": {"zh": "（无链接）", "en": "(no link)"},
    "chat_intro": {
        "zh": "AIGC 问答（知识库：{articles} 篇文章，{passages} 个段落）。"
        "输入问题，回车提问；追问会接着上一个问题（/reset 重新开始）；输入 /quit 退出。",
        "en": "AIGC Q&A ({articles} articles, {passages} passages). Type a question; /quit to leave.",
    },
    "empty_question": {"zh": "请输入一个问题。", "en": "Please type a question."},
    "reset_done": {
        "zh": "好的，重新开始：下一个问题不再接着上一个。",
        "en": "Fresh start: the next question stands on its own.",
    },
    "help": {
        "zh": "你好！我是 AIGC 问答机器人，可以回答关于 AIGC（人工智能生成内容）的问题。\n"
        "知识库目前有 {articles} 篇文章，主题包括：{topics}。\n\n"
        "私聊时直接发问题给我；在群里请用 /ask 问题，或 @我，或回复我的消息。\n"
        "每个回答都附有原文链接。试试下面的例子：",
        "en": "Hi! I answer questions about AIGC (AI-generated content).\n"
        "The knowledge base has {articles} articles, on: {topics}.\n\n"
        "In a private chat just send me a question; in groups use /ask question, mention me, "
        "or reply to my message. Every answer links to its sources. Try an example:",
    },
    "ask_usage": {
        "zh": "用法：/ask 你的问题，例如 /ask 什么是AIGC？",
        "en": "Usage: /ask your question, e.g. /ask what is AIGC?",
    },
    "non_text": {
        "zh": "我只能读懂文字问题哦，请用文字描述你想了解的 AIGC 问题。",
        "en": "I can only read text questions - please type what you want to know about AIGC.",
    },
    "rate_limited": {
        "zh": "你问得太快啦，请稍等 {seconds} 秒再问。",
        "en": "You are asking very fast - please wait {seconds} seconds.",
    },
    "more": {"zh": "更多 ▶", "en": "More ▶"},
    "no_more": {"zh": "没有更多相关内容了。", "en": "Nothing more on this."},
    "more_header": {"zh": "更多相关内容：", "en": "More on this:"},
    "expired": {"zh": "这个按钮已过期，请重新提问。", "en": "This button has expired - please ask again."},
    "thanks": {"zh": "谢谢你的反馈！", "en": "Thanks for the feedback!"},
    "not_yours": {
        "zh": "这个按钮属于别的对话，请自己提问。",
        "en": "This button belongs to another conversation - please ask your own question.",
    },
    "slow_down": {"zh": "点得太快啦，请稍等片刻。", "en": "Too many presses - please wait a moment."},
    "truncated": {
        "zh": "问题太长，只按前 {chars} 个字搜索。",
        "en": "Your question is long: only its first {chars} characters were searched.",
    },
    "stats_private": {
        "zh": "统计里有其他用户的提问，请在与我的私聊中发送 /stats。",
        "en": "Statistics show other users' questions: please send /stats in a private chat with me.",
    },
    "download_failed": {
        "zh": "下载文件失败（{reason}），请重新发送。",
        "en": "Download failed ({reason}); please send it again.",
    },
    "add_usage": {
        "zh": "用法：/add 网址（可以多个），例如 /add https://example.org/article",
        "en": "Usage: /add URL (one or more), e.g. /add https://example.org/article",
    },
    "export_caption": {
        "zh": "未回答的问题（可以据此补充文章）",
        "en": "Unanswered questions (what to write next)",
    },
    "upload_backup": {"zh": "原文件已备份为 {name}。", "en": "The previous version was kept as {name}."},
    "commands": {
        "zh": "命令：\n/ask 问题 — 提问（群里用）\n/reset — 重新开始对话\n/help — 帮助\n/start — 介绍与示例\n"
        "私聊时直接发问题即可；追问（如“那算法工程师呢？”“第三条是什么？”）会接着上一个问题。",
        "en": "Commands:\n/ask question — ask (in groups)\n/reset — start a new conversation\n"
        "/help — this help\n/start — introduction and examples\nIn a private chat just send your question;"
        " follow-ups (“what about education?”, “the second one”) continue the last one.",
    },
    "admin_commands": {
        "zh": "管理员命令：\n/reload — 重新加载知识库\n/stats — 使用统计\n/export — 导出未回答的问题\n"
        "/explain 问题 — 解释排序\n/add 网址 — 添加网页文章\n"
        "发送 .md / .txt / .html / .docx / .pdf 文件 — 上传文章",
        "en": "Admin commands:\n/reload — reload the knowledge base\n/stats — usage statistics\n"
        "/export — unanswered questions as CSV\n/add URL — add a web article\n"
        "/explain question — why passages ranked\n"
        "Send a .md / .txt / .html / .docx / .pdf file — upload an article",
    },
    "admin_only": {
        "zh": "抱歉，这个命令只有管理员可以使用。",
        "en": "Sorry, only admins can use this command.",
    },
    "reloading": {
        "zh": "正在重新加载知识库，期间提问照常回答……",
        "en": "Reloading the knowledge base; questions are still answered meanwhile...",
    },
    "reload_done": {"zh": "知识库已更新：", "en": "Knowledge base reloaded:"},
    "reload_failed": {
        "zh": "重新加载失败，继续使用原来的知识库：{reason}",
        "en": "Reload failed; the previous knowledge base stays in use: {reason}",
    },
    "upload_saved": {"zh": "已保存 {name}。", "en": "Saved {name}."},
    "upload_refused": {"zh": "无法使用这个文件：{reason}", "en": "Cannot use this file: {reason}"},
    "error": {
        "zh": "抱歉，处理你的消息时出了点问题，请稍后再试。",
        "en": "Sorry, something went wrong handling your message. Please try again later.",
    },
    "unknown_command": {
        "zh": "我不认识这个命令。直接发问题给我，或发送 /help 查看用法。",
        "en": "I don't know that command. Just send me a question, or /help for how to use me.",
    },
    "group_hello": {
        "zh": "大家好！我可以回答 AIGC 相关的问题：用 /ask 问题，或 @{username} 问题，或回复我的消息。",
        "en": "Hi all! I answer AIGC questions: use /ask question, mention @{username}, or reply to me.",
    },
    "stats": {
        "zh": "今天提问：{today}\n近 7 天提问：{week}（未回答 {rate:.0%}）\n反馈：👍 {up} / 👎 {down}\n"
        "知识库：{articles} 篇文章，{passages} 个段落",
        "en": "Questions today: {today}\nLast 7 days: {week} ({rate:.0%} unanswered)\n"
        "Feedback: 👍 {up} / 👎 {down}\nKnowledge base: {articles} articles, {passages} passages",
    },
    "top_questions": {"zh": "热门问题：", "en": "Top questions:"},
    "top_unanswered": {
        "zh": "未回答的热门问题（可以补充文章）：",
        "en": "Top unanswered (write these next):",
    },
    "none": {"zh": "（无）", "en": "(none)"},
    # -- the admin console in the browser (bot/web) --------------------------------------
    "web_title": {"zh": "AIGC 问答 · 管理后台", "en": "AIGC Q&A · Admin console"},
    "web_overview": {"zh": "概览", "en": "Overview"},
    "web_unanswered": {"zh": "未回答", "en": "Unanswered"},
    "web_feedback": {"zh": "差评", "en": "Feedback"},
    "web_knowledge": {"zh": "知识库", "en": "Knowledge"},
    "web_hit": {"zh": "命中测试", "en": "Hit test"},
    "web_logout": {"zh": "退出", "en": "Log out"},
    "web_login": {"zh": "登录", "en": "Log in"},
    "web_token": {"zh": "管理令牌（WEB_ADMIN_TOKEN）", "en": "Admin token (WEB_ADMIN_TOKEN)"},
    "web_wrong_token": {"zh": "令牌不对。", "en": "Wrong token."},
    "web_slow_down": {
        "zh": "登录尝试太多，请 {seconds} 秒后再试。",
        "en": "Too many login attempts; try again in {seconds} s.",
    },
    "web_articles": {"zh": "文章", "en": "Articles"},
    "web_passages": {"zh": "段落", "en": "Passages"},
    "web_asked_30": {"zh": "近 {days} 天提问", "en": "Questions, last {days} days"},
    "web_answered_rate": {"zh": "回答率", "en": "Answered"},
    "web_votes": {"zh": "反馈", "en": "Votes"},
    "web_per_day": {"zh": "每天的提问", "en": "Questions per day"},
    "web_answered": {"zh": "已回答", "en": "Answered"},
    "web_refused": {"zh": "未回答", "en": "Refused"},
    "web_day": {"zh": "日期", "en": "Day"},
    "web_index": {"zh": "当前索引", "en": "Index being served"},
    "web_loaded_at": {"zh": "加载于 {when} UTC", "en": "loaded at {when} UTC"},
    "web_last_reload": {"zh": "管理员上次重新加载", "en": "Last reload by an admin"},
    "web_never": {"zh": "还没有记录。", "en": "None recorded yet."},
    "web_reload_ok": {"zh": "成功，用时 {seconds:.1f} 秒", "en": "succeeded in {seconds:.1f} s"},
    "web_reload_failed": {"zh": "失败，用时 {seconds:.1f} 秒", "en": "failed after {seconds:.1f} s"},
    "web_skipped": {"zh": "跳过的文件", "en": "Skipped files"},
    "web_question": {"zh": "问题", "en": "Question"},
    "web_times": {"zh": "次数", "en": "Times"},
    "web_last_asked": {"zh": "最后一次", "en": "Last asked"},
    "web_suggestions": {"zh": "当前推荐", "en": "Suggestions offered"},
    "web_since": {"zh": "从", "en": "From"},
    "web_until": {"zh": "到（不含）", "en": "Until (excluded)"},
    "web_filter": {"zh": "筛选", "en": "Filter"},
    "web_download": {"zh": "下载", "en": "Download"},
    "web_bad_date": {"zh": "日期格式应为 YYYY-MM-DD。", "en": "Dates are YYYY-MM-DD."},
    "web_disliked_at": {"zh": "差评时间", "en": "Disliked at"},
    "web_answer_shown": {"zh": "当时的回答", "en": "Answer shown"},
    "web_passages_used": {"zh": "引用的段落", "en": "Passages used"},
    "web_passages_gone": {
        "zh": "这些段落已不在当前索引里（文章已修改或删除）。",
        "en": "Those passages are no longer indexed (the article changed or was removed).",
    },
    "web_title_col": {"zh": "标题", "en": "Title"},
    "web_link": {"zh": "链接", "en": "Link"},
    "web_date": {"zh": "日期", "en": "Date"},
    "web_kind": {"zh": "类型", "en": "Kind"},
    "web_kind_article": {"zh": "文章", "en": "article"},
    "web_kind_course": {"zh": "课程", "en": "course"},
    "web_kind_document": {"zh": "文档", "en": "document"},
    "web_search_passages": {"zh": "搜索段落（原文）", "en": "Search passages (literal text)"},
    "web_search": {"zh": "搜索", "en": "Search"},
    "web_no_match": {"zh": "没有段落包含这段文字。", "en": "No passage contains that text."},
    "web_no_article": {"zh": "索引里没有这篇文章。", "en": "No such article in the index."},
    "web_actions": {"zh": "管理操作", "en": "Admin actions"},
    "web_reload": {"zh": "重新加载知识库", "en": "Reload the knowledge base"},
    "web_upload": {"zh": "上传文档", "en": "Upload a document"},
    "web_upload_hint": {
        "zh": ".md .txt .html .docx .pdf，最大 {kib} KiB",
        "en": ".md .txt .html .docx .pdf, at most {kib} KiB",
    },
    "web_add": {"zh": "添加网页", "en": "Add a web page"},
    "web_no_url": {
        "zh": "请输入网址，例如 https://example.org/article",
        "en": "Please type a URL, e.g. https://example.org/article",
    },
    "web_no_file": {"zh": "请选择一个文件。", "en": "Please choose a file."},
    "web_ask": {"zh": "测试", "en": "Try it"},
    "web_continue": {"zh": "接着上一个问题（追问）", "en": "Continue the conversation (follow-up)"},
    "web_hit_hint": {
        "zh": "输入一个问题，看机器人会怎么回答（不计入提问记录）。",
        "en": "Type a question to see exactly what the bot would answer (not logged).",
    },
    "web_intent": {"zh": "问题类型", "en": "Intent"},
    "web_explain": {"zh": "排序解释（--explain）", "en": "Why passages ranked (--explain)"},
    "web_error": {"zh": "出错了：{reason}", "en": "Something went wrong: {reason}"},
}

EXAMPLES: dict[Lang, tuple[str, ...]] = {
    "zh": ("什么是AIGC？", "AIGC有哪些常见的应用工具？", "AIGC人才薪资怎么样？", "AIGC的未来发展前景如何？"),
    "en": (
        "What is AIGC?",
        "Which AIGC tools exist?",
        "How much do AIGC jobs pay?",
        "What is the future of AIGC?",
    ),
}


def detect_language(text: str, language_code: str | None = None) -> Lang:
    """English when the question is written in Latin script only, or the user's client is."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return "zh"


def accepted_language(header: str) -> Lang:
    """Chinese unless the browser's Accept-Language prefers English to Chinese
    (e.g. "en-US,en;q=0.9" or "en;q=0.9, zh;q=0.5")."""
    best: dict[Lang, float] = {}
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lang: Lang | None = (
            "en" if tag.lower().startswith("en") else "zh" if tag.lower().startswith("zh") else None
        )
        if lang is not None and weight > best.get(lang, -1.0):
            best[lang] = weight
    return "en" if best.get("en", 0.0) > best.get("zh", 0.0) else "zh"


def refusal(lang: Lang, missing: str = "") -> str:
    """What a refused question is told: the name the knowledge base lacks, when known."""
    return t("nothing_about", lang, name=missing) if missing else t("no_answer", lang)


def t(key: str, lang: Lang, **values: object) -> str:
    return STRINGS[key][lang].format(**values)


# Reasons an article or a source cannot be used (ArticleError texts, written in English
# for the CLI and logs), as the admins' Chinese replies show them.
_REASONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^empty file$", "空文件"),
        (r"^binary file \(.*\)$", "二进制文件，不是文本"),
        (r"^not UTF-8 or GB18030 text \((.*)\)$", r"不是 UTF-8 或 GB18030 编码的文本（\1）"),
        (r"^malformed YAML front matter \(YAML aliases.*\)$", "YAML 头信息里不允许使用别名（*name）"),
        (r"^malformed YAML front matter \((.*)\)$", r"YAML 头信息格式错误（\1）"),
        (r"^no text after the front matter$", "头信息之后没有正文"),
        (r"^too large \((.*)\)$", r"文件太大（\1）"),
        (r"^link points outside the knowledge folder$", "链接指向知识库目录之外"),
        (r"^file disappeared while indexing$", "索引时文件已被删除"),
        (r"^cannot read \((.*)\)$", r"无法读取（\1）"),
        (r"^same content as (.*)$", r"与 \1 内容相同"),
        (r"^no text left after cleaning$", "清理后没有剩下正文"),
        (r"^unsupported format \((.*)\)$", r"不支持的格式（\1）"),
        (r"^took (.*) s to process \(budget (.*) s\)$", r"处理用时 \1 秒，超过 \2 秒的上限"),
        (r"^only (.*) files are accepted$", r"只接受这些文件：\1"),
        (r"^file name escapes the knowledge folder$", "文件名超出了知识库目录"),
        (r"^cannot save: (.*)$", r"无法保存：\1"),
        (r"^(.*): the server answered (\d+)$", r"\1：服务器返回 \2"),
        (r"^(.*): not a document \((.*)\)$", r"\1：不是文档（\2）"),
        (r"^(.*): cannot fetch \((.*)\)$", r"\1：无法获取（\2）"),
        (r"^(.*): more than (\d+) redirects$", r"\1：重定向超过 \2 次"),
        (r"^(.*): larger than (.*)$", r"\1：大于 \2"),
        (r"^(.*): no such file$", r"\1：文件不存在"),
        (r"^no main text found in the page$", "网页里没有找到正文"),
        (r"^the document has no text$", "文档里没有文字"),
        (r"^the PDF has no text layer$", "PDF 没有文字层（可能是扫描件）"),
        (r"^needed more memory than documents may use$", "需要的内存超过了文档解析的上限"),
        (r"^took longer than (.*) s to read$", r"读取超过 \1 秒，已停止"),
        (
            r"^took more than (.*) s of CPU or (.*) MiB to read$",
            r"读取用了超过 \1 秒 CPU 或 \2 MiB 内存，已停止",
        ),
        (r"^the document unpacks to more than (.*) MiB$", r"文档解压后超过 \1 MiB"),
        (
            r"^the document is compressed more than (.*) \(a zip bomb\?\)$",
            r"文档压缩比超过 \1（可能是压缩炸弹）",
        ),
        (r"^cannot read ([A-Z]+) \((.*)\)$", r"无法读取 \1（\2）"),
        (r"^cannot keep the previous version: (.*)$", r"无法保留旧版本：\1"),
        (r"^cannot resolve (.*)$", r"无法解析域名 \1"),
        (
            r"^(.*) is not a public address \((.*)\); only the public internet is fetched$",
            r"\1 不是公网地址（\2），只能获取公网上的网页",
        ),
        (r"^unix sockets are not fetched$", "不获取 Unix 套接字"),
        (r"^(.*): only http\(s\) URLs can be added( here)?$", r"\1：只能添加 http(s) 网址"),
        (r"^(.*): unsupported content encoding \((.*)\)$", r"\1：不支持的内容编码（\2）"),
        (r"^(.*): took longer than (.*) s$", r"\1：超过 \2 秒"),
        (r"^(.*): too large \((.*)\)$", r"\1：文件太大（\2）"),
        (r"^(.*): unsupported format \((.*)\)$", r"\1：不支持的格式（\2）"),
    )
)


def reason(text: str, lang: Lang) -> str:
    """An ArticleError reason in the reader's language (English as written)."""
    if lang == "zh":
        for pattern, replacement in _REASONS_ZH:
            if pattern.match(text):
                return pattern.sub(replacement, text)
    return text
