"""Reading a topic up to where it ended when the reading began: what the replay commands share.

A replay has to stop. What it sends back can fail again and be dead-lettered anew, behind the end it
started from: reading on would replay that again, for ever. So each partition is read to its end
offset as of the start, and no further. A stall (a broker that stops answering) must not look like a
finished run either: ``timeout`` seconds without a record (the caller's time on a batch aside) stop
the reading, and :attr:`UpToEnd.unfinished` names the partitions left, for the command to say so and
exit 1.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TextIO

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


@dataclass
class UpToEnd:
    """``async for batch in UpToEnd(consumer, topic).batches()``: the records of ``topic`` from the
    consumer group's committed offsets (or the beginning: ``from_start``, or no offset committed yet)
    to each partition's end as of the first call. The consumer must have been started."""

    consumer: AIOKafkaConsumer
    topic: str
    from_start: bool = False
    timeout: float = 30.0
    #: Whether the topic exists (a dead-letter topic is created by the first dead letter).
    exists: bool = True
    #: Partitions not read to their end, when ``timeout`` passed without a record.
    unfinished: list[int] = field(default_factory=list)

    async def batches(self) -> AsyncIterator[Batch]:
        await self.consumer.topics()  # fetch metadata
        tps = [TopicPartition(self.topic, p) for p in sorted(self.consumer.partitions_for_topic(self.topic) or ())]
        if not tps:
            self.exists = False
            return
        self.consumer.assign(tps)
        ends = await self.consumer.end_offsets(tps)
        if self.from_start:
            await self.consumer.seek_to_beginning(*tps)
        remaining = {tp for tp in tps if ends[tp] > await self.consumer.position(tp)}
        deadline = time.monotonic() + self.timeout
        while remaining and time.monotonic() < deadline:
            fetched = await self.consumer.getmany(*remaining, timeout_ms=500)
            if fetched:  # ``timeout`` bounds a stall, not the whole reading: a large backlog runs to its end
                deadline = time.monotonic() + self.timeout
            batch = {tp: kept for tp, records in fetched.items()
                     if (kept := [r for r in records if r.offset < ends[tp]])}
            if batch:
                yield batch
                # The caller's time on a batch (sends it awaits, one by one) is no stall either.
                deadline = time.monotonic() + self.timeout
            for tp in list(remaining):
                if await self.consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        self.unfinished = sorted(tp.partition for tp in remaining)

    def say_unfinished(self, out: TextIO) -> list[int]:
        """Print which partitions were left, if any, and return them."""
        if self.unfinished:
            print(f"stopped: no progress for {self.timeout:g} s; partition(s) {self.unfinished} of {self.topic} "
                  "not read to their end. Run the command again to go on.", file=out)
        return self.unfinished


def next_offsets(batch: Batch) -> dict[TopicPartition, OffsetAndMetadata]:
    """The offsets to commit once every record of ``batch`` is handled."""
    return {tp: OffsetAndMetadata(records[-1].offset + 1, "") for tp, records in batch.items()}


@dataclass
class Progress:
    """Where a replay's consumer group may commit when a record can be left for a later run (a cut
    letter whose whole message could not be read this time): past every record handled, up to the
    first one left in each partition."""

    _to: dict[TopicPartition, int] = field(default_factory=dict)
    _held: set[TopicPartition] = field(default_factory=set)

    def record(self, tp: TopicPartition, offset: int, done: bool) -> None:
        """Say what became of the record at ``offset`` (in order): handled, or left for later."""
        if tp in self._held:
            return
        self._to[tp] = offset + 1 if done else offset
        if not done:
            self._held.add(tp)

    def offsets(self) -> dict[TopicPartition, OffsetAndMetadata]:
        return {tp: OffsetAndMetadata(offset, "") for tp, offset in self._to.items()}

    def held(self) -> set[int]:
        """The partitions whose offset stopped at a record left for later."""
        return {tp.partition for tp in self._held}
