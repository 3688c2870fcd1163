"""``streamproc dlq``: what is on the articles' dead-letter topic, and sending it back to be processed.

A dead letter keeps the original message byte for byte (:mod:`streamproc.ingest.dead_letter`), so once
its cause is fixed (a classifier bug behind ``processing_error`` or ``classifier_died``, a limit raised
behind ``too_large`` or ``alert_too_large``, a producer that now writes valid JSON) it can go back to
the input topic as it came, under its own key. The worker then treats it as any article: at least once,
under its deterministic ``alert_id``, through duplicate suppression.

``replay`` reads the dead-letter topic up to its end as of its start (:mod:`streamproc.broker.to_end`)
with its own consumer group (``<app-id>-dlq-replay``), so each dead letter is sent back once; offsets
are committed only after the broker has acknowledged what was sent. ``--all`` starts again from the
beginning. ``--reason`` sends only those reasons, reads from the beginning and commits nothing, so the
others stay for a later replay (as ``webhooks replay --subscription`` does). A letter that fails again
is dead-lettered again, as a new record after that end: a run never loops on it.

A letter too large for a record was cut to fit (header ``streamproc-dlq-truncated``); its whole
message is fetched from the input topic at the partition and offset its envelope names. If that topic
no longer holds it (retention), the letter is reported as unavailable and skipped, never sent cut.
Every message sent back carries the header ``streamproc-replayed-from`` (the dead letter's topic,
partition, offset and reason), so a replayed article can be told apart and traced.
"""

from __future__ import annotations

import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, TextIO

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from streamproc.broker.to_end import UpToEnd, next_offsets
from streamproc.ingest.dead_letter import ENVELOPE_HEADER, REASON_HEADER, TRUNCATED_HEADER

REPLAYED_HEADER = "streamproc-replayed-from"
#: Largest message sent back or fetched: a ``too_large`` original may be over the worker's limit,
#: which the operator raised before replaying it.
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Letter:
    """One dead letter as read back: where it is, its reason and envelope, key and value."""

    partition: int
    offset: int
    reason: str
    envelope: dict[str, Any]
    key: bytes | None
    value: bytes
    truncated: bool

    @classmethod
    def read(cls, record: ConsumerRecord[bytes, bytes]) -> Letter:
        """Never raises: a letter with unreadable headers (not written by a worker) still shows, as
        ``unknown``, and replays as it is."""
        headers = {k: v or b"" for k, v in record.headers or ()}  # a header's value may be null
        try:
            envelope = orjson.loads(headers.get(ENVELOPE_HEADER) or b"{}")
        except orjson.JSONDecodeError:
            envelope = {}
        if not isinstance(envelope, dict):
            envelope = {}
        reason = headers.get(REASON_HEADER, b"").decode("utf-8", "replace") or str(envelope.get("reason") or "unknown")
        return cls(record.partition, record.offset, reason, envelope, record.key, record.value or b"",
                   TRUNCATED_HEADER in headers)

    def describe(self) -> str:
        error = str(self.envelope.get("error") or "").replace("\n", " ")
        key = self.key.decode("utf-8", "replace") if self.key is not None else None
        return (f"{self.partition}@{self.offset} {self.reason} key={key!r} {len(self.value)} B"
                f"{' (cut: whole message on the input topic)' if self.truncated else ''}"
                f" failed_at={self.envelope.get('failed_at')} from {self.envelope.get('topic')}"
                f"[{self.envelope.get('partition')}]@{self.envelope.get('offset')}: {error[:160]}")


@dataclass
class DlqReport:
    seen: int = 0
    replayed: int = 0
    #: Letters left out by ``--reason``.
    skipped: int = 0
    #: Cut letters whose whole message the input topic no longer holds: not sent.
    unavailable: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    #: Partitions not read to their end (see :class:`UpToEnd`): the command exits 1.
    unfinished: list[int] = field(default_factory=list)

    def counts(self) -> str:
        return ", ".join(f"{reason} {n}" for reason, n in self.by_reason.most_common()) or "none"


def _consumer(bootstrap: str, group: str | None) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                            auto_offset_reset="earliest", max_partition_fetch_bytes=MAX_BYTES,
                            fetch_max_bytes=MAX_BYTES)


