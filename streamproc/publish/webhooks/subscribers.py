"""Bootstrap subscriptions from ``STREAMPROC_WEBHOOKS_FILE`` (YAML/JSON) and ``STREAMPROC_WEBHOOK_URLS``.

They are the operator's own configuration: every worker loads the same list, and the subscriptions
table (API) is merged over it (a PATCH or DELETE through the API is stored in the table and wins).
As the operator wrote them, their URLs are exempt from the SSRF guard (the guard protects against
URLs registered through the API).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from streamproc.config import Settings
from streamproc.publish.webhooks.filters import FilterError
from streamproc.publish.webhooks.model import Subscription, config_id, create


class SubscriberConfigError(ValueError):
    pass


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubscriberConfigError(f"subscriber URL must be http(s)://host/...: {url!r}")
    return url


#: What a subscriber entry may hold. Anything else is refused, as the API refuses unknown fields: a
#: misspelt ``filter:`` would otherwise give a subscription without filters, sent every alert.
_ENTRY_KEYS = frozenset({"url", "secret", "id", "description", "filters"})


def _entry(where: str, item: dict[str, Any], default_secret: str) -> Subscription:
    unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
    if unknown:
        raise SubscriberConfigError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; expected "
                                    + ", ".join(sorted(_ENTRY_KEYS)))
    url = _check_url(str(item["url"]))
    secret = item.get("secret") or default_secret
    if not secret:
        raise SubscriberConfigError(f"{where} needs a 'secret'")
    try:
        return create(url, filters=item.get("filters"), secret=str(secret), sub_id=str(item.get("id") or config_id(url)),
                      description=str(item.get("description") or ""), source="config", now=0.0, strict_secret=False)
    except (FilterError, ValueError) as exc:
        raise SubscriberConfigError(f"{where}: {exc}") from None


def load_subscribers(settings: Settings) -> list[Subscription]:
    subs: list[Subscription] = []
    if settings.webhooks_file:
        path = Path(settings.webhooks_file)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise SubscriberConfigError(f"{path}: {exc}") from exc
        if isinstance(doc, dict):
            doc = doc.get("subscribers", doc.get("subscriptions", []))
        if not isinstance(doc, list):
            raise SubscriberConfigError(f"{path}: expected a list of subscribers")
        for i, item in enumerate(doc):
            if not isinstance(item, dict) or "url" not in item:
                raise SubscriberConfigError(f"{path}: subscriber #{i + 1} needs a 'url'")
            subs.append(_entry(f"{path}: subscriber #{i + 1}", item, settings.webhook_secret))
    for url in (u.strip() for u in settings.webhook_urls.split(",")):
        if not url:
            continue
        if not settings.webhook_secret:
            raise SubscriberConfigError("STREAMPROC_WEBHOOK_URLS needs STREAMPROC_WEBHOOK_SECRET")
        subs.append(_entry("STREAMPROC_WEBHOOK_URLS", {"url": url}, settings.webhook_secret))
    ids = [s.id for s in subs]
    if len(ids) != len(set(ids)):
        raise SubscriberConfigError("subscriber ids must be unique")
    return subs
