"""What a refresh did: the report for the CLI, the logs and the admins' /reload."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import Lang, reason

_REPORT_WORDS = {
    "en": {
        "articles": "articles",
        "passages": "passages",
        "added": "added",
        "changed": "changed",
        "removed": "removed",
        "unchanged": "unchanged",
        "skipped": "skipped",
        "time": "time",
        "dropped": "(dropped {promo} promotional and {duplicate} duplicate blocks)",
    },
    "zh": {
        "articles": "文章",
        "passages": "段落",
        "added": "新增",
        "changed": "修改",
        "removed": "删除",
        "unchanged": "未变",
        "skipped": "跳过",
        "time": "用时",
        "dropped": "（去掉 {promo} 个推广块、{duplicate} 个重复块）",
    },
}


@dataclass
class IndexReport:
    """What a refresh did, for the CLI and the admins' /reload reply."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    chunks: int = 0
    promo_blocks: int = 0
    duplicate_blocks: int = 0
    rechunked: bool = False
    seconds: float = 0.0

    @property
    def modified(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self, lang: Lang = "en") -> list[str]:
        """The report as lines, in English (CLI, logs) or Chinese (the admins' /reload)."""
        w = _REPORT_WORDS["zh" if lang == "zh" else "en"]
        counts = (
            f"{len(self.added)} {w['added']}, {len(self.changed)} {w['changed']}, "
            f"{len(self.removed)} {w['removed']}, {self.unchanged} {w['unchanged']}, "
            f"{len(self.skipped)} {w['skipped']}"
        )
        out = [f"{w['articles']}: {self.articles} ({counts})", f"{w['passages']}: {self.chunks}"]
        if self.rechunked:
            out[-1] += " " + w["dropped"].format(promo=self.promo_blocks, duplicate=self.duplicate_blocks)
        for label, paths in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            out += [f"  {w[label]}: {p}" for p in paths]
        out += [f"  {w['skipped']}: {path}: {reason(why, lang)}" for path, why in self.skipped]
        out.append(f"{w['time']}: {self.seconds:.2f} s")
        return out
