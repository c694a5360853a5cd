"""Structured JSON logs: one object per line, with the fields passed in ``extra`` (never content).

The request path only enqueues a record; formatting and writing happen on a listener thread, so a slow or busy
stderr never stalls the event loop. Access-log records carry their fields in one ``fields`` dict.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = record.__dict__.get("fields")
        if isinstance(fields, dict):
            out.update(fields)
        else:
            for key, value in vars(record).items():
                if key not in _STANDARD and not key.startswith("_"):
                    out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # Exception type and location only: messages of library exceptions may carry request content.
            out["exc_type"] = record.exc_info[0].__name__
            tb = record.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                out["exc_at"] = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        return json.dumps(out, default=str, separators=(",", ":"))


class _EnqueueAsIs(logging.handlers.QueueHandler):
    """Hand the record to the listener unformatted (the stdlib handler would format it on the caller's thread)."""

    def __init__(self, records: queue.SimpleQueue[logging.LogRecord], listener: logging.handlers.QueueListener):
        super().__init__(records)
        self.listener = listener

    def close(self) -> None:
        self.listener.stop()
        super().close()

    def prepare(self, record: logging.LogRecord) -> Any:
        if record.exc_info:
            # Keep only what the formatter uses; traceback objects must not outlive the request.
            record.exc_text = None
        return record


def configure(level: str = "info", access_log: bool = True) -> None:
    root = logging.getLogger()
    for old in root.handlers:
        if isinstance(old, _EnqueueAsIs):
            old.close()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(JsonFormatter())
    listener = logging.handlers.QueueListener(records, writer, respect_handler_level=False)
    listener.start()
    atexit.register(listener.stop)
    root.handlers[:] = [_EnqueueAsIs(records, listener)]
    root.setLevel(level.upper())
    # The access log follows the root level unless it is switched off.
    logging.getLogger("wardgate.access").setLevel(logging.NOTSET if access_log else logging.WARNING)
    for noisy in ("uvicorn.access", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
