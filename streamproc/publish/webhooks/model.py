"""Webhook subscriptions as stored records (pure).

A record is what the subscriptions table holds (JSON, one per subscription id). Secrets live only
here: :meth:`Subscription.public` is what the API returns and what may be logged; it never includes a
secret. Rotation keeps the previous secret signing beside the new one until ``expires_at``, so
receivers can switch secrets without missing a delivery (Standard Webhooks allows several
``v1,`` signatures, space-separated, in one header).
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any

from streamproc.publish.webhooks.filters import normalise_filters
from streamproc.publish.webhooks.signing import SECRET_PREFIX, generate_secret, secret_key

ACTIVE = "active"
DISABLED = "disabled"
DELETED = "deleted"  # tombstone for a bootstrap subscription deleted through the API


def new_id() -> str:
    return "sub_" + _secrets.token_hex(12)


def config_id(url: str) -> str:
    """Id of a bootstrap subscription given without one (stable across restarts)."""
    return "sub_" + hashlib.sha256(url.encode()).hexdigest()[:16]


def check_secret(secret: Any) -> str:
    if not isinstance(secret, str) or not secret:
        raise ValueError("secret must be a non-empty string")
    if len(secret) > 512:
        raise ValueError("secret is too long")
    if secret.startswith(SECRET_PREFIX):
        try:
            key = secret_key(secret, strict=True)
        except ValueError:
            raise ValueError("a whsec_ secret must be standard base64 (A-Z a-z 0-9 + / =)") from None
        if not 24 <= len(key) <= 64:
            raise ValueError("a whsec_ secret must hold 24 to 64 bytes")
    elif len(secret) < 16:
        raise ValueError("a secret must be whsec_<base64> or at least 16 characters")
    return secret


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secrets: tuple[tuple[str, float | None], ...]  # (secret, expires_at or None), newest first
    filters: dict[str, Any] = field(default_factory=dict)
    state: str = ACTIVE
    disabled_reason: str | None = None
    description: str = ""
    source: str = "api"  # "api" or "config" (bootstrap: an operator's own URL, exempt from the SSRF guard)
    created_at: float = 0.0
    updated_at: float = 0.0

    def __repr__(self) -> str:  # never print a secret
        return f"Subscription(id={self.id!r}, url={self.url!r}, state={self.state!r})"

    @property
    def active(self) -> bool:
        return self.state == ACTIVE

    @property
    def trusted(self) -> bool:
        return self.source == "config"

    def signing_secrets(self, now: float | None = None) -> list[str]:
        now = time.time() if now is None else now
        return [s for s, exp in self.secrets if exp is None or exp > now]

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "filters": self.filters, "state": self.state,
                "disabled_reason": self.disabled_reason, "description": self.description,
                "source": self.source, "created_at": _iso(self.created_at), "updated_at": _iso(self.updated_at)}

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "filters": self.filters, "state": self.state,
                "disabled_reason": self.disabled_reason, "description": self.description,
                "source": self.source, "created_at": self.created_at, "updated_at": self.updated_at,
                "secrets": [{"secret": s, "expires_at": e} for s, e in self.secrets]}

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Subscription:
        return cls(id=rec["id"], url=rec["url"], filters=rec.get("filters") or {},
                   secrets=tuple((s["secret"], s.get("expires_at")) for s in rec.get("secrets") or ()),
                   state=rec.get("state", ACTIVE), disabled_reason=rec.get("disabled_reason"),
                   description=rec.get("description", ""), source=rec.get("source", "api"),
                   created_at=rec.get("created_at", 0.0), updated_at=rec.get("updated_at", 0.0))

    def rotated(self, new_secret: str, grace: float, now: float | None = None) -> Subscription:
        """The new secret first; the ones still valid keep signing for ``grace`` seconds at most."""
        now = time.time() if now is None else now
        kept = tuple((s, min(e, now + grace) if e is not None else now + grace)
                     for s, e in self.secrets if (e is None or e > now) and s != new_secret)
        return replace(self, secrets=((new_secret, None),) + kept, updated_at=now)


def create(url: str, filters: Any = None, secret: str | None = None, description: str = "",
           sub_id: str | None = None, source: str = "api", now: float | None = None,
           strict_secret: bool = True) -> Subscription:
    now = time.time() if now is None else now
    if secret is None:
        secret = generate_secret()
    elif strict_secret:
        secret = check_secret(secret)
    elif secret.startswith(SECRET_PREFIX):
        # Operators may configure any shared string, but a whsec_ secret that is not base64 would
        # fail every signature later (each delivery dead-lettered): refuse it at start-up instead.
        try:
            secret_key(secret, strict=True)
        except ValueError:
            raise ValueError("a whsec_ secret must be standard base64 (whsec_<base64 key>)") from None
    if not isinstance(description, str) or len(description) > 500:
        raise ValueError("description must be a string of at most 500 characters")
    return Subscription(id=sub_id or new_id(), url=url, secrets=((secret, None),),
                        filters=normalise_filters(filters), description=description, source=source,
                        created_at=now, updated_at=now)


def _iso(ts: float) -> str | None:
    if not ts:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"
