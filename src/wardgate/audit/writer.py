"""``AuditLog``: the async front of the audit log, with one writer thread doing group commit.

``await log.append(event)`` validates and encodes the event on the caller's thread, queues it, and (``sync``
durability) waits until the writer thread has committed the transaction holding it, then returns its seq. The
writer drains whatever is queued (up to ``max_batch_records``), reads the head inside ``BEGIN IMMEDIATE``, chains
and seals the batch, commits once (one fsync for the batch), and resolves the waiters' futures on their event
loop with one callback per loop. In ``async`` durability ``append`` returns ``None`` right after queueing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from wardgate.audit.chainer import Batch, Chainer, Prepared, prepare
from wardgate.audit.config import AuditConfig
from wardgate.audit.errors import AuditClosedError, AuditFormatError, AuditOverloadedError
from wardgate.audit.keyring import Keyring
from wardgate.audit.record import AuditEvent
from wardgate.audit.signing import DEFAULT_KEY_FILE, Signer
from wardgate.audit.sqlite_store import AUDIT_DB, SqliteAuditStore
from wardgate.audit.store import AuditStore, AuditTransaction, QuarantinedRow
from wardgate.audit.tail import notice, quarantine_torn_tail
from wardgate.errors import ConfigError, StorageError, WardgateError

log = logging.getLogger("wardgate.audit")

Waiter = asyncio.Future[int] | concurrent.futures.Future[int] | None


@dataclass(frozen=True, slots=True)
class _Pending:
    item: Prepared
    waiter: Waiter = None
    loop: asyncio.AbstractEventLoop | None = None


def _write(tx: AuditTransaction, batch: Batch) -> None:
    tx.add_segments(batch.segments)
    tx.insert_records(batch.records)
    tx.add_checkpoints(batch.checkpoints)


def _resolve(pairs: list[tuple[asyncio.Future[int], int | BaseException]]) -> None:
    for future, outcome in pairs:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class AuditLog:
    """Append-only, hash-chained, optionally sealed audit log. Start with :meth:`open`; always :meth:`close`."""

    def __init__(self, store: AuditStore, config: AuditConfig, signer: Signer, keyring: Keyring | None = None) -> None:
        if config.capture == "encrypted" and (keyring is None or keyring.active_id is None):
            raise ConfigError("audit: capture 'encrypted' needs a keyring with an active KEK")
        log_id = store.log_id()
        if log_id is None:
            raise AuditFormatError("the audit store has no log id")
        self.log_id = log_id
        self._store = store
        self._config = config
        self._signer = signer
        self._chainer = Chainer(log_id, signer, keyring, config.segment_max_records, config.checkpoint_every_records)
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._state = "new"
        self._state_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="wardgate-audit-writer", daemon=True)
        self.quarantined: tuple[QuarantinedRow, ...] = ()
        """Rows the start-up tail check moved to quarantine."""
        self.failed_records = 0
        """Records whose batch failed to commit (``async`` durability has no waiter to tell)."""

    @classmethod
    def open(
        cls,
        config: AuditConfig,
        data_dir: Path,
        *,
        keyring: Keyring | None = None,
        env: Mapping[str, str] | None = None,
    ) -> AuditLog:
        """Open (creating if needed) ``audit.db`` in ``data_dir`` and start the writer."""
        if keyring is None and config.keks:
            keyring = Keyring.from_config(config, env)
        signer = Signer.load_or_create(config.signing_key_file or data_dir / DEFAULT_KEY_FILE)
        store = SqliteAuditStore.open(
            data_dir / AUDIT_DB, durability=config.durability, busy_timeout=config.busy_timeout_seconds
        )
        try:
            audit_log = cls(store, config, signer, keyring)
            audit_log.start()
        except BaseException:
            store.close()
            raise
        return audit_log

    @property
    def store(self) -> AuditStore:
        return self._store

    def start(self) -> None:
        """Repair a torn tail, then start the writer thread. Every start writes with a new segment."""
        with self._state_lock:
            if self._state != "new":
                return
            self._store.register_signing_key(self._signer.public_raw)
            with self._store.transaction() as tx:
                moved = quarantine_torn_tail(tx)
                if moved:
                    items = [prepare(notice(row), "none") for row in reversed(moved)]
                    _write(tx, self._chainer.build(tx.head(), items))
            self._chainer.committed()
            if moved:
                log.warning("audit: %d torn tail record(s) quarantined", len(moved))
            self.quarantined = tuple(moved)
            self._thread.start()
            self._state = "running"

    def _put(self, pending: _Pending) -> None:
        with self._state_lock:
            if self._state != "running":
                raise AuditClosedError("the audit log is not running")
            if self._queue.qsize() >= self._config.queue_max_records:
                raise AuditOverloadedError("the audit write queue is full")
            self._queue.put(pending)

    async def append(self, event: AuditEvent, *, offload: bool = False) -> int | None:
        """Record ``event``. ``sync``: returns its seq once it is on disk. ``async``: returns ``None`` once queued.

        ``offload``: encode the event in a worker thread (large captured content), not on the event loop.
        """
        capture = self._config.capture
        item = await asyncio.to_thread(prepare, event, capture) if offload else prepare(event, capture)
        if self._config.durability == "async":
            self._put(_Pending(item))
            return None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._put(_Pending(item, future, loop))
        return await future

    def append_sync(self, event: AuditEvent, timeout: float | None = None) -> int:
        """Record ``event`` and block until it is on disk (whatever the durability mode); returns its seq."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        self._put(_Pending(prepare(event, self._config.capture), future))
        return future.result(timeout)

    def _run(self) -> None:
        limit = self._config.max_batch_records
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < limit:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, pending: list[_Pending]) -> None:
        try:
            with self._store.transaction() as tx:
                batch = self._chainer.build(tx.head(), [p.item for p in pending])
                _write(tx, batch)
            self._chainer.committed()
        except Exception as exc:  # noqa: BLE001 - the writer thread's one boundary: every waiter gets the failure
            self.failed_records += len(pending)
            log.error("audit: a batch of %d record(s) failed to commit (%s)", len(pending), type(exc).__name__)
            error = (
                exc if isinstance(exc, WardgateError) else StorageError(f"audit write failed ({type(exc).__name__})")
            )
            self._settle(pending, [error] * len(pending))
            return
        self._settle(pending, [record.seq for record in batch.records])

    def _settle(self, pending: Sequence[_Pending], outcomes: Sequence[int | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[int], int | BaseException]]] = {}
        for entry, outcome in zip(pending, outcomes, strict=True):
            waiter = entry.waiter
            if isinstance(waiter, concurrent.futures.Future):
                if isinstance(outcome, BaseException):
                    waiter.set_exception(outcome)
                else:
                    waiter.set_result(outcome)
            elif waiter is not None and entry.loop is not None:
                by_loop.setdefault(entry.loop, []).append((waiter, outcome))
        for loop, pairs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, pairs)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                continue

    def close(self) -> None:
        """Write everything queued, sign a checkpoint at the head, and close the store."""
        with self._state_lock:
            if self._state == "closed":
                return
            running = self._state == "running"
            self._state = "closed"
            if running:
                self._queue.put(None)
        try:
            if running:
                self._thread.join()
                self._final_checkpoint()
        finally:
            self._store.close()

    def _final_checkpoint(self) -> None:
        with self._store.transaction() as tx:
            head = tx.head()
            if head.seq > max(tx.latest_checkpoint_seq(), tx.base().seq):
                tx.add_checkpoints([self._signer.sign(self.log_id, head.seq, head.hash.hex(), time.time())])

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
