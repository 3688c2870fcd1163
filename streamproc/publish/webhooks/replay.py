"""``streamproc webhooks replay``: send dead-lettered deliveries back to ``<prefix>.deliveries``.

Reads ``<prefix>.dlq`` up to its end as of the start, with its own consumer group
(``<app-id>-webhooks-replay``), so each dead letter is replayed once; ``--all`` starts again from
the beginning. ``--subscription ID`` replays only that subscription's dead letters, with a consumer group
of its own (``<app-id>-webhooks-replay-<id>``) that remembers what it sent (a run that committed
nothing sent everything again each time, the copies a still-failing subscriber had dead-lettered
again included); the plain replay still has them all to send (at least once: receivers deduplicate on
the ``webhook-id``). Each replayed task keeps its ``webhook-id`` (receivers deduplicate) and gets a fresh
set of attempts. Offsets are committed only after the replayed tasks are acknowledged by the broker.
It runs until every partition is read to that end; ``timeout`` seconds without a record (the time
spent sending aside) stop it
early, and then it says which partitions are left and the command exits 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streamproc.broker.to_end import UpToEnd, next_offsets
from streamproc.publish.webhooks.delivery import DeliveryTask, decode_record


@dataclass
class ReplayReport:
    replayed: int = 0
    skipped: int = 0
    invalid: int = 0
    by_subscription: dict[str, int] = field(default_factory=dict)
    #: Partitions of the dead-letter topic not read to their end (no progress for ``timeout``
    #: seconds): the command says so and exits 1, a run that stopped early never looks complete.
    unfinished: list[int] = field(default_factory=list)


async def replay(bootstrap: str, prefix: str, app_id: str, subscription: str | None = None,
                 from_start: bool = False, dry_run: bool = False, out: TextIO = sys.stdout,
                 timeout: float = 30.0) -> ReplayReport:
    dlq, deliveries = f"{prefix}.dlq", f"{prefix}.deliveries"
    report = ReplayReport()
    group = f"{app_id}-webhooks-replay" + (f"-{subscription}" if subscription else "")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=16 * 1024 * 1024)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=16 * 1024 * 1024)
    await consumer.start()
    await producer.start()
    try:
        async def replay_one(task: DeliveryTask) -> None:
            if subscription and task.subscription_id != subscription:
                report.skipped += 1
                return
            if not dry_run:
                await (await producer.send(deliveries, key=task.subscription_id.encode(),
                                           value=task.replayed().encode()))
            report.replayed += 1
            report.by_subscription[task.subscription_id] = report.by_subscription.get(task.subscription_id, 0) + 1
            print(f"{'would replay' if dry_run else 'replayed'} {task.webhook_id} "
                  f"(alert {task.alert.get('alert_id')}, subscription {task.subscription_id}, "
                  f"{task.last_result})", file=out)

        reader = UpToEnd(consumer, dlq, from_start=from_start, timeout=timeout)
        async for batch in reader.batches():
            for records in batch.values():
                for rec in records:
                    try:
                        tasks, refused = decode_record(rec.value)
                    except ValueError:
                        report.invalid += 1
                        continue
                    report.invalid += len(refused)
                    for task in tasks:
                        await replay_one(task)
            if not dry_run:
                await consumer.commit(next_offsets(batch))
        if not reader.exists:
            print(f"no topic {dlq}: nothing to replay", file=out)
            return report
        print(f"{'would replay' if dry_run else 'replayed'} {report.replayed} dead letter(s) "
              f"({report.skipped} skipped, {report.invalid} invalid)", file=out)
        report.unfinished = reader.say_unfinished(out)
        return report
    finally:
        await producer.stop()
        await consumer.stop()
