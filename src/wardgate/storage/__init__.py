"""State storage behind one interface: SQLite embedded by default."""

from wardgate.storage.base import KeyRecord, KeyStore
from wardgate.storage.sqlite import SqliteStore

__all__ = ["KeyRecord", "KeyStore", "SqliteStore"]
