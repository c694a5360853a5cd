"""Structured JSON logs: one object per line, with the fields passed in ``extra`` (never content).

The request path only enqueues a record; formatting and writing happen on one writer thread, so a slow or busy
stderr never stalls the event loop. The writer wakes on a short interval (not on every record), drains whatever has
queued up and writes it with one ``write`` and one ``flush``. Waking per record made the writer thread take the GIL
right when the event loop released it for a socket send, a convoy that cost every request a thread switch; polling
keeps the request path free of that at the price of lines appearing up to one interval (20 ms) late. Access-log
records carry their fields in one ``fields`` dict.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import sys
import threading
import time
from typing import Any, TextIO

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def timestamp(self, created: float) -> str:
        """ISO 8601 in UTC with milliseconds; the date-and-seconds part is formatted once per second."""
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": self.timestamp(record.created),
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


class BatchWriter:
    """One thread that formats queued records and writes them in batches (at most ``batch`` lines a write)."""

    def __init__(
        self,
        records: queue.SimpleQueue[logging.LogRecord | None],
        stream: TextIO,
        formatter: JsonFormatter,
        batch: int = 512,
        interval: float = 0.02,
    ) -> None:
        self._records = records
        self._stream = stream
        self._formatter = formatter
        self._batch = batch
        self._interval = interval
        self._thread = threading.Thread(target=self._run, name="wardgate-log-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write everything queued so far, then end the thread (idempotent)."""
        if self._thread.is_alive():
            self._records.put(None)
            self._thread.join()

    def _run(self) -> None:
        running = True
        while running:
            batch: list[logging.LogRecord | None] = []
            while len(batch) < self._batch:
                try:
                    batch.append(self._records.get_nowait())
                except queue.Empty:
                    break
            if not batch:
                time.sleep(self._interval)
                continue
            lines = []
            for record in batch:
                if record is None:
                    running = False
                else:
                    lines.append(self._line(record))
            if lines:
                self._write("\n".join(lines) + "\n")

    def _line(self, record: logging.LogRecord) -> str:
        try:
            return self._formatter.format(record)
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the log; say so without its content
            problem = f"unformattable log record ({type(exc).__name__})"
            return json.dumps({"level": "error", "logger": "wardgate.log", "msg": problem})

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: nothing sensible left to write to
            pass


class _EnqueueAsIs(logging.handlers.QueueHandler):
    """Hand the record to the writer unformatted (the stdlib handler would format it on the caller's thread)."""

    def __init__(self, records: queue.SimpleQueue[logging.LogRecord | None], listener: BatchWriter):
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
    records: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
    listener = BatchWriter(records, sys.stderr, JsonFormatter())
    listener.start()
    atexit.register(listener.stop)
    root.handlers[:] = [_EnqueueAsIs(records, listener)]
    root.setLevel(level.upper())
    # The access log follows the root level unless it is switched off.
    logging.getLogger("wardgate.access").setLevel(logging.NOTSET if access_log else logging.WARNING)
    for noisy in ("uvicorn.access", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
