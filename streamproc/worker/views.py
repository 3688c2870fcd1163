"""Web views on the worker's port (``/metrics`` comes from Faust's Prometheus sensor)."""

from __future__ import annotations

import faust
from faust.web import Request, Response, View

from streamproc import __version__


def install_views(app: faust.App) -> None:
    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        """Liveness: the process and its event loop answer."""
        return self.json({"status": "ok", "version": __version__})

    install_readiness(app)


def broker_status(app: faust.App) -> tuple[bool, str]:
    """Whether the consumer's Kafka client holds a live broker connection and knows its group coordinator.

    Cheap: it only reads the state of aiokafka's client (no request to the broker). Faust runs that
    client in its consumer thread; reading two attributes from here is safe. When the broker goes
    away the connections close and the coordinator is marked dead within a heartbeat or two.
    """
    consumer = getattr(getattr(getattr(app, "_consumer", None), "_thread", None), "_consumer", None)
    if consumer is None:
        return False, "consumer not started"
    try:
        conns = list(consumer._client._conns.values())
        coordinator = consumer._coordinator
    except AttributeError:  # an aiokafka without these internals: say so rather than guess
        return False, "cannot inspect the Kafka client"
    if not any(conn.connected() for conn in conns):
        return False, "no connection to any broker"
    if coordinator is None or getattr(coordinator, "coordinator_id", None) is None:
        return False, "group coordinator unknown"
    return True, "connected"


def readiness(app: faust.App) -> tuple[bool, dict[str, object]]:
    """``(ready, body)``: ready = broker reachable and partitions assigned to this worker."""
    try:
        assigned = app.consumer.assignment() if app.consumer else set()
    except Exception:  # noqa: BLE001 - not started yet
        assigned = set()
    reachable, why = broker_status(app)
    topics: dict[str, int] = {}
    for tp in assigned:
        topics[tp.topic] = topics.get(tp.topic, 0) + 1
    ok = reachable and bool(assigned)
    body: dict[str, object] = {"ready": ok, "broker": reachable, "partitions": len(assigned),
                               "topics": dict(sorted(topics.items()))}
    if not ok:
        body["reason"] = why if not reachable else "no partitions assigned"
    return ok, body


def install_readiness(app: faust.App) -> None:
    @app.page("/ready")
    async def ready(self: View, request: Request) -> Response:
        """Readiness: connected to the broker and holding partitions."""
        ok, body = readiness(app)
        return self.json(body, status=200 if ok else 503)
