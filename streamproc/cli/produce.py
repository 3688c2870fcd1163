"""``streamproc produce``: JSON lines, or a directory of ``.txt``/``.json`` articles, into Kafka."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from streamproc.config import Settings


def iter_payloads(path: Path) -> Iterator[tuple[bytes | None, bytes]]:
    """``(key, value)`` pairs. JSON lines are sent byte for byte (bad lines too: the worker's
    dead-letter topic is where they belong); ``.txt`` files become ``{"id": stem, "text": ...}``."""
    if path.is_dir():
        for file in sorted(path.iterdir()):
            if file.suffix == ".txt":
                yield file.stem.encode(), orjson.dumps({"id": file.stem, "text": file.read_text("utf-8")})
            elif file.suffix == ".json":
                raw = file.read_bytes()
                yield _key_of(raw), raw
            elif file.suffix == ".jsonl":
                yield from iter_payloads(file)
        return
    with path.open("rb") as fh:
        for line in fh:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield _key_of(line), line


def _key_of(raw: bytes) -> bytes | None:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(obj, dict) and isinstance(obj.get("id"), (str, int)) and not isinstance(obj.get("id"), bool):
        return str(obj["id"]).encode()
    return None


async def produce(bootstrap: str, topic: str, payloads: list[tuple[bytes | None, bytes]],
                  max_request_size: int = 8 * 1024 * 1024) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=max_request_size)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=value, key=key) for key, value in payloads]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(payloads)


def run_produce(settings: Settings, path: str, broker: str | None, topic: str | None) -> int:
    url = broker or settings.broker
    if not url:
        print("streamproc: no broker: pass --broker kafka://host:port or set STREAMPROC_BROKER", file=sys.stderr)
        return 2
    payloads = list(iter_payloads(Path(path)))
    count = asyncio.run(produce(settings.bootstrap_servers(url), topic or settings.topic_articles, payloads))
    print(f"sent {count} message(s) to {topic or settings.topic_articles}")
    return 0
