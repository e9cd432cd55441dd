"""What the admin console will show, through the service: usage per day, refused
questions grouped, 👎 with their passages, the articles and their passages as indexed."""

from __future__ import annotations

from pathlib import Path

from bot.records import Asker
from bot.service import KnowledgeService
from tests.conftest import make_settings


async def test_the_console_views_read_the_log_and_the_index(tmp_path: Path) -> None:
    service = await KnowledgeService.open(make_settings(tmp_path))
    asker = Asker(1, 1, "private", "zh")
    try:
        answered = await service.ask("什么是AIGC？", asker=asker)
        for text in ("怎么做红烧肉", "怎么做红烧肉？", "怎麼做紅燒肉", "今天天气怎么样"):
            await service.ask(text, asker=asker)
        assert answered.question_id is not None
        assert await service.feedback(answered.question_id, 1, -1)

        usage = await service.usage()
        assert usage.asked == 5 and usage.answered == 1 and usage.unhelpful == 1
        assert len(usage.days) == 1 and usage.days[0].refused == 4

        groups = await service.refused()
        assert [g.count for g in groups] == [3, 1], "near-identical questions are one group"
        assert groups[0].text == "怎麼做紅燒肉", "a group shows its latest wording"

        [(dislike, passages)] = await service.disliked()
        assert dislike.text == "什么是AIGC？" and passages
        lead = answered.answer.lead[0].text
        assert lead[:40] in dislike.answer, "the 👎 shows the answer as the user read it"
        assert [p.id for p in passages] == [p.passage.id for p in answered.answer.passages]

        articles = await service.articles()
        assert len(articles) == 5 and all(a.passages > 0 for a in articles)
        first = await service.article(articles[0].path)
        assert len(first) == articles[0].passages and first[0].article_path == articles[0].path
        found = await service.find_passages("Midjourney")
        assert found and all("midjourney" in p.text.lower() for p in found)
        assert all("%_" in p.text for p in await service.find_passages("%_")), "LIKE wildcards are literal"
    finally:
        await service.close()
