"""The input contract: one news article (see ``streamproc/schemas/article.schema.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None
    published_at: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def reference(self) -> dict[str, Any]:
        """The part of the article an alert carries (not the text: alerts stay small)."""
        return {"id": self.id, "title": self.title, "url": self.url, "source": self.source,
                "published_at": self.published_at}
