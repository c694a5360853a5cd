"""The audit log's exceptions. Messages name records by seq and keys by id; they never carry content or key bytes.

::

    WardgateError
    └── AuditError                 base of everything raised by ``wardgate.audit``
        ├── AuditKeyError          a KEK is missing, or a data key / sealed content fails authentication
        ├── AuditFormatError       a stored row cannot be parsed (verify turns this into a reported problem)
        ├── AuditClosedError       append on a log that is not running
        └── AuditOverloadedError   the write queue is full (async durability under sustained overload)

Storage failures are :class:`wardgate.errors.StorageError`; configuration and keyring problems are
:class:`wardgate.errors.ConfigError` naming the key path.
"""

from __future__ import annotations

from wardgate.errors import WardgateError


class AuditError(WardgateError):
    """Base of every audit-log error."""


class AuditKeyError(AuditError):
    """A key-encryption key is missing or wrong, or sealed content failed authentication."""


class AuditFormatError(AuditError):
    """A stored row is not in the expected format."""


class AuditClosedError(AuditError):
    """The log is not accepting records (not started, or closed)."""


class AuditOverloadedError(AuditError):
    """The write queue is full."""