async def list_dead_letters(bootstrap: str, dlq: str, reasons: frozenset[str] = frozenset(), limit: int = 20,
                            out: TextIO = sys.stdout, timeout: float = 30.0) -> DlqReport:
    """Count the dead letters by reason and print the last ``limit`` (of ``reasons``, when given)."""
    report = DlqReport()
    last: deque[Letter] = deque(maxlen=max(0, limit))
    consumer = _consumer(bootstrap, None)
    await consumer.start()
    try:
        reader = UpToEnd(consumer, dlq, from_start=True, timeout=timeout)
        async for batch in reader.batches():
            for records in batch.values():
                for record in records:
                    letter = Letter.read(record)
                    report.seen += 1
                    if reasons and letter.reason not in reasons:
                        report.skipped += 1
                        continue
                    report.by_reason[letter.reason] += 1
                    last.append(letter)
        if not reader.exists:
            print(f"no topic {dlq}: no dead letters", file=out)
            return report
        for letter in last:
            print(letter.describe(), file=out)
        print(f"{sum(report.by_reason.values())} dead letter(s) on {dlq}"
              f"{' of ' + ', '.join(sorted(reasons)) if reasons else ''}: {report.counts()}", file=out)
        report.unfinished = reader.say_unfinished(out)
        return report
    finally:
        await consumer.stop()


async def replay_dead_letters(bootstrap: str, dlq: str, articles: str, app_id: str,
                              reasons: frozenset[str] = frozenset(), from_start: bool = False,
                              dry_run: bool = False, out: TextIO = sys.stdout,
                              timeout: float = 30.0) -> DlqReport:
    """Send the dead letters (of ``reasons``, when given) back to ``articles``; see the module's text."""
    report = DlqReport()
    filtered = bool(reasons)
    consumer = _consumer(bootstrap, f"{app_id}-dlq-replay")
    originals = _consumer(bootstrap, None)  # fetches the whole message of a cut letter
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=MAX_BYTES)
    await consumer.start()
    await originals.start()
    await producer.start()
    try:
        reader = UpToEnd(consumer, dlq, from_start=from_start or filtered, timeout=timeout)
        async for batch in reader.batches():
            for records in batch.values():
                for record in records:
                    letter = Letter.read(record)
                    report.seen += 1
                    if filtered and letter.reason not in reasons:
                        report.skipped += 1
                        continue
                    key, value = letter.key, letter.value
                    if letter.truncated:
                        whole = await _original(originals, letter.envelope, timeout)
                        if whole is None:
                            report.unavailable += 1
                            print(f"unavailable (cut, and no longer on its input topic): {letter.describe()}",
                                  file=out)
                            continue
                        key, value = whole
                    origin = {"topic": dlq, "partition": letter.partition, "offset": letter.offset,
                              "reason": letter.reason}
                    if not dry_run:  # acknowledged before the offsets move past it (one record a batch, too)
                        await (await producer.send(articles, key=key, value=value,
                                                   headers=[(REPLAYED_HEADER, orjson.dumps(origin))]))
                    report.replayed += 1
                    report.by_reason[letter.reason] += 1
                    print(f"{'would replay' if dry_run else 'replayed'} {letter.describe()}", file=out)
            if not dry_run and not filtered:
                await consumer.commit(next_offsets(batch))
        if not reader.exists:
            print(f"no topic {dlq}: nothing to replay", file=out)
            return report
        print(f"{'would replay' if dry_run else 'replayed'} {report.replayed} dead letter(s) to {articles} "
              f"({report.counts()}; {report.skipped} left out, {report.unavailable} unavailable)", file=out)
        report.unfinished = reader.say_unfinished(out)
        return report
    finally:
        await producer.stop()
        await originals.stop()
        await consumer.stop()


async def _original(consumer: AIOKafkaConsumer, envelope: dict[str, Any], timeout: float
                    ) -> tuple[bytes | None, bytes] | None:
    """The message a cut letter came from, read from its input topic, or None when it is gone."""
    try:
        tp = TopicPartition(str(envelope["topic"]), int(envelope["partition"]))
        offset = int(envelope["offset"])
    except (KeyError, TypeError, ValueError):
        return None
    if tp.partition not in (consumer.partitions_for_topic(tp.topic) or await _partitions(consumer, tp.topic)):
        return None
    first = (await consumer.beginning_offsets([tp]))[tp]
    end = (await consumer.end_offsets([tp]))[tp]
    if not first <= offset < end:
        return None
    consumer.assign([tp])
    consumer.seek(tp, offset)
    fetched = await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)
    for record in fetched.get(tp, ()):
        if record.offset == offset:
            return record.key, record.value or b""
    return None


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer.topics()  # refresh metadata: the input topic may not be known to this client yet
    return consumer.partitions_for_topic(topic) or set()
