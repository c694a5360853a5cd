"""``wardgate audit verify|tail|search|export|checkpoints|public-key|purge|rewrap``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardgate.app import open_store
from wardgate.audit import (
    AUDIT_DB,
    AuditConfig,
    Decryptor,
    Keyring,
    RecordQuery,
    RecordView,
    SqliteAuditStore,
    VerifyReport,
    purge,
    record_json,
    rewrap,
    search,
    verify,
)
from wardgate.audit.checkpoints import export_lines, load_checkpoint_file
from wardgate.audit.signing import DEFAULT_KEY_FILE, Signer, load_public_pem
from wardgate.auth.authenticate import Authenticator
from wardgate.auth.principal import Principal
from wardgate.cli.common import add_state_args, record_admin_action, state_config
from wardgate.config.models import GatewayConfig
from wardgate.errors import ConfigError, PermissionDeniedError

_KINDS = ("request", "admin", "system")


@dataclass(frozen=True, slots=True)
class _Setup:
    config: GatewayConfig
    audit: AuditConfig
    data_dir: Path

    def store(self) -> SqliteAuditStore:
        return SqliteAuditStore.open(
            self.data_dir / AUDIT_DB, create=False, busy_timeout=self.audit.busy_timeout_seconds
        )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="verify, read and maintain the audit log")
    actions = audit.add_subparsers(dest="action", required=True)
    verify_p = _action(actions, "verify", "walk the whole log; exit 0 ok, 1 tampered, 3 ok with quarantined rows")
    verify_p.add_argument("--checkpoints", type=Path, help="exported checkpoints (JSONL) to check against")
    verify_p.add_argument("--public-key", type=Path, help="trust only this signing key (PEM)")
    verify_p.add_argument("--json", action="store_true")
    tail = _action(actions, "tail", "the newest records as JSON lines")
    tail.add_argument("-n", type=int, default=20, help="records to show (default 20)")
    tail.add_argument("--follow", action="store_true", help="keep printing new records")
    tail.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    found = _action(actions, "search", "records matching filters, as JSON lines")
    _time_args(found)
    found.add_argument("--kind", choices=_KINDS, action="append")
    for name in ("subject", "team", "model", "status", "request-id"):
        found.add_argument(f"--{name}")
    found.add_argument("--limit", type=int)
    export = _action(actions, "export", "records as JSON lines; --decrypt needs KEKs and an auditor key")
    _time_args(export)
    export.add_argument("--decrypt", action="store_true")
    export.add_argument("--api-key-file", type=Path, help="auditor API key (default: env WARDGATE_API_KEY)")
    checkpoints = _action(actions, "checkpoints", "the signed checkpoints as JSON lines")
    checkpoints.add_argument("--export", type=Path, help="write them to FILE instead of stdout")
    _action(actions, "public-key", "print the checkpoint signing public key (PEM)")
    purge_p = _action(actions, "purge", "delete records older than a time, up to a signed checkpoint")
    purge_p.add_argument("--before", required=True, help="ISO timestamp")
    _action(actions, "rewrap", "re-wrap every segment key under the active KEK")


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=text)
    add_state_args(parser)
    return parser


def _time_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", help="ISO timestamp (inclusive)")
    parser.add_argument("--until", help="ISO timestamp (exclusive)")


def _when(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option}: not an ISO timestamp") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _setup(args: argparse.Namespace) -> _Setup:
    config, data_dir = state_config(args)
    return _Setup(config, config.audit, data_dir)


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _as_lines(views: Iterable[RecordView]) -> Iterable[str]:
    return (json.dumps(record_json(view)) for view in views)


def _verify(setup: _Setup, args: argparse.Namespace) -> int:
    store = setup.store()
    try:
        exported = load_checkpoint_file(args.checkpoints) if args.checkpoints else None
        trusted: list[bytes] | None = None
        if args.public_key is not None:
            trusted = [load_public_pem(args.public_key)]
        elif exported is not None and exported.public_keys:
            trusted = [*store.signing_keys(), *exported.public_keys]
        report = verify(store, exported=exported.checkpoints if exported else (), trusted_keys=trusted)
    finally:
        store.close()
    print(json.dumps(report.to_json()) if args.json else _describe(report))
    return report.exit_code


def _describe(report: VerifyReport) -> str:
    span = f" (seq {report.first_seq}..{report.last_seq})" if report.records_checked else ""
    lines = [
        f"audit log {report.log_id}: {report.records_checked} record(s){span} and "
        f"{report.checkpoints_checked} checkpoint(s) checked in {report.seconds:.2f} s"
    ]
    if report.anchor_seq is not None:
        lines.append(f"starts from the signed purge anchor at seq {report.anchor_seq}")
    problem = report.problem
    if problem is not None:
        lines.append(f"FAILED at seq {problem.seq}: {problem.code}: {problem.detail}")
        return "\n".join(lines)
    if report.unsigned_tail:
        lines.append(f"{report.unsigned_tail} record(s) after the last checkpoint (chain-protected only)")
    for row in report.quarantined:
        lines.append(f"quarantined: seq {row.seq} ({row.reason}), raw sha256 {row.raw_sha256}")
    lines.append("OK, but with quarantined rows" if report.quarantined else "OK")
    return "\n".join(lines)


def _tail(setup: _Setup, args: argparse.Namespace) -> int:
    store = setup.store()
    try:
        views = list(search(store, RecordQuery(newest_first=True, limit=max(args.n, 0))))[::-1]
        _print_lines(_as_lines(views))
        last = views[-1].seq if views else 0
        while args.follow:
            time.sleep(args.interval)
            fresh = list(search(store, RecordQuery(after_seq=last)))
            _print_lines(_as_lines(fresh))
            last = fresh[-1].seq if fresh else last
    finally:
        store.close()
    return 0


def _query(args: argparse.Namespace, **extra: Any) -> RecordQuery:
    return RecordQuery(since=_when(args.since, "--since"), until=_when(args.until, "--until"), **extra)


def _search(setup: _Setup, args: argparse.Namespace) -> int:
    query = _query(
        args,
        kinds=tuple(args.kind or ()),
        subject=args.subject,
        team=args.team,
        model=args.model,
        status=args.status,
        request_id=args.request_id,
        limit=args.limit,
    )
    store = setup.store()
    try:
        _print_lines(_as_lines(search(store, query)))
    finally:
        store.close()
    return 0


def _auditor(setup: _Setup, key_file: Path | None) -> Principal:
    """The auditor key behind ``--decrypt``, checked against the gateway's key store."""
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"{key_file}: cannot read the API key file") from None
    else:
        key = os.environ.get("WARDGATE_API_KEY", "").strip()
    if not key:
        raise ConfigError("--decrypt needs an auditor API key in WARDGATE_API_KEY or --api-key-file")
    store, secret = open_store(setup.config, setup.data_dir)
    try:
        principal = asyncio.run(Authenticator(store, secret).authenticate(f"Bearer {key}"))
    finally:
        store.close()
    if principal.role != "auditor":
        raise PermissionDeniedError("--decrypt needs a key with the auditor role.", code="role_not_allowed")
    return principal


