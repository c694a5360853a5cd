"""``wardgate keys create|list|show|revoke|rotate``."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime, timedelta

from wardgate.app import open_store
from wardgate.auth.key_admin import KeyAdmin, KeySpec, describe
from wardgate.cli.common import add_state_args, record_admin_action, state_config
from wardgate.config.models import Limits
from wardgate.storage.base import KeyRecord
from wardgate.types import JSONObject

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _expiry(text: str | None) -> datetime | None:
    if text is None:
        return None
    match = _DURATION.match(text)
    if match:
        return datetime.now(UTC) + timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _csv(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if text is None:
        return default
    return tuple(part.strip() for part in text.split(",") if part.strip())


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="manage gateway API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key (the secret is printed once)")
    add_state_args(create)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("user", "admin", "auditor"), default="user")
    create.add_argument("--owner")
    create.add_argument("--team")
    create.add_argument("--models", help="comma-separated model globs (default: *)")
    create.add_argument("--tools", help="comma-separated tool globs")
    create.add_argument("--expires", help="ISO timestamp or a duration like 30d, 12h")
    create.add_argument("--rpm", type=int, help="requests per minute")
    create.add_argument("--tpm", type=int, help="tokens per minute")
    create.add_argument("--concurrency", type=int, help="concurrent requests")
    create.add_argument("--daily-tokens", type=int)
    create.add_argument("--monthly-tokens", type=int)
    create.add_argument("--daily-cost", type=float, help="USD")
    create.add_argument("--monthly-cost", type=float, help="USD")
    create.add_argument("--json", action="store_true")
    for name in ("list", "show", "revoke", "rotate"):
        action = actions.add_parser(name)
        add_state_args(action)
        action.add_argument("--json", action="store_true")
        if name != "list":
            action.add_argument("key_id")
        if name == "rotate":
            action.add_argument("--grace", type=int, default=0, help="seconds the old secret stays valid")


def _limits(args: argparse.Namespace) -> Limits | None:
    values = {
        "requests_per_minute": args.rpm,
        "tokens_per_minute": args.tpm,
        "concurrent_requests": args.concurrency,
        "daily_tokens": args.daily_tokens,
        "monthly_tokens": args.monthly_tokens,
        "daily_cost_usd": args.daily_cost,
        "monthly_cost_usd": args.monthly_cost,
    }
    given = {k: v for k, v in values.items() if v is not None}
    return Limits(**given) if given else None


def run(args: argparse.Namespace) -> int:
    config, data_dir = state_config(args)
    store, secret = open_store(config, data_dir)
    admin = KeyAdmin(store, secret)
    try:
        changed = _dispatch(admin, args)
    finally:
        store.close()
    if changed is not None and config.audit.enabled:
        details: JSONObject = {"name": changed.name, "owner": changed.owner, "team": changed.team, "role": changed.role}
        record_admin_action(config.audit, data_dir, f"key.{args.action}", changed.key_id, details)
    return 0


def _dispatch(admin: KeyAdmin, args: argparse.Namespace) -> KeyRecord | None:
    """Run the action; returns the key record it changed (``None`` for read-only actions)."""
    if args.action == "create":
        spec = KeySpec(
            name=args.name,
            role=args.role,
            owner=args.owner,
            team=args.team,
            allowed_models=_csv(args.models, ("*",)),
            allowed_tools=_csv(args.tools, ()),
            limits=_limits(args),
            expires_at=_expiry(args.expires),
        )
        issued = admin.create(spec)
        _print_issued(issued.record.key_id, issued.key, args.json)
        return issued.record
    if args.action == "list":
        rows = [describe(r) for r in admin.list()]
        if args.json:
            print(json.dumps(rows))
        else:
            for row in rows:
                print(f"{row['id']}  {row['status']:<8} {row['role']:<7} {row['name']}  team={row['team'] or '-'}")
    elif args.action == "show":
        print(json.dumps(describe(admin.get(args.key_id)), indent=None if args.json else 2))
    elif args.action == "revoke":
        record = admin.revoke(args.key_id)
        print(json.dumps(describe(record)) if args.json else f"revoked {record.key_id}")
        return record
    elif args.action == "rotate":
        issued = admin.rotate(args.key_id, grace_seconds=args.grace)
        _print_issued(issued.record.key_id, issued.key, args.json)
        return issued.record
    return None


def _print_issued(key_id: str, key: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"id": key_id, "key": key}))
    else:
        print(f"id:  {key_id}\nkey: {key}\n(the key is shown once; store it now)")
