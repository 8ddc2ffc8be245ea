"""IKU figures as the read compiler reads them: the SQL that gathers an IKU's periods (targets and
realisations) and a unit's IKU, and their evaluation by the pure rules (``rules.progress``).

Shared by this area's types and by the areas above that show a unit's achievement (the suggested
rating next to ``setUnitPerformance``'s human decision)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson

from kinerja.core.ids import to_global_id
from kinerja.goals import rules
from kinerja.goals.rules import Aggregation, Direction, IndicatorKind, PeriodFigure
from kinerja.graph import sql

_FIGURE_COLUMNS = ["pe.id", "pe.name", "pe.sequence", "pe.ends_on", "CAST(tg.value AS TEXT)", "CAST(r.value AS TEXT)"]
_FIGURE_FROM = ("period pe LEFT JOIN unit_indicator_target tg ON tg.tenant_id = pe.tenant_id AND tg.period_id = pe.id "
                "AND tg.indicator_id = {i}.id LEFT JOIN unit_indicator_realisation r ON r.tenant_id = pe.tenant_id "
                "AND r.period_id = pe.id AND r.indicator_id = {i}.id")
_FIGURE_WHERE = "pe.tenant_id = {i}.tenant_id AND pe.year = {i}.year AND pe.kind <> 'ANNUAL'"
_FIGURE_ORDER = "pe.starts_on, pe.id"


def _figures(dialect: str, alias: str) -> str:
    """The JSON list of an IKU's (``alias``) periodic periods of its year with target and realisation."""
    columns = ", ".join(_FIGURE_COLUMNS)
    from_, where = _FIGURE_FROM.replace("{i}", alias), _FIGURE_WHERE.replace("{i}", alias)
    if dialect == "postgres":
        return (f"(SELECT coalesce(json_agg(json_build_array({columns}) ORDER BY {_FIGURE_ORDER}), '[]'::json) "
                f"FROM {from_} WHERE {where})")
    return (f"(SELECT json_group_array(json(x.j)) FROM (SELECT json_array({columns}) AS j FROM {from_} "
            f"WHERE {where} ORDER BY {_FIGURE_ORDER}) x)")


def _json(text: str) -> sql.Input:
    """SQL of a JSON value as an input among several (SQLite keeps a subquery's JSON only through json())."""
    return sql.Input(sql.Dialects(text, f"json({text})"))


# For an IKU row {t}: its periods, and the rules of its tenant and year.
FIGURES = sql.Input(sql.Dialects(_figures("postgres", "{t}"), f"json({_figures('sqlite', '{t}')})"))
TARGET = sql.Input("CAST({t}.target AS TEXT)")
RULES = _json("(SELECT g.rules FROM goal_rule g WHERE g.tenant_id = {t}.tenant_id AND g.year = {t}.year)")

_IKU_COLUMNS = "{id}, i.name, i.kind, i.aggregation, i.direction, CAST(i.target AS TEXT), {figures}"


def unit_indicators_sql(unit: str, year: str) -> sql.Input:
    """The JSON list of the IKU of the org unit ``unit`` in ``year`` (SQL over the row {t}), each with
    its periods."""
    where = f"i.tenant_id = {{tenant}} AND i.org_unit_id = {unit} AND i.year = {year}"
    pg_columns = _IKU_COLUMNS.format(id="CAST(i.id AS TEXT)", figures=_figures("postgres", "i"))
    lite_columns = _IKU_COLUMNS.format(id="i.id", figures=f"json({_figures('sqlite', 'i')})")
    pg = (f"(SELECT coalesce(json_agg(json_build_array({pg_columns}) ORDER BY i.name, i.id), '[]'::json) "
          f"FROM unit_indicator i WHERE {where})")
    lite = (f"json((SELECT json_group_array(json(x.j)) FROM (SELECT json_array({lite_columns}) AS j "
            f"FROM unit_indicator i WHERE {where} ORDER BY i.name, i.id) x))")
    return sql.Input(sql.Dialects(pg, lite))


def tenant_indicators_sql(year: str) -> sql.Input:
    """The JSON list of every IKU of the tenant in ``year`` (SQL over the row {t}), each with its unit's
    name, its unit of measure and its periods."""
    where = f"i.tenant_id = {{tenant}} AND i.year = {year}"
    unit = "(SELECT o.name FROM org_unit o WHERE o.tenant_id = i.tenant_id AND o.id = i.org_unit_id), i.unit_of_measure, "
    pg_columns = unit + _IKU_COLUMNS.format(id="CAST(i.id AS TEXT)", figures=_figures("postgres", "i"))
    lite_columns = unit + _IKU_COLUMNS.format(id="i.id", figures=f"json({_figures('sqlite', 'i')})")
    pg = (f"(SELECT coalesce(json_agg(json_build_array({pg_columns}) ORDER BY i.name, i.id), '[]'::json) "
          f"FROM unit_indicator i WHERE {where})")
    lite = (f"json((SELECT json_group_array(json(x.j)) FROM (SELECT json_array({lite_columns}) AS j "
            f"FROM unit_indicator i WHERE {where} ORDER BY i.name, i.id) x))")
    return sql.Input(sql.Dialects(pg, lite))


