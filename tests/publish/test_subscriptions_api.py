"""The subscriptions API handlers (auth, validation, secrets shown once) over an in-memory store."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from standardwebhooks import Webhook

from streamproc.config import Settings
from streamproc.publish.webhooks.model import DELETED, Subscription
from streamproc.worker.subscriptions import SubscriptionsApi

TOKEN = "s3cr3t-admin-token"


class Store:
    ready = True

    def __init__(self) -> None:
        self.subs: dict[str, Subscription] = {}

    def get(self, sub_id):
        s = self.subs.get(sub_id)
        return None if s is None or s.state == DELETED else s

    def all(self):
        return [s for s in self.subs.values() if s.state != DELETED]

    async def put(self, sub):
        self.subs[sub.id] = sub

    async def delete(self, sub):
        del self.subs[sub.id]


class Req:
    def __init__(self, body=None, token: str | None = TOKEN) -> None:
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._body = body if isinstance(body, bytes) else orjson.dumps(body) if body is not None else b""

    async def read(self) -> bytes:
        return self._body


@pytest.fixture
def api():
    settings = Settings(admin_token=TOKEN, webhook_allow_loopback=True, webhook_allow_http=True)
    return SubscriptionsApi(Store(), settings)


async def test_every_call_needs_the_bearer_token(api):
    for token in (None, "wrong"):
        for method, sub_id in (("get", None), ("post", None), ("get", "x"), ("patch", "x"), ("delete", "x")):
            status, _, headers = await api.handle(Req({"url": "http://127.0.0.1/h"}, token), method, sub_id)
            assert status == 401 and "WWW-Authenticate" in headers
    undecodable = Req()
    undecodable.headers = {"Authorization": b"Bearer \xff\xfe".decode("utf-8", "surrogateescape")}
    assert (await api.handle(undecodable, "get", None))[0] == 401  # not a 500
    api.settings = Settings(admin_token="")  # no token configured: the API is closed
    assert (await api.handle(Req(token=""), "get", None))[0] == 401


async def test_create_returns_the_secret_once(api):
    status, body, headers = await api.handle(Req({"url": "http://127.0.0.1:9/h", "filters": {"countries": ["az"]}}),
                                             "post", None)
    assert status == 201 and body["secret"].startswith("whsec_") and body["filters"] == {"countries": ["AZ"]}
    assert headers["Location"] == f"/subscriptions/{body['id']}"
    Webhook(body["secret"])  # a valid Standard Webhooks secret
    status, one, _ = await api.handle(Req(), "get", body["id"])
    assert status == 200 and "secret" not in one and body["secret"] not in orjson.dumps(one).decode()
    status, listing, _ = await api.handle(Req(), "get", None)
    assert [s["id"] for s in listing["subscriptions"]] == [body["id"]]
    assert body["secret"] not in orjson.dumps(listing).decode()


async def test_given_secret_is_kept(api):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    status, body, _ = await api.handle(Req({"url": "http://127.0.0.1:9/h", "secret": secret}), "post", None)
    assert status == 201 and body["secret"] == secret


@pytest.mark.parametrize("doc, status", [
    ({}, 400), ({"url": "http://127.0.0.1:9/h", "filters": {"min_severity": "x"}}, 400),
    ({"url": "http://127.0.0.1:9/h", "secret": "short"}, 400), ({"url": "http://127.0.0.1:9/h", "x": 1}, 400),
    ({"url": "http://10.0.0.1/h"}, 422), ({"url": "http://169.254.169.254/latest"}, 422),
    ({"url": "http://[::ffff:192.168.0.1]/h"}, 422), ({"url": "file:///etc/passwd"}, 422),
    # url-safe base64 is not the standard's: a strict receiver would derive another key
    ({"url": "http://127.0.0.1:9/h", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-_Sw"}, 400),
    ({"url": "http://127.0.0.1:9/h\nFORGED log line"}, 422),
])
async def test_bad_requests(api, doc, status):
    assert (await api.handle(Req(doc), "post", None))[0] == status


async def test_bad_json_and_unknown_ids(api):
    assert (await api.handle(Req(b"{not json"), "post", None))[0] == 400
    assert (await api.handle(Req(b"[]"), "post", None))[0] == 400
    for method in ("get", "patch", "delete"):
        assert (await api.handle(Req({}), method, "sub_nope"))[0] == 404


async def test_loopback_and_http_refused_unless_allowed(api):
    api.settings = Settings(admin_token=TOKEN)
    status, body, _ = await api.handle(Req({"url": "http://127.0.0.1:9/h"}), "post", None)
    assert status == 422 and "http" in body["error"]
    status, body, _ = await api.handle(Req({"url": "https://127.0.0.1:9/h"}), "post", None)
    assert status == 422 and "loopback" in body["error"]


async def test_patch_rotates_disables_and_delete_removes(api):
    _, created, _ = await api.handle(Req({"url": "http://127.0.0.1:9/h"}), "post", None)
    sid = created["id"]
    status, body, _ = await api.handle(Req({"filters": {"min_severity": "high"}, "enabled": False}), "patch", sid)
    assert status == 200 and body["state"] == "disabled" and body["filters"] == {"min_severity": "high"}
    assert "secret" not in body
    status, body, _ = await api.handle(Req({"rotate_secret": True, "enabled": True}), "patch", sid)
    assert status == 200 and body["state"] == "active" and body["secret"] != created["secret"]
    stored = api.store.get(sid)
    assert [s for s, _ in stored.secrets] == [body["secret"], created["secret"]]
    assert stored.secrets[1][1] is not None  # the old secret expires after the grace period
    status, body, _ = await api.handle(Req({"url": "http://10.0.0.1/h"}), "patch", sid)
    assert status == 422
    assert (await api.handle(Req(), "delete", sid))[0] == 204
    assert (await api.handle(Req(), "get", sid))[0] == 404


async def test_loading_answers_503(api):
    api.store.ready = False
    status, _, headers = await api.handle(Req(), "get", None)
    assert status == 503 and headers["Retry-After"] == "1"


async def test_bootstrap_subscription_patched_through_the_api_loses_its_trust(api):
    from streamproc.publish.webhooks.model import create
    boot = create("http://127.0.0.1:9/h", source="config", sub_id="ops")
    await api.store.put(boot)
    _, body, _ = await api.handle(Req({"url": "http://127.0.0.1:10/h"}), "patch", "ops")
    assert body["source"] == "api" and api.store.get("ops").trusted is False
    assert replace(boot).trusted


async def test_the_number_of_api_subscriptions_is_capped(api):
    api.settings = Settings(admin_token=TOKEN, webhook_allow_loopback=True, webhook_allow_http=True,
                            webhook_max_subscriptions=2)
    made = [await api.handle(Req({"url": f"http://127.0.0.1:9/h{i}"}), "post", None) for i in range(2)]
    assert [status for status, _, _ in made] == [201, 201]
    status, body, _ = await api.handle(Req({"url": "http://127.0.0.1:9/h3"}), "post", None)
    assert status == 409 and "STREAMPROC_WEBHOOK_MAX_SUBSCRIPTIONS" in body["error"]
    assert (await api.handle(Req(), "delete", made[0][1]["id"]))[0] == 204
    assert (await api.handle(Req({"url": "http://127.0.0.1:9/h3"}), "post", None))[0] == 201
