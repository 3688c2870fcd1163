"""``streamproc dlq``: what is on the articles' dead-letter topic, and sending it back to be processed.

A dead letter keeps the original message byte for byte (:mod:`streamproc.ingest.dead_letter`), so once
its cause is fixed (a classifier bug behind ``processing_error`` or ``classifier_died``, a limit raised
behind ``too_large`` or ``alert_too_large``, a producer that now writes valid JSON) it can go back to
the input topic as it came, under its own key. The worker then treats it as any article: at least once,
under its deterministic ``alert_id``, through duplicate suppression.

``replay`` reads the dead-letter topic up to its end as of its start (:mod:`streamproc.broker.to_end`)
with its own consumer group (``<app-id>-dlq-replay``), so each dead letter is sent back once; offsets
are committed only after the broker has acknowledged what was sent. A letter that fails again is
dead-lettered again, as a new record after that end: a run never loops on it, and the next run sends
only that new copy, never the old one again (so a cause not fixed costs one copy a run, not a doubling).
``--reason`` sends only those reasons, with a consumer group of its own
(``<app-id>-dlq-replay-<reasons>``): it remembers what it sent of them, and the plain replay still has
every letter to send (those included: at least once). A group that left letters out yet committed past
them would lose them; one that committed nothing would send its letters again every run, with the
copies a cause not fixed adds each time (1, 2, 4, …). ``--all`` starts again from the beginning, every
letter and every earlier replay's copies included. ``--dry-run`` sends and commits nothing.

A letter too large for a record was cut to fit (header ``streamproc-dlq-truncated``); its whole
message is fetched from the input topic at the partition and offset its envelope names. If that topic
no longer holds it (retention), the letter is reported as unavailable and passed, never sent cut; if
the broker did not answer in time, the letter is left for the next run, the partition's offset stops
there and the command exits 1. A letter with no value, or too large to send, is reported and passed.
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
from aiokafka.errors import MessageSizeTooLargeError

from streamproc.broker.to_end import Progress, UpToEnd
from streamproc.ingest.dead_letter import ENVELOPE_HEADER, REASON_HEADER, TRUNCATED_HEADER

REPLAYED_HEADER = "streamproc-replayed-from"
#: Largest message sent back or fetched: a ``too_large`` original may be over the worker's limit,
#: which the operator raised before replaying it.
MAX_BYTES = 16 * 1024 * 1024
#: Room left in a request for its framing and the replay header.
ROOM = 4096


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
    #: Letters that cannot be sent back: cut, and their whole message gone from the input topic; no
    #: value; too large. Shown, not sent, and committed past.
    unavailable: int = 0
    #: Cut letters whose whole message could not be read this time: not committed past; exit 1.
    retry: int = 0
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
    group = f"{app_id}-dlq-replay" + ("-" + "+".join(sorted(reasons)) if reasons else "")
    consumer = _consumer(bootstrap, group)
    originals = _consumer(bootstrap, None)  # fetches the whole message of a cut letter
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=MAX_BYTES)
    await consumer.start()
    await originals.start()
    await producer.start()
    try:
        reader = UpToEnd(consumer, dlq, from_start=from_start, timeout=timeout)
        progress = Progress()  # held at a letter whose whole message could not be read this time
        async for batch in reader.batches():
            for tp, records in batch.items():
                for record in records:
                    letter = Letter.read(record)
                    report.seen += 1
                    if reasons and letter.reason not in reasons:
                        report.skipped += 1  # another group's to send
                        kept = True
                    else:
                        kept = await _replay_one(letter, record.value is None, dlq, articles, producer, originals,
                                                 dry_run, report, out, timeout)
                    progress.record(tp, record.offset, kept)
            if not dry_run:
                await consumer.commit(progress.offsets())
        if not reader.exists:
            print(f"no topic {dlq}: nothing to replay", file=out)
            return report
        print(f"{'would replay' if dry_run else 'replayed'} {report.replayed} dead letter(s) to {articles} "
              f"({report.counts()}; {report.skipped} left out, {report.unavailable} unavailable, "
              f"{report.retry} to try again)", file=out)
        # a partition held at a letter to try again is unfinished too: the command exits 1
        report.unfinished = sorted(set(reader.say_unfinished(out)) | progress.held())
        return report
    finally:
        await producer.stop()
        await originals.stop()
        await consumer.stop()


async def _replay_one(letter: Letter, tombstone: bool, dlq: str, articles: str, producer: AIOKafkaProducer,
                      originals: AIOKafkaConsumer, dry_run: bool, report: DlqReport, out: TextIO,
                      timeout: float) -> bool:
    """Send one letter back; False when it must be tried again by a later run (nothing committed past it)."""
    key, value = letter.key, letter.value
    if tombstone:  # no message to send: a null value was never an article
        report.unavailable += 1
        print(f"unavailable (no value): {letter.describe()}", file=out)
        return True
    if letter.truncated:
        try:
            key, value = await _original(originals, letter.envelope, timeout)
        except _Gone as gone:
            report.unavailable += 1
            print(f"unavailable ({gone}): {letter.describe()}", file=out)
            return True
        except _NotNow as failed:
            report.retry += 1
            print(f"not sent, run again ({failed}): {letter.describe()}", file=out)
            return False
    if len(value) + len(key or b"") > MAX_BYTES - ROOM:
        report.unavailable += 1
        print(f"unavailable (over {MAX_BYTES} bytes, too large to send back): {letter.describe()}", file=out)
        return True
    origin = {"topic": dlq, "partition": letter.partition, "offset": letter.offset, "reason": letter.reason}
    if not dry_run:  # acknowledged before the offsets move past it (one record a batch, too)
        try:
            await (await producer.send(articles, key=key, value=value,
                                       headers=[(REPLAYED_HEADER, orjson.dumps(origin))]))
        except MessageSizeTooLargeError as exc:  # the broker's own limit is lower
            report.unavailable += 1
            print(f"unavailable (refused as too large: {exc}): {letter.describe()}", file=out)
            return True
    report.replayed += 1
    report.by_reason[letter.reason] += 1
    print(f"{'would replay' if dry_run else 'replayed'} {letter.describe()}", file=out)
    return True


class _Gone(Exception):
    """The whole message of a cut letter cannot be had: a later run would not find it either."""


class _NotNow(Exception):
    """The whole message of a cut letter could not be read this time (the broker did not answer)."""


async def _original(consumer: AIOKafkaConsumer, envelope: dict[str, Any], timeout: float) -> tuple[bytes | None, bytes]:
    """The message a cut letter came from, read from its input topic."""
    try:
        topic, partition, offset = envelope["topic"], envelope["partition"], envelope["offset"]
    except KeyError as exc:
        raise _Gone(f"its envelope has no {exc}") from None
    if not (isinstance(topic, str) and type(partition) is int and type(offset) is int):
        raise _Gone("its envelope names no topic, partition and offset")
    tp = TopicPartition(topic, partition)
    await consumer.topics()  # fresh metadata: the topic may have gained partitions, or be gone
    if partition not in (consumer.partitions_for_topic(topic) or ()):
        raise _Gone(f"no partition {partition} of {topic}")
    first = (await consumer.beginning_offsets([tp]))[tp]
    end = (await consumer.end_offsets([tp]))[tp]
    if not first <= offset < end:
        raise _Gone(f"no longer on {topic}[{partition}], which holds offsets {first} to {end - 1}")
    consumer.assign([tp])
    consumer.seek(tp, offset)
    consumer.resume(tp)
    fetched = await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)
    consumer.pause(tp)  # no read-ahead of a partition we only wanted one record of
    for record in fetched.get(tp, ()):
        if record.offset == offset and record.value is not None:
            return record.key, record.value
        raise _Gone(f"{topic}[{partition}] holds no message at offset {offset} any more")
    raise _NotNow(f"{topic}[{partition}]@{offset} not read within {timeout:g} s")
