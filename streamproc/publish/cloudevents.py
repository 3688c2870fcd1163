"""CloudEvents 1.0 binary-mode headers for alerts on the Kafka topic (Kafka protocol binding).

The message value stays the alert JSON (the event ``data``); the attributes travel as ``ce_*``
headers and the content type as ``content-type``, so CloudEvents SDKs read the topic as events while
consumers that ignore headers see exactly what they saw before.
"""

from __future__ import annotations

from typing import Any

SPEC_VERSION = "1.0"
ALERT_TYPE = "org.streamproc.alert.created"
UPDATE_TYPE = "org.streamproc.alert.updated"  # a later report of the same event, with more casualties


def alert_headers(alert: dict[str, Any], source: str) -> dict[str, bytes]:
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": alert["alert_id"],
        "ce_type": UPDATE_TYPE if alert.get("update_of") else ALERT_TYPE,
        "ce_source": source,
        "ce_time": alert.get("detected_at") or "",
        "content-type": "application/json",
    }
    article_id = (alert.get("article") or {}).get("id")
    if article_id:
        headers["ce_subject"] = str(article_id)
    schema_version = alert.get("schema_version")
    if schema_version:
        headers["ce_dataschema"] = f"urn:streamproc:alert:{schema_version}"
    return {k: v.encode() for k, v in headers.items() if v}
