"""The compose stack's sample webhook receiver, run as a real process on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from streamproc.broker.embedded import free_port
from streamproc.publish.webhooks.signing import generate_secret, sign
from tests.deploy.conftest import DEPLOY

ALERT = {"alert_id": "alr_" + "1" * 32, "detected_at": "2020-07-13T17:13:00.000Z", "severity": "high",
         "categories": [{"name": "shelling"}], "primary_country": "AZ", "article": {"id": "a-1"}}


def signed(secret: str, now: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A Standard Webhooks delivery of ALERT, as the workers send it."""
    stamp = int(time.time()) if now is None else now
    body = orjson.dumps({"type": "alert.created", "timestamp": ALERT["detected_at"], "data": ALERT})
    msg_id = "msg_" + ALERT["alert_id"]
    return body, {"content-type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(stamp),
                  "webhook-signature": sign(secret, msg_id, stamp, body)}


@pytest.fixture(scope="module")
def secret() -> str:
    return generate_secret()


@pytest.fixture(scope="module")
def receiver_url(secret: str) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
    env["STREAMPROC_WEBHOOK_SECRET"] = secret
    proc = subprocess.Popen([sys.executable, str(DEPLOY / "webhook-receiver" / "receiver.py"), "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "receiver died"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "receiver did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()  # SIGTERM: the receiver exits (it is PID 1 in its container)
        assert proc.wait(10) == 0


def test_signed_delivery_is_accepted(receiver_url: str, secret: str) -> None:
    body, headers = signed(secret)
    assert httpx.post(receiver_url + "/hook", content=body, headers=headers).status_code == 204


def test_bad_signature_and_wrong_secret_are_rejected(receiver_url: str) -> None:
    body, headers = signed(generate_secret())
    assert httpx.post(receiver_url + "/hook", content=body, headers=headers).status_code == 401
    assert httpx.post(receiver_url + "/hook", content=b"{}").status_code == 401


def test_stale_timestamp_is_rejected(receiver_url: str, secret: str) -> None:
    old = int(time.time()) - 3600
    body, headers = signed(secret, now=old)
    assert httpx.post(receiver_url + "/hook", content=body, headers=headers).status_code == 401
