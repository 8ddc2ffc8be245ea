"""Decimal values as people write them: 12 not 12.0000, 0.5 not 0.5000 (same on every backend)."""

from __future__ import annotations

from decimal import Decimal
from typing import overload


@overload
def tidy(value: Decimal) -> Decimal: ...
@overload
def tidy(value: None) -> None: ...
@overload
def tidy(value: Decimal | None) -> Decimal | None: ...
def tidy(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as the GraphQL Decimal scalar writes it."""
    return None if value is None else str(value)
