"""Webhook subscribers from a YAML/JSON file and/or ``STREAMPROC_WEBHOOK_URLS``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from streamproc.config import Settings


class SubscriberConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: str
    url: str
    secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"Subscriber(id={self.id!r}, url={self.url!r})"


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubscriberConfigError(f"subscriber URL must be http(s)://host/...: {url!r}")
    return url


def _default_id(url: str) -> str:
    return "sub_" + hashlib.sha256(url.encode()).hexdigest()[:16]


def load_subscribers(settings: Settings) -> list[Subscriber]:
    subs: list[Subscriber] = []
    if settings.webhooks_file:
        path = Path(settings.webhooks_file)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise SubscriberConfigError(f"{path}: {exc}") from exc
        if isinstance(doc, dict):
            doc = doc.get("subscribers", [])
        if not isinstance(doc, list):
            raise SubscriberConfigError(f"{path}: expected a list of subscribers")
        for i, item in enumerate(doc):
            if not isinstance(item, dict) or "url" not in item:
                raise SubscriberConfigError(f"{path}: subscriber #{i + 1} needs a 'url'")
            secret = item.get("secret") or settings.webhook_secret
            if not secret:
                raise SubscriberConfigError(f"{path}: subscriber #{i + 1} needs a 'secret'")
            url = _check_url(str(item["url"]))
            subs.append(Subscriber(id=str(item.get("id") or _default_id(url)), url=url, secret=str(secret)))
    for url in (u.strip() for u in settings.webhook_urls.split(",")):
        if not url:
            continue
        if not settings.webhook_secret:
            raise SubscriberConfigError("STREAMPROC_WEBHOOK_URLS needs STREAMPROC_WEBHOOK_SECRET")
        subs.append(Subscriber(id=_default_id(url), url=_check_url(url), secret=settings.webhook_secret))
    ids = [s.id for s in subs]
    if len(ids) != len(set(ids)):
        raise SubscriberConfigError("subscriber ids must be unique")
    return subs