def rules_sql(year: str) -> sql.Input:
    return _json(f"(SELECT g.rules FROM goal_rule g WHERE g.tenant_id = {{tenant}} AND g.year = {year})")


# --- evaluation ------------------------------------------------------------------------------------

def loaded(value):
    return orjson.loads(value) if isinstance(value, str) else value


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def figures(stored, today: dt.date | None = None) -> list[PeriodFigure]:
    today = today or dt.date.today()
    return [PeriodFigure(str(pid), name, int(sequence), _date(ends_on) < today, number(target), number(value))
            for pid, name, sequence, ends_on, target, value in loaded(stored) or []]


def progress_of(kind, aggregation, direction, target, stored_figures, stored_rules) -> rules.Progress:
    return rules.progress(IndicatorKind(kind), Aggregation(aggregation) if aggregation else None, Direction(direction),
                          number(target), figures(stored_figures), rules.rules_from(loaded(stored_rules)))


def year_lines(stored_indicators, stored_rules) -> list[tuple[str, str, str, Decimal | None, Decimal | None,
                                                                Decimal | None]]:
    """Each IKU of ``tenant_indicators_sql`` as (unit, name, unit of measure, target, year to date,
    achievement) under the year's rules."""
    found = []
    for unit, unit_of_measure, _id, name, kind, aggregation, direction, target, stored_figures in \
            loaded(stored_indicators) or []:
        p = progress_of(kind, aggregation, direction, target, stored_figures, stored_rules)
        found.append((unit or "", name, unit_of_measure, number(target), p.year_to_date, p.achievement))
    return found


def period_global_id(period_id: str) -> str:
    return to_global_id("Period", period_id)


class IndicatorInPeriod:
    """An IKU's figures in one period (the year itself for an annual period: year to date)."""

    def __init__(self, indicator_id: str, name: str, target: Decimal | None, realisation: Decimal | None,
                 achievement: Decimal | None, late: bool):
        self.indicator_id, self.name, self.target = indicator_id, name, target
        self.realisation, self.achievement, self.late = realisation, achievement, late


def unit_in_period(stored_indicators, stored_rules, period_id, period_kind) -> list[IndicatorInPeriod]:
    found = []
    for indicator_id, name, kind, aggregation, direction, target, stored_figures in loaded(stored_indicators) or []:
        p = progress_of(kind, aggregation, direction, target, stored_figures, stored_rules)
        if period_kind == "ANNUAL":
            late = any(row[2] for row in p.periods)
            found.append(IndicatorInPeriod(str(indicator_id), name, number(target), p.year_to_date, p.achievement,
                                           late))
            continue
        row = next((r for r in p.periods if _same_id(r[0].period_id, period_id)), None)
        if row is None:
            continue
        figure, achieved, late = row
        found.append(IndicatorInPeriod(str(indicator_id), name, rules.period_target(figure.target, number(target),
                                                                                    p.aggregation),
                                       figure.realisation, achieved, late))
    return found


def _same_id(a, b) -> bool:
    return str(a).replace("-", "").lower() == str(b).replace("-", "").lower()


def unit_achievement(stored_indicators, stored_rules, period_id, period_kind) -> Decimal | None:
    return rules.unit_achievement([i.achievement for i in unit_in_period(stored_indicators, stored_rules, period_id,
                                                                         period_kind)])


def suggested_rating(stored_indicators, stored_rules, period_id, period_kind) -> str | None:
    found = rules.suggested_rating(unit_achievement(stored_indicators, stored_rules, period_id, period_kind),
                                   rules.rules_from(loaded(stored_rules)))
    return None if found is None else found.value


def unit_trend(stored_indicators, stored_rules) -> list[tuple[str, str, int, Decimal | None]]:
    """A unit's achievement in each periodic period of the year: (period id, name, sequence, achievement)."""
    per_period: dict[str, list] = {}
    named: dict[str, tuple[str, int]] = {}
    for _id, _name, kind, aggregation, direction, target, stored_figures in loaded(stored_indicators) or []:
        p = progress_of(kind, aggregation, direction, target, stored_figures, stored_rules)
        for figure, achieved, _late in p.periods:
            named[figure.period_id] = (figure.name, figure.sequence)
            per_period.setdefault(figure.period_id, []).append(achieved)
    return [(pid, *named[pid], rules.unit_achievement(found)) for pid, found in per_period.items()]
