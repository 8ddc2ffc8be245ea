"""The current time, always timezone-aware UTC, and the date it is in a tenant's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def zone(name: str) -> dt.tzinfo:
    """The time zone a tenant's settings name (``timezone``); UTC for a name this system does not know."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return dt.UTC


def today_in(zone_name: str, at: dt.datetime | None = None) -> dt.date:
    """The date in the named time zone at ``at`` (now when not given)."""
    return (at or now()).astimezone(zone(zone_name)).date()
