"""Log formats: human-readable text (Faust's default) or one JSON object per line.

``STREAMPROC_LOG_FORMAT=json`` makes every log record (ours, Faust's, aiokafka's) a single line::

    {"ts": "2026-11-25T20:30:00.123Z", "level": "info", "logger": "streamproc.worker", "message": "...",
     "pid": 4242}

plus ``exc`` (the formatted traceback) when the record carries an exception and any ``extra=``
fields given to the logging call. Faust's worker installs its logging configuration itself, so
:func:`logging_config` is handed to ``faust.Worker(logging_config=...)``; :func:`configure` applies
the same configuration to the records logged before the worker starts.
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import orjson

#: A webhook signing secret as it can appear in a log message: a ``whsec_`` value, or the ``secret``
#: field of a subscription record (any string an operator configured).
#: The field's value runs to the first quote not escaped by a backslash (JSON's ``\"``, or ``\\"`` in
#: the repr of a bytes value): a quote inside a secret must not end the redaction early.
_SECRET = re.compile(r'whsec_[A-Za-z0-9+/=_-]+|("secret"\s*:\s*")(?:[^"]|(?<=\\)")*(")')

FORMATS = ("text", "json")

#: Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (never raises on odd ``extra`` values)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process if record.process is not None else os.getpid(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_") and key not in doc:
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            doc["exc"] = record.exc_text
        if record.stack_info:
            doc["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(doc, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()


class RedactSecrets(logging.Filter):
    """Replace webhook signing secrets in a record's message with ``[redacted]``.

    Our code never logs a secret, but libraries do at DEBUG level: aiokafka logs every record it
    produces, and the subscription table's changelog records carry the secrets. An operator turning
    on debug logs must not copy signing secrets into a log store. Attached to the handlers, so that it
    sees every record, whichever logger it came from.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call is the handler's to report, not ours to raise
            return True
        if "whsec_" in message or '"secret"' in message:
            record.msg = _SECRET.sub(lambda m: f"{m.group(1)}[redacted]{m.group(2)}" if m.group(1) else
                                     "whsec_[redacted]", message)
            # (), not None: Faust's text formatter (mode's ExtensionFormatter) turns None into (None,)
            # and formats the message with it, which raised a logging error for every redacted record.
            record.args = ()
        return True


def redact_secrets(logger: logging.Logger) -> None:
    """Attach :class:`RedactSecrets` to every handler of ``logger`` (once)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


def check_format(fmt: str) -> str:
    value = (fmt or "text").strip().lower()
    if value not in FORMATS:
        raise ValueError(f"invalid configuration: STREAMPROC_LOG_FORMAT={fmt!r}: expected one of "
                         f"{', '.join(FORMATS)}")
    return value


def logging_config(level: str, fmt: str) -> dict[str, Any] | None:
    """A :func:`logging.config.dictConfig` for ``fmt``; None for ``text`` (Faust's own set-up)."""
    if check_format(fmt) == "text":
        return None
    level_name = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "filters": {"redact": {"()": f"{__name__}.RedactSecrets"}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"],
                                 "stream": "ext://sys.stdout", "level": level_name}},
        "root": {"level": level_name, "handlers": ["default"]},
    }


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("streamproc.uncaught").error(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("streamproc.uncaught").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def configure(level: str, fmt: str) -> None:
    """Apply the configuration now (for records logged before Faust's worker takes over).

    In JSON mode uncaught exceptions (main thread and others, e.g. Faust's consumer thread dying
    while the broker is gone) are logged too, instead of printed as raw tracebacks.
    """
    config = logging_config(level, fmt)
    if config is not None:
        logging.config.dictConfig(config)
        threading.excepthook = _log_thread_exception
        sys.excepthook = _log_uncaught
