#!/usr/bin/env python3
"""A sample webhook subscriber: verifies each delivery's Standard Webhooks signature and prints it.

Run by docker-compose.yml (service ``webhook-receiver``, in the streamproc image) with the same
``STREAMPROC_WEBHOOK_SECRET`` as the workers. ``POST /hook`` answers 204 for a verified alert, 401 for
a bad or stale signature, 400 for a body that is not an alert event; ``GET /health`` answers 200.

    python deploy/webhook-receiver/receiver.py --port 8080
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from streamproc.config import Settings
from streamproc.publish.webhooks.signing import verify

TOLERANCE_SECONDS = 300  # reject deliveries signed more than 5 minutes away from now (replays)


def check(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> tuple[int, str]:
    """``(status, message)`` for one delivery."""
    msg_id, stamp, signature = (headers.get(h, "") for h in
                                ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (msg_id and stamp.isdigit() and signature):
        return 401, "missing webhook-id, webhook-timestamp or webhook-signature"
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_SECONDS:
        return 401, "timestamp outside the tolerance"
    if not verify(secret, msg_id, int(stamp), body, signature):
        return 401, "bad signature"
    try:
        alert = json.loads(body)["data"]
        summary = (f"alert {alert['alert_id']} severity={alert['severity']} "
                   f"categories={','.join(c['name'] for c in alert['categories'])} "
                   f"country={alert.get('primary_country')} article={alert['article']['id']}")
    except (ValueError, KeyError, TypeError):
        return 400, "not an alert event"
    return 204, summary


def make_handler(secret: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply(200 if self.path == "/health" else 404)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path != "/hook":
                self._reply(404)
                return
            status, message = check(secret, {k.lower(): v for k, v in self.headers.items()}, body)
            print(f"{'verified' if status == 204 else 'rejected'} ({status}): {message}", flush=True)
            self._reply(status)

        def _reply(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    secret = Settings.from_env().webhook_secret
    if not secret:
        print("receiver: set STREAMPROC_WEBHOOK_SECRET (the workers' signing secret)", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), make_handler(secret))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1 in a container: stop on `docker stop`
    print(f"webhook receiver listening on {args.host}:{server.server_address[1]} (POST /hook)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
