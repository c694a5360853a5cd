"""Calendar periods for budgets (UTC): the current day or month and when it ends.

Keys are computed from integer arithmetic on the epoch (no ``strftime`` on the hot path).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

_DAY = 86_400


def day_key(now: datetime) -> int:
    """Days since the epoch (UTC)."""
    return int(now.timestamp()) // _DAY


def month_key(now: datetime) -> int:
    """``year * 12 + month - 1`` (UTC)."""
    utc = now.astimezone(UTC)
    return utc.year * 12 + utc.month - 1


def seconds_to_next_day(now: datetime) -> float:
    ts = now.timestamp()
    return (int(ts) // _DAY + 1) * _DAY - ts


def seconds_to_next_month(now: datetime) -> float:
    utc = now.astimezone(UTC)
    days = calendar.monthrange(utc.year, utc.month)[1]
    start = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (start + timedelta(days=days) - utc).total_seconds()
