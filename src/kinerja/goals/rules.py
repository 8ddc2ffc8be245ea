"""Pure rules of organisation performance (SAKIP): the goal tree's levels, IKU kinds and directions,
achievement against a target, year-to-date aggregation and the suggested unit rating.

Numbers that come from regulations or tenant policy (the achievement cap, the aggregation per kind,
the rating thresholds) are data (``GoalRules``), read per tenant and year; these functions only
evaluate them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kinerja.core.errors import FieldError

# The aggregation rule individual indicators use too, offered from here with the rest of the goals' rules.
from kinerja.plans.rules import Aggregation as Aggregation
from kinerja.plans.rules import aggregate


class GoalLevel(StrEnum):
    TUJUAN = "TUJUAN"    # a goal of the RPJMD
    SASARAN = "SASARAN"  # a target of a tujuan


class IndicatorKind(StrEnum):
    PERCENTAGE = "PERCENTAGE"
    COUNT = "COUNT"
    INDEX = "INDEX"
    RATIO = "RATIO"
    PUBLIC_SATISFACTION = "PUBLIC_SATISFACTION"  # kepuasan masyarakat (may come from the unit's IKM)


class Direction(StrEnum):
    HIGHER_IS_BETTER = "HIGHER_IS_BETTER"
    LOWER_IS_BETTER = "LOWER_IS_BETTER"


class AgreementStatus(StrEnum):
    DRAFT = "DRAFT"
    SIGNED = "SIGNED"
    REVISED = "REVISED"  # a signed agreement replaced by a revision (PK perubahan)


class AgreementSide(StrEnum):
    HEAD = "HEAD"            # pihak pertama: the head of the unit
    SUPERIOR = "SUPERIOR"    # pihak kedua: the head's superior


class UnitRatingSuggestion(StrEnum):
    ISTIMEWA = "ISTIMEWA"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"
    SANGAT_KURANG = "SANGAT_KURANG"


# Defaults of the rules (the tenant file's [goals] section overrides them per year; see docs/goals.md).
DEFAULT_CAP_PERCENT = Decimal(120)
DEFAULT_AGGREGATION: dict[IndicatorKind, Aggregation] = {
    IndicatorKind.PERCENTAGE: Aggregation.LAST,
    IndicatorKind.COUNT: Aggregation.SUM,
    IndicatorKind.INDEX: Aggregation.AVERAGE,
    IndicatorKind.RATIO: Aggregation.LAST,
    IndicatorKind.PUBLIC_SATISFACTION: Aggregation.AVERAGE,
}
# Lowest achievement (percent) of each suggested rating, best first; below the last: SANGAT_KURANG.
DEFAULT_THRESHOLDS: dict[UnitRatingSuggestion, Decimal] = {
    UnitRatingSuggestion.ISTIMEWA: Decimal(110),
    UnitRatingSuggestion.BAIK: Decimal(90),
    UnitRatingSuggestion.BUTUH_PERBAIKAN: Decimal(70),
    UnitRatingSuggestion.KURANG: Decimal(50),
}


@dataclass(frozen=True)
class GoalRules:
    """The rules of one tenant and year."""

    cap_percent: Decimal = DEFAULT_CAP_PERCENT
    aggregation: dict[IndicatorKind, Aggregation] = field(default_factory=lambda: dict(DEFAULT_AGGREGATION))
    thresholds: dict[UnitRatingSuggestion, Decimal] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    source: str = "default"


def rules_from(data: dict[str, Any] | None) -> GoalRules:
    """Rules from their stored form (the tenant file's values), defaults where a value is missing."""
    data = data or {}
    aggregation = dict(DEFAULT_AGGREGATION)
    for kind, value in (data.get("aggregation") or {}).items():
        aggregation[IndicatorKind(kind)] = Aggregation(value)
    thresholds = dict(DEFAULT_THRESHOLDS)
    for rating, value in (data.get("thresholds") or {}).items():
        thresholds[UnitRatingSuggestion(rating)] = Decimal(str(value))
    return GoalRules(cap_percent=Decimal(str(data.get("cap_percent", DEFAULT_CAP_PERCENT))),
                     aggregation=aggregation, thresholds=thresholds,
                     source=str(data.get("source", "default")))


def rules_problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with rules as a tenant file writes them."""
    problems = []
    try:
        rules = rules_from(data)
    except (ValueError, ArithmeticError):
        return ["goal_rules: unknown kind, aggregation or rating, or a value that is no number"]
    if not Decimal(100) <= rules.cap_percent <= Decimal(1000):
        problems.append("goal_rules.cap_percent must be between 100 and 1000")
    ordered = [rules.thresholds[r] for r in DEFAULT_THRESHOLDS]
    if any(a <= b for a, b in zip(ordered, ordered[1:], strict=False)) or ordered[-1] < 0:
        problems.append("goal_rules.thresholds must fall from ISTIMEWA to KURANG and be positive")
    return problems


def aggregation_of(kind: IndicatorKind, chosen: Aggregation | None, rules: GoalRules) -> Aggregation:
    """The indicator's own aggregation, or the tenant's default for its kind."""
    return chosen if chosen is not None else rules.aggregation[kind]


def achievement(target: Decimal | None, realisation: Decimal | None, direction: Direction,
                cap_percent: Decimal) -> Decimal | None:
    """Capaian in percent: realisation / target (target / realisation when lower is better), capped.
    None without a target or a realisation. A zero realisation of a lower-is-better indicator meets any
    target, so it reaches the cap; a zero target of a higher-is-better one is met by anything."""
    if target is None or realisation is None:
        return None
    if direction is Direction.LOWER_IS_BETTER:
        value = cap_percent if realisation == 0 else target / realisation * 100
    else:
        value = cap_percent if target == 0 else realisation / target * 100
    return min(max(value, Decimal(0)), cap_percent).quantize(Decimal("0.01"))


def unit_achievement(achievements: list[Decimal | None]) -> Decimal | None:
    """A unit's achievement: the mean of its IKU's achievements, those without one left out."""
    known = [a for a in achievements if a is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"))


def suggested_rating(achievement_percent: Decimal | None, rules: GoalRules) -> UnitRatingSuggestion | None:
    if achievement_percent is None:
        return None
    for rating in DEFAULT_THRESHOLDS:
        if achievement_percent >= rules.thresholds[rating]:
            return rating
    return UnitRatingSuggestion.SANGAT_KURANG


def is_late(period_ended: bool, reported: bool) -> bool:
    """Terlambat: the period ended and nothing was reported for it."""
    return period_ended and not reported


def indicator_problems(name: str | None, definition: str | None, formula: str | None, unit_of_measure: str | None,
                       data_source: str | None, responsible_position: str | None) -> list[FieldError]:
    problems = []
    if name is not None and not 1 <= len(name.strip()) <= 300:
        problems.append(FieldError("name", "BAD_USER_INPUT", "The name must be 1 to 300 characters"))
    for value, field_name in ((definition, "definition"), (formula, "formula")):
        if value is not None and len(value) > 2000:
            problems.append(FieldError(field_name, "BAD_USER_INPUT", "At most 2000 characters"))
    for value, field_name in ((unit_of_measure, "unitOfMeasure"), (data_source, "dataSource"),
                              (responsible_position, "responsiblePosition")):
        if value is not None and len(value) > 200:
            problems.append(FieldError(field_name, "BAD_USER_INPUT", "At most 200 characters"))
    return problems


def number_problem(value: Decimal | None, field_name: str) -> FieldError | None:
    if value is None:
        return None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
        return FieldError(field_name, "BAD_USER_INPUT", "The value is out of range")
    return None


def year_problem(year: int, field_name: str = "year") -> FieldError | None:
    if not 2000 <= year <= 2100:
        return FieldError(field_name, "BAD_USER_INPUT", "The year must be between 2000 and 2100")
    return None


@dataclass(frozen=True)
class PeriodFigure:
    """One periodic period of an IKU's year: its target and realisation (None: not set, not reported)."""

    period_id: str
    name: str
    sequence: int
    ended: bool
    target: Decimal | None
    realisation: Decimal | None


@dataclass(frozen=True)
class Progress:
    aggregation: Aggregation
    year_to_date: Decimal | None
    achievement: Decimal | None          # the year-to-date value against the year's target
    periods: list[tuple[PeriodFigure, Decimal | None, bool]]  # (figures, achievement in the period, late)


def period_target(own: Decimal | None, year_target: Decimal | None, how: Aggregation) -> Decimal | None:
    """The target a period's realisation is measured against: its own, or, where periods are not summed,
    the year's (a coverage of 95 % is the goal of every quarter); a summed count has no period target
    unless one is set."""
    if own is not None:
        return own
    return None if how is Aggregation.SUM else year_target


def progress(kind: IndicatorKind, chosen: Aggregation | None, direction: Direction, year_target: Decimal | None,
             periods: list[PeriodFigure], rules: GoalRules) -> Progress:
    """An IKU's year: the aggregate of its periodic realisations (in period order) against the year's
    target, and each period's own achievement and late flag."""
    how = aggregation_of(kind, chosen, rules)
    reported = [p.realisation for p in periods if p.realisation is not None]
    ytd = aggregate(reported, how)
    rows = [(p, achievement(period_target(p.target, year_target, how), p.realisation, direction, rules.cap_percent),
             is_late(p.ended, p.realisation is not None)) for p in periods]
    return Progress(how, ytd, achievement(year_target, ytd, direction, rules.cap_percent), rows)
