"""The custom scalars as the API writes them, each with the specification a client can rely on
(``@specifiedBy``) and a description saying what codegen should map it to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

DATE_SPEC = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
DATETIME_SPEC = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
DECIMAL_SPEC = "https://speleotrove.com/decimal/daconvs.html#reftostr"

Date = dataclasses.replace(
    DateDefinition, specified_by_url=DATE_SPEC,
    description="Tanggal (a calendar date) as an RFC 3339 `full-date` string: `2026-03-31`.")
DateTime = dataclasses.replace(
    DateTimeDefinition, specified_by_url=DATETIME_SPEC,
    description="Waktu (a moment) as an RFC 3339 `date-time` string in UTC with its offset: "
                "`2026-03-31T08:15:00+00:00`, fractions of a second only when there are any.")
Decimal = dataclasses.replace(
    DecimalDefinition, specified_by_url=DECIMAL_SPEC,
    description="An exact decimal number (targets, realised values, JP, IKM) as a string in the General "
                "Decimal Arithmetic `to-scientific-string` form, without trailing zeros: `12`, `0.5`, "
                "`87.25`. Input accepts a string or a number. Keep it a string (or a decimal type) in "
                "clients: a binary float would round it.")

# For strawberry.Schema(scalar_overrides=...): the Python types the areas annotate, written as above.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.date: Date, dt.datetime: DateTime, decimal.Decimal: Decimal}
