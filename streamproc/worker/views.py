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


def install_readiness(app: faust.App) -> None:
    @app.page("/ready")
    async def ready(self: View, request: Request) -> Response:
        """Readiness: connected to the broker and holding partitions of the input topic."""
        try:
            assigned = app.consumer.assignment() if app.consumer else set()
        except Exception:  # noqa: BLE001 - not started yet
            assigned = set()
        ok = bool(assigned)
        return self.json({"ready": ok, "partitions": len(assigned)}, status=200 if ok else 503)
