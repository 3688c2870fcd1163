"""Standard Webhooks signatures (https://www.standardwebhooks.com), pure functions.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256; the header is
``v1,<base64 signature>`` (several space-separated during secret rotation). Secrets look like
``whsec_<base64 key>``; a secret without the prefix is used as raw bytes, so a plain shared string
configured by an operator also works.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _secrets

SECRET_PREFIX = "whsec_"


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode()


def secret_key(secret: str, strict: bool = False) -> bytes:
    """The HMAC key. ``strict`` (when a secret is accepted) refuses a ``whsec_`` part that is not
    standard base64: lenient decoding drops stray characters (``-``, ``_``), and a receiver whose
    Standard Webhooks library decodes strictly would then derive another key and reject every
    delivery. Signing stays lenient, so a secret stored before this check keeps working."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):], validate=strict)
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one secret."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, msg_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """True if any ``v1`` signature in ``header`` matches (constant-time comparison)."""
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    for part in header.split():
        version, _, value = part.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def delivery_id(alert_id: str, subscriber_id: str) -> str:
    """``webhook-id``: the same for every redelivery of one alert to one subscriber."""
    return "msg_" + hashlib.sha256(f"{alert_id}\x00{subscriber_id}".encode()).hexdigest()[:32]
