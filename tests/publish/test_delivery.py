"""Delivery tasks, the retry schedule, the signed request (checked with the reference verifier), secrets."""

import random
import time

import orjson
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from streamproc.publish.webhooks.delivery import (
    DeliveryTask,
    RetrySchedule,
    build_request,
    classify,
    decode_record,
    encode_records,
    parse_retry_after,
)
from streamproc.publish.webhooks.model import Subscription, check_secret, create
from streamproc.publish.webhooks.signing import delivery_id, generate_secret

ALERT = {"alert_id": "alr_" + "1" * 32, "detected_at": "2020-07-13T17:13:00.000Z", "severity": "high"}


def test_task_roundtrip_and_refusals():
    task = DeliveryTask.for_alert(ALERT, "sub_a", now=100.0)
    assert task.webhook_id == delivery_id(ALERT["alert_id"], "sub_a")
    assert DeliveryTask.decode(task.encode()) == task
    later = task.after_attempt("HTTP 500", due_at=105.0)
    assert (later.attempt, later.due_at, later.history) == (1, 105.0, ["attempt 1: HTTP 500"])
    assert later.webhook_id == task.webhook_id
    replayed = later.replayed(now=200.0)
    assert replayed.attempt == 0 and replayed.webhook_id == task.webhook_id
    for bad in (b"", b"[]", b'{"v": 1}', b"\xff", b'{"v": 1, "subscription_id": "s", "webhook_id": "w", "alert": 3}'):
        with pytest.raises(ValueError):
            DeliveryTask.decode(bad)
    assert "secret" not in task.encode().decode()


def tasks_for(n: int, sub: str = "sub_a", pad: int = 0) -> list[DeliveryTask]:
    return [DeliveryTask.for_alert({**ALERT, "alert_id": f"alr_{i:032x}", "pad": "x" * pad}, sub, now=1.0)
            for i in range(n)]


def test_a_batch_of_tasks_travels_as_one_group_record():
    tasks = tasks_for(5)
    [record] = encode_records(tasks, max_bytes=1024 * 1024)
    assert orjson.loads(record)["v"] == 2
    assert decode_record(record) == (tasks, [])


def test_a_lone_task_is_written_as_a_one_task_record_every_version_reads():
    [task] = tasks_for(1)
    [record] = encode_records([task], max_bytes=1024 * 1024)
    assert DeliveryTask.decode(record) == task and decode_record(record) == ([task], [])


def test_groups_are_cut_to_the_record_limit_in_order():
    tasks = tasks_for(10, pad=1000)
    one = len(tasks[0].encode())
    records = encode_records(tasks, max_bytes=3 * one + 40)
    assert [len(decode_record(r)[0]) for r in records] == [3, 3, 3, 1]
    assert all(len(r) <= 3 * one + 40 for r in records)
    assert [t for r in records for t in decode_record(r)[0]] == tasks
    # A task larger than the limit on its own still gets a record of its own.
    assert [decode_record(r)[0] for r in encode_records(tasks[:2], max_bytes=10)] == [[tasks[0]], [tasks[1]]]


def test_a_bad_part_of_a_group_is_refused_and_the_rest_kept():
    good = [orjson.loads(t.encode()) for t in tasks_for(2)]
    record = orjson.dumps({"v": 2, "tasks": [good[0], {"v": 1, "alert": 3}, "junk", good[1]]})
    tasks, refused = decode_record(record)
    assert [t.webhook_id for t in tasks] == [g["webhook_id"] for g in good]
    assert len(refused) == 2 and refused[0].startswith("task 1 of 4")
    for bad in (b'{"v": 2}', b'{"v": 2, "tasks": {}}', b"", b"\xff", b"[]", b'{"v": 3}'):
        with pytest.raises(ValueError):
            decode_record(bad)


def test_schedule_follows_the_delays_then_gives_up():
    s = RetrySchedule((5, 300, 1800, 7200, 18000, 36000, 36000), rng=random.Random(1))
    assert s.max_attempts == 8 and s.tiers == (5, 300, 1800, 7200, 18000, 36000)
    now = 1000.0
    for attempts, delay in enumerate((5, 300, 1800, 7200, 18000, 36000, 36000), start=1):
        tier, due = s.next_retry(attempts, now)
        assert s.tiers[tier] == delay
        assert delay <= due - now <= delay * 1.25  # jitter only lengthens
    assert s.next_retry(8, now) is None


