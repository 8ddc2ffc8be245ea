"""Dates as Indonesian documents and period names write them."""

from __future__ import annotations

import datetime as dt

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def tanggal(day: dt.date) -> str:
    """A date as Indonesian documents print it: 3 Desember 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