def _export(setup: _Setup, args: argparse.Namespace) -> int:
    query = _query(args)
    if not args.decrypt:
        store = setup.store()
        try:
            _print_lines(_as_lines(search(store, query)))
        finally:
            store.close()
        return 0
    keyring = Keyring.from_config(setup.audit)
    if not keyring.ids:
        raise ConfigError("--decrypt needs the audit KEKs (audit.keks in the config)")
    principal = _auditor(setup, args.api_key_file)
    store = setup.store()
    try:
        decryptor = Decryptor(store, keyring)
        count = sum(1 for _ in store.search(query))
        details = {"count": count, "since": args.since, "until": args.until}
        # On record before any clear text is shown.
        record_admin_action(setup.audit, setup.data_dir, "audit.decrypt", "audit", details, actor=principal)
        lines = (json.dumps(record_json(v, decryptor.content(v), decrypted=True)) for v in search(store, query))
        _print_lines(lines)
    finally:
        store.close()
    return 0


def _checkpoints(setup: _Setup, args: argparse.Namespace) -> int:
    store = setup.store()
    try:
        lines = list(export_lines(store))
    finally:
        store.close()
    if args.export is None:
        _print_lines(lines)
    else:
        args.export.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"wrote {len(lines)} checkpoint(s) to {args.export}", file=sys.stderr)
    return 0


def _public_key(setup: _Setup, args: argparse.Namespace) -> int:
    signer = Signer.load_or_create(setup.audit.signing_key_file or setup.data_dir / DEFAULT_KEY_FILE)
    sys.stdout.write(signer.public_pem())
    return 0


def _purge(setup: _Setup, args: argparse.Namespace) -> int:
    before = _when(args.before, "--before")
    store = setup.store()
    try:
        result = purge(store, before or 0.0)
    finally:
        store.close()
    if result.anchor_seq is None:
        print("nothing to purge: no signed checkpoint lies entirely before that time")
        return 0
    details = {"before": args.before, "anchor_seq": result.anchor_seq, "deleted": result.deleted}
    record_admin_action(setup.audit, setup.data_dir, "audit.purge", "audit", details)
    print(
        f"purged {result.deleted} record(s); the log now starts after the signed checkpoint at seq {result.anchor_seq}"
    )
    return 0


def _rewrap(setup: _Setup, args: argparse.Namespace) -> int:
    keyring = Keyring.from_config(setup.audit)
    store = setup.store()
    try:
        result = rewrap(store, keyring)
    finally:
        store.close()
    details = {"rewrapped": result.rewrapped, "unchanged": result.unchanged, "kek_id": keyring.active_id}
    record_admin_action(setup.audit, setup.data_dir, "audit.rewrap", "audit", details)
    print(f"re-wrapped {result.rewrapped} segment key(s) under {keyring.active_id}; {result.unchanged} unchanged")
    return 0


_ACTIONS: dict[str, Callable[[_Setup, argparse.Namespace], int]] = {
    "verify": _verify,
    "tail": _tail,
    "search": _search,
    "export": _export,
    "checkpoints": _checkpoints,
    "public-key": _public_key,
    "purge": _purge,
    "rewrap": _rewrap,
}


def run(args: argparse.Namespace) -> int:
    return _ACTIONS[args.action](_setup(args), args)