def test_retry_after_moves_to_a_longer_tier_and_is_honoured():
    s = RetrySchedule((1, 5, 30), rng=random.Random(2))
    tier, due = s.next_retry(1, 0.0, retry_after=4)
    assert s.tiers[tier] == 5 and due >= 4
    tier, due = s.next_retry(1, 0.0, retry_after=0.5)  # shorter than the schedule: the schedule wins
    assert s.tiers[tier] == 1 and due >= 1
    tier, due = s.next_retry(1, 0.0, retry_after=999)  # capped at the longest delay
    assert s.tiers[tier] == 30 and 30 <= due <= 37.5


def test_jitter_spreads_retries():
    s = RetrySchedule((10,), rng=random.Random(3))
    dues = {round(s.next_retry(1, 0.0)[1], 3) for _ in range(50)}
    assert len(dues) > 40 and min(dues) >= 10 and max(dues) <= 12.5


def test_expiry_of_tasks_only_ever_deferred():
    s = RetrySchedule((1, 2))
    task = DeliveryTask.for_alert(ALERT, "s", now=0.0)
    assert not s.expired(task, now=100.0)
    assert s.expired(task, now=1000.0)


def test_a_replayed_task_is_not_expired_by_its_age():
    """Replayed days after its fan-out, a task deferred by a busy subscriber is retried, not given up."""
    s = RetrySchedule((1, 2))
    task = DeliveryTask.for_alert(ALERT, "s", now=0.0).after_attempt("HTTP 503", due_at=1.0)
    replayed = task.replayed(now=3 * 86400.0)
    assert not s.expired(replayed, now=3 * 86400.0 + 10)
    assert replayed.created_at == 3 * 86400.0


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_classify():
    assert [classify(s) for s in (200, 204, 302, 410, 503, None)] == ["2xx", "2xx", "3xx", "4xx", "5xx", "error"]


def test_request_verifies_with_the_reference_library():
    secret = generate_secret()
    task = DeliveryTask.for_alert(ALERT, "sub_a")
    body, headers = build_request(task, [secret])
    payload = Webhook(secret).verify(body, headers)
    assert payload == {"type": "alert.created", "timestamp": ALERT["detected_at"], "data": ALERT}
    assert headers["webhook-id"] == task.webhook_id
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"high", b"low!"), headers)


def test_rotation_signs_with_old_and_new_side_by_side():
    sub = create("https://example.org/hook", now=1000.0)
    old = sub.secrets[0][0]
    new = generate_secret()
    rotated = sub.rotated(new, grace=60.0, now=1000.0)
    assert rotated.signing_secrets(now=1030.0) == [new, old]
    assert rotated.signing_secrets(now=1061.0) == [new]
    task = DeliveryTask.for_alert(ALERT, sub.id)
    body, headers = build_request(task, rotated.signing_secrets(now=1030.0))
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    # Rotating again keeps at most the still-valid secrets, each no longer than the grace.
    third = generate_secret()
    again = rotated.rotated(third, grace=10.0, now=1040.0)
    assert again.signing_secrets(now=1045.0) == [third, new, old]
    assert again.signing_secrets(now=1051.0) == [third]


def test_public_view_and_repr_never_show_a_secret():
    sub = create("https://example.org/hook", filters={"countries": ["az"]})
    secret = sub.secrets[0][0]
    assert secret.startswith("whsec_")
    assert secret not in orjson.dumps(sub.public()).decode() and secret not in repr(sub)
    assert Subscription.from_record(orjson.loads(orjson.dumps(sub.record()))) == sub
    assert sub.public()["filters"] == {"countries": ["AZ"]}


@pytest.mark.parametrize("bad", ["", "short", "whsec_!!!!", "whsec_" + "QUFB", 5])
def test_weak_or_malformed_secrets_are_refused(bad):
    with pytest.raises(ValueError):
        check_secret(bad)
