"""Checkpoints as JSON lines, to keep somewhere the database's owner cannot rewrite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wardgate.audit.chain import Checkpoint, checkpoint_from_json, parse_checkpoint
from wardgate.audit.errors import AuditFormatError
from wardgate.audit.signing import key_id_of
from wardgate.audit.store import AuditStore
from wardgate.errors import ConfigError


def export_lines(store: AuditStore) -> Iterator[str]:
    """One JSON line per stored checkpoint (the anchor first), each carrying its signer's public key."""
    keys = {key_id_of(raw): raw for raw in store.signing_keys()}
    anchor = store.anchor()
    for raw in ([anchor] if anchor is not None else []) + store.checkpoints():
        try:
            checkpoint = parse_checkpoint(raw)
        except AuditFormatError:
            continue  # a damaged row is not exported; verify reports it
        yield json.dumps(checkpoint.to_json(keys.get(checkpoint.key_id)), sort_keys=True)


@dataclass(frozen=True, slots=True)
class CheckpointFile:
    checkpoints: tuple[Checkpoint, ...]
    public_keys: tuple[bytes, ...]


def load_checkpoint_file(path: Path) -> CheckpointFile:
    """Read an exported JSONL file; a malformed line is an error naming the file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise ConfigError(f"{path}: cannot read the checkpoint file") from None
    checkpoints: list[Checkpoint] = []
    keys: list[bytes] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            checkpoint, public = checkpoint_from_json(line)
        except AuditFormatError as exc:
            raise ConfigError(f"{path}: line {number}: {exc}") from None
        checkpoints.append(checkpoint)
        if public is not None and public not in keys:
            keys.append(public)
    return CheckpointFile(tuple(checkpoints), tuple(keys))
