"""``streamproc webhooks replay``: send dead-lettered deliveries back to ``<prefix>.deliveries``.

Reads ``<prefix>.dlq`` up to its end as of the start, with its own consumer group
(``<app-id>-webhooks-replay``), so each dead letter is replayed once; ``--all`` starts again from
the beginning. ``--subscription ID`` replays that subscription's dead letters from the beginning and
commits nothing (the others stay for a later replay). Each replayed task keeps its ``webhook-id`` (receivers deduplicate) and gets a fresh
set of attempts. Offsets are committed only after the replayed tasks are acknowledged by the broker.
It runs until every partition is read to that end; ``timeout`` seconds without a record stop it
early, and then it says which partitions are left and the command exits 1.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

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
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=f"{app_id}-webhooks-replay",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=16 * 1024 * 1024)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=16 * 1024 * 1024)
    await consumer.start()
    await producer.start()
    try:
        await consumer.topics()  # fetch metadata
        parts = consumer.partitions_for_topic(dlq) or set()
        tps = [TopicPartition(dlq, p) for p in sorted(parts)]
        if not tps:
            print(f"no topic {dlq}: nothing to replay", file=out)
            return report
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        if from_start or subscription:
            await consumer.seek_to_beginning(*tps)
        remaining = {tp for tp in tps if ends[tp] > await consumer.position(tp)}
        deadline = time.monotonic() + timeout

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

        while remaining and time.monotonic() < deadline:
            batch = await consumer.getmany(*remaining, timeout_ms=500)
            if batch:  # ``timeout`` bounds a stall, not the whole replay: a large backlog runs to its end
                deadline = time.monotonic() + timeout
            commits: dict[TopicPartition, OffsetAndMetadata] = {}
            for tp, records in batch.items():
                for rec in records:
                    if rec.offset >= ends[tp]:
                        break
                    try:
                        tasks, refused = decode_record(rec.value)
                    except ValueError:
                        report.invalid += 1
                        continue
                    report.invalid += len(refused)
                    for task in tasks:
                        await replay_one(task)
                if records:
                    commits[tp] = OffsetAndMetadata(min(records[-1].offset + 1, ends[tp]), "")
            if commits and not dry_run and not subscription:
                await consumer.commit(commits)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        print(f"{'would replay' if dry_run else 'replayed'} {report.replayed} dead letter(s) "
              f"({report.skipped} skipped, {report.invalid} invalid)", file=out)
        if remaining:
            report.unfinished = sorted(tp.partition for tp in remaining)
            print(f"stopped: no progress for {timeout:g} s; partition(s) {report.unfinished} of {dlq} not read "
                  "to their end. Run the command again to go on.", file=out)
        return report
    finally:
        await producer.stop()
        await consumer.stop()
