"""The tamper-evident, encrypted audit log.

Design
------
One record per request, per admin action, and per notable system event. The gateway builds an
:class:`AuditEvent` (metadata in ``fields``, prompt/answer text in ``content``) and calls ``await log.append(event)``.

*Acknowledgement rule.* In ``sync`` durability (the default) ``append`` returns the record's seq only after the
transaction holding it has committed with ``synchronous=FULL``, i.e. the record is on disk; the gateway releases a
response only after that. In ``async`` durability ``append`` returns once the event is queued (a crash can lose
the queue, never corrupt the chain). ``append_sync`` (for the CLI) always waits for durability.

*Group commit.* One writer thread per process drains the queue, opens ``BEGIN IMMEDIATE``, reads the head
``(seq, hash)`` from the database (never a cached head, so several processes can share ``audit.db``), chains the
batch, commits once, and resolves the waiters' futures on their event loops.

*Chain.* Each record's canonical bytes (sorted-key compact JSON of ``{v, seq, kind, time, record_id, fields,
content | sealed}``) are hashed as ``SHA-256(prev_hash || bytes)``; the first ``prev_hash`` derives from the random
log id. Every ``checkpoint_every_records`` records and on clean close an Ed25519-signed checkpoint
``{log_id, seq, hash, time}`` is stored; ``wardgate audit checkpoints --export`` writes them out to keep elsewhere.
:func:`verify` walks the log offline (no KEK needed) and names the first bad seq: deletion, insertion, reordering,
edits of any column, truncation (against exported checkpoints), replayed records or sealed content.
Records after the newest checkpoint are protected by the chain alone until the next checkpoint is written: someone
who can write the database can append well-formed records there, which is why checkpoints are exported.

*Content.* ``capture: none`` drops content, ``redacted`` stores it as given (the caller redacts), ``encrypted``
seals it with AES-256-GCM under a per-segment data key wrapped by the active KEK. Nonces are segment counters,
never random, and a writer never continues a segment after a restart. Plain content never reaches the disk.

*Retention.* :func:`purge` deletes whole records up to a signed checkpoint, which stays as the chain's anchor.

*Torn tail.* On start the writer moves a last record that does not parse or chain into quarantine (raw bytes
kept) and appends a ``system`` record saying so; ``verify`` then exits 3, not 0.
"""

from wardgate.audit.config import AuditConfig, KekSource
from wardgate.audit.errors import AuditClosedError, AuditError, AuditFormatError, AuditKeyError, AuditOverloadedError
from wardgate.audit.keyring import Keyring
from wardgate.audit.maintenance import PurgeResult, RewrapResult, purge, rewrap
from wardgate.audit.reader import Decryptor, record_json, search
from wardgate.audit.record import AuditEvent, RecordView
from wardgate.audit.sqlite_store import AUDIT_DB, SqliteAuditStore
from wardgate.audit.store import AuditStore, AuditTransaction, RecordQuery
from wardgate.audit.verify import VerifyReport, verify
from wardgate.audit.verify_walk import Problem
from wardgate.audit.writer import AuditLog

__all__ = [
    "AUDIT_DB",
    "AuditClosedError",
    "AuditConfig",
    "AuditError",
    "AuditEvent",
    "AuditFormatError",
    "AuditKeyError",
    "AuditLog",
    "AuditOverloadedError",
    "AuditStore",
    "AuditTransaction",
    "Decryptor",
    "KekSource",
    "Keyring",
    "Problem",
    "PurgeResult",
    "RecordQuery",
    "RecordView",
    "RewrapResult",
    "SqliteAuditStore",
    "VerifyReport",
    "purge",
    "record_json",
    "rewrap",
    "search",
    "verify",
]
