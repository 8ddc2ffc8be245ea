"""Use cases of organisation performance: the RPJMD goal tree, IKU and their targets.

A goal or an IKU being changed is locked (``core/once.py``); a new one takes a key on its natural key
(tenant, code and first year of a goal; tenant, unit, year and name of an IKU) before the key is checked."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kinerja.core import clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.core.numbers import decimal_text, tidy
from kinerja.goals import rules
from kinerja.goals.models import (
    GoalRule,
    PerformanceAgreement,
    StrategicGoal,
    UnitIndicator,
    UnitIndicatorRealisation,
    UnitIndicatorTarget,
)
from kinerja.goals.rules import Aggregation, AgreementSide, AgreementStatus, Direction, GoalLevel, IndicatorKind
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.org.rules import PeriodKind
from kinerja.org.scoping import actor_unit_subtree
from kinerja.plans import evidence as files
from kinerja.plans import service as plans_service


async def _unit_indicator_of(tenant_id: uuid.UUID, indicator_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
    """An IKU's org unit and year (None for an unknown or foreign id): how an RHK's link is checked."""
    found = await UnitIndicator.filter(tenant_id=tenant_id, id=indicator_id).values_list("org_unit_id", "year")
    return (found[0][0], found[0][1]) if found else None


async def _sasaran_of(tenant_id: uuid.UUID, goal_id: uuid.UUID) -> tuple[int, int] | None:
    """A sasaran's span (None for an unknown or foreign id, or a tujuan): how an RHK's link is checked."""
    found = await StrategicGoal.filter(tenant_id=tenant_id, id=goal_id, level=GoalLevel.SASARAN).values_list(
        "start_year", "end_year")
    return (found[0][0], found[0][1]) if found else None


plans_service.UNIT_INDICATORS["find"] = _unit_indicator_of
plans_service.SASARAN["find"] = _sasaran_of


def _raise(problems: list[FieldError | None]) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise ValidationFailed(found)


# --- the goal tree ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalIndicatorData:
    name: str
    unit_of_measure: str
    baseline: Decimal | None
    target: Decimal | None


def _goal_indicator_problems(indicators: list[GoalIndicatorData]) -> list[FieldError | None]:
    problems: list[FieldError | None] = []
    if len(indicators) > 20:
        problems.append(FieldError("indicators", "BAD_USER_INPUT", "At most 20 indicators"))
    for item in indicators:
        if not 1 <= len(item.name.strip()) <= 300 or len(item.unit_of_measure) > 200:
            problems.append(FieldError("indicators", "BAD_USER_INPUT",
                                       "An indicator needs a name of 1 to 300 characters and a unit of at most 200"))
        problems += [rules.number_problem(item.baseline, "indicators"), rules.number_problem(item.target, "indicators")]
    return problems


def _stored(indicators: list[GoalIndicatorData]) -> list[dict]:
    return [{"name": i.name.strip(), "unit_of_measure": i.unit_of_measure.strip(),
             "baseline": None if i.baseline is None else str(i.baseline),
             "target": decimal_text(tidy(i.target))} for i in indicators]


async def save_strategic_goal(ctx: RequestContext, goal_id: uuid.UUID | None, level: GoalLevel,
                              parent_id: uuid.UUID | None, code: str, name: str, start_year: int, end_year: int,
                              indicators: list[GoalIndicatorData]) -> StrategicGoal:
    """Create (without an id) or replace a tujuan or sasaran of the RPJMD (HR of the whole tenant)."""
    scopes = await ctx.require("iku", "manage")
    if "tenant" not in scopes:
        raise Forbidden("Only a tenant-wide IKU manager sets the regional goals")
    tenant_id = ctx.require_tenant()
    problems: list[FieldError | None] = [rules.year_problem(start_year, "startYear"),
                                         rules.year_problem(end_year, "endYear")]
    if not 1 <= len(code.strip()) <= 50:
        problems.append(FieldError("code", "BAD_USER_INPUT", "The code must be 1 to 50 characters"))
    if not 1 <= len(name.strip()) <= 500:
        problems.append(FieldError("name", "BAD_USER_INPUT", "The name must be 1 to 500 characters"))
    if end_year < start_year or end_year - start_year > 10:
        problems.append(FieldError("endYear", "BAD_USER_INPUT", "The span must run forward and at most 10 years"))
    problems += _goal_indicator_problems(indicators)
    if (level is GoalLevel.SASARAN) != (parent_id is not None):
        problems.append(FieldError("parentId", "BAD_USER_INPUT", "A sasaran serves a tujuan; a tujuan has no parent"))
    _raise(problems)
    parent = None
    if parent_id is not None:
        parent = await StrategicGoal.get_or_none(id=parent_id, tenant_id=tenant_id)
        if parent is None:
            raise NotFound("Strategic goal not found", field="parentId")
        if parent.level is not GoalLevel.TUJUAN:
            raise ValidationFailed([FieldError("parentId", "BAD_USER_INPUT", "A sasaran serves a tujuan")])
        if start_year < parent.start_year or end_year > parent.end_year:
            raise ValidationFailed([FieldError("startYear", "BAD_USER_INPUT",
                                               "A sasaran lies within the span of its tujuan")])
    values: dict[str, Any] = {"level": level, "parent_id": parent_id, "code": code.strip(), "name": name.strip(),
              "start_year": start_year, "end_year": end_year, "indicators": _stored(indicators)}
    if goal_id is None:
        await once.lock_key(tenant_id, "strategic_goal", values["code"], start_year)
        if await StrategicGoal.exists(tenant_id=tenant_id, code=values["code"], start_year=start_year):
            raise Conflict("A goal with this code already exists for this span", field="code")
        return await StrategicGoal.create(tenant_id=tenant_id, **values)
    goal = await once.locked(StrategicGoal.filter(id=goal_id, tenant_id=tenant_id))
    if goal is None:
        raise NotFound("Strategic goal not found", field="id")
    if goal.level is not level:
        raise ValidationFailed([FieldError("level", "BAD_USER_INPUT", "The level of a goal cannot change")])
    children = StrategicGoal.filter(tenant_id=tenant_id, parent_id=goal.id)
    if await children.filter(start_year__lt=start_year).exists() or await children.filter(
            end_year__gt=end_year).exists():
        raise ValidationFailed([FieldError("startYear", "BAD_USER_INPUT",
                                           "The span must cover the spans of its sasaran")])
    if (values["code"], start_year) != (goal.code, goal.start_year):
        await once.lock_key(tenant_id, "strategic_goal", values["code"], start_year)
        if await StrategicGoal.exists(tenant_id=tenant_id, code=values["code"], start_year=start_year):
            raise Conflict("A goal with this code already exists for this span", field="code")
    for key, value in values.items():
        setattr(goal, key, value)
    await goal.save()
    return goal


# --- IKU -------------------------------------------------------------------------------------------

async def unit_in_reach(ctx: RequestContext, org_unit_id: uuid.UUID, action: str = "manage") -> OrgUnit:
    """The unit, if the actor manages IKU tenant-wide or over a unit subtree holding it."""
    unit = await OrgUnit.get_or_none(id=org_unit_id, tenant_id=ctx.require_tenant())
    if unit is None:
        raise NotFound("Org unit not found", field="orgUnitId")
    scopes = await ctx.require("iku", action)
    if "tenant" in scopes or "unit" in scopes and unit.id in await actor_unit_subtree(ctx):
        return unit
    raise Forbidden("This org unit is outside your reach", field="orgUnitId")


async def _sasaran(tenant_id: uuid.UUID, goal_id: uuid.UUID, year: int) -> StrategicGoal:
    goal = await StrategicGoal.get_or_none(id=goal_id, tenant_id=tenant_id)
    if goal is None:
        raise NotFound("Strategic goal not found", field="goalId")
    if goal.level is not GoalLevel.SASARAN or not goal.start_year <= year <= goal.end_year:
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT",
                                           "An IKU serves a sasaran whose span holds the IKU's year")])
    return goal


@dataclass
class IndicatorFields:
    """The describing fields of an IKU (None: not given, left as it is on an update)."""

    goal_id: uuid.UUID | None = None
    name: str | None = None
    definition: str | None = None
    formula: str | None = None
    kind: IndicatorKind | None = None
    direction: Direction | None = None
    unit_of_measure: str | None = None
    data_source: str | None = None
    responsible_position: str | None = None
    baseline: Decimal | None = None
    aggregation: Aggregation | None = None


def _check_fields(f: IndicatorFields) -> None:
    _raise([*rules.indicator_problems(f.name, f.definition, f.formula, f.unit_of_measure, f.data_source,
                                      f.responsible_position), rules.number_problem(f.baseline, "baseline")])


def _text(value: str | None) -> str | None:
    return None if value is None else value.strip()


async def _name_free(tenant_id: uuid.UUID, unit_id: uuid.UUID, year: int, name: str) -> None:
    await once.lock_key(tenant_id, "unit_indicator", unit_id, year, name)
    if await UnitIndicator.exists(tenant_id=tenant_id, org_unit_id=unit_id, year=year, name=name):
        raise Conflict("The unit already has an IKU of this name in this year", field="name")


async def create_unit_indicator(ctx: RequestContext, org_unit_id: uuid.UUID, year: int, target: Decimal | None,
                                f: IndicatorFields) -> UnitIndicator:
    unit = await unit_in_reach(ctx, org_unit_id)
    _raise([rules.year_problem(year), rules.number_problem(target, "target")])
    _check_fields(f)
    if f.goal_id is None or f.name is None or f.kind is None:  # required by the input type
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT", "A sasaran, a name and a kind are needed")])
    goal = await _sasaran(unit.tenant_id, f.goal_id, year)
    name = f.name.strip()
    await _name_free(unit.tenant_id, unit.id, year, name)
    return await UnitIndicator.create(
        tenant_id=unit.tenant_id, org_unit_id=unit.id, year=year, goal_id=goal.id, name=name,
        definition=_text(f.definition) or "", formula=_text(f.formula) or "", kind=f.kind,
        direction=f.direction or Direction.HIGHER_IS_BETTER, unit_of_measure=_text(f.unit_of_measure) or "",
        data_source=_text(f.data_source) or "", responsible_position=_text(f.responsible_position) or "",
        baseline=f.baseline, target=target, aggregation=f.aggregation)


async def indicator_in_reach(ctx: RequestContext, indicator_id: uuid.UUID, *, field: str = "id",
                             action: str = "manage") -> UnitIndicator:
    """An IKU of the tenant in the actor's reach, locked for the rest of the operation."""
    tenant_id = ctx.require_tenant()
    await ctx.require("iku", action)
    indicator = await once.locked(UnitIndicator.filter(id=indicator_id, tenant_id=tenant_id))
    if indicator is None:
        raise NotFound("Unit indicator not found", field=field)
    try:
        await unit_in_reach(ctx, indicator.org_unit_id, action)
    except Forbidden:
        raise Forbidden("This unit indicator is outside your reach", field=field) from None
    return indicator


async def update_unit_indicator(ctx: RequestContext, indicator_id: uuid.UUID, f: IndicatorFields,
                                clear_aggregation: bool) -> UnitIndicator:
    indicator = await indicator_in_reach(ctx, indicator_id)
    _check_fields(f)
    if f.goal_id is not None:
        indicator.goal_id = (await _sasaran(indicator.tenant_id, f.goal_id, indicator.year)).id
    if f.name is not None and f.name.strip() != indicator.name:
        await _name_free(indicator.tenant_id, indicator.org_unit_id, indicator.year, f.name.strip())
        indicator.name = f.name.strip()
    for key in ("definition", "formula", "unit_of_measure", "data_source", "responsible_position"):
        value = _text(getattr(f, key))
        if value is not None:
            setattr(indicator, key, value)
    for key in ("kind", "direction", "baseline", "aggregation"):
        value = getattr(f, key)
        if value is not None:
            setattr(indicator, key, value)
    if clear_aggregation:
        indicator.aggregation = None
    await indicator.save()
    return indicator


async def _open_period(indicator: UnitIndicator, period_id: uuid.UUID) -> Period:
    """A periodic period of the IKU's year that is still open: what a period target or a realisation needs."""
    period = await Period.get_or_none(id=period_id, tenant_id=indicator.tenant_id)
    if period is None:
        raise NotFound("Period not found", field="periodId")
    if period.year != indicator.year or period.kind is PeriodKind.ANNUAL:
        raise ValidationFailed([FieldError("periodId", "BAD_USER_INPUT",
                                           "The period must be a periodic period of the IKU's year")])
    if period.closed:
        raise Conflict(f"Period {period.name} is closed", field="periodId")
    return period


async def set_unit_indicator_target(ctx: RequestContext, indicator_id: uuid.UUID, period_id: uuid.UUID | None,
                                    value: Decimal | None) -> UnitIndicator:
    """The year's target (without a period) or a period's target (null value: remove it)."""
    indicator = await indicator_in_reach(ctx, indicator_id, field="unitIndicatorId")
    _raise([rules.number_problem(value, "value")])
    if period_id is None:
        if value is None:
            raise ValidationFailed([FieldError("value", "BAD_USER_INPUT", "The year's target needs a value")])
        if value != indicator.target:
            await refuse_if_committed(indicator)
        indicator.target = value
        await indicator.save()
        return indicator
    period = await _open_period(indicator, period_id)
    row = await UnitIndicatorTarget.get_or_none(tenant_id=indicator.tenant_id, indicator_id=indicator.id,
                                                period_id=period.id)
    if value is None:
        if row is not None:
            await row.delete()
    elif row is None:
        await UnitIndicatorTarget.create(tenant_id=indicator.tenant_id, indicator_id=indicator.id,
                                         period_id=period.id, value=value)
    elif row.value != value:
        row.value = value
        await row.save()
    return indicator


# --- Perjanjian Kinerja ----------------------------------------------------------------------------

async def _current_agreement(tenant_id: uuid.UUID, unit_id: uuid.UUID, year: int) -> PerformanceAgreement | None:
    """The agreement of the unit and year in force or in progress: its latest version."""
    return await PerformanceAgreement.filter(tenant_id=tenant_id, org_unit_id=unit_id, year=year).order_by(
        "-version").first()


async def _commitments(tenant_id: uuid.UUID, unit_id: uuid.UUID, year: int) -> list[dict]:
    """The IKU targets of the unit and year, as an agreement commits them."""
    indicators = await UnitIndicator.filter(tenant_id=tenant_id, org_unit_id=unit_id, year=year).order_by("name", "id")
    return [{"indicator_id": str(i.id), "name": i.name, "unit_of_measure": i.unit_of_measure,
             "target": decimal_text(tidy(i.target))} for i in indicators]


async def _signing_unit(ctx: RequestContext, org_unit_id: uuid.UUID) -> OrgUnit:
    """The unit, locked for the rest of the operation: its agreements change one request at a time."""
    await ctx.require("iku", "sign")
    unit = await once.locked(OrgUnit.filter(id=org_unit_id, tenant_id=ctx.require_tenant()))
    if unit is None:
        raise NotFound("Org unit not found", field="orgUnitId")
    return unit


async def sign_agreement(ctx: RequestContext, org_unit_id: uuid.UUID, year: int,
                         side: AgreementSide) -> PerformanceAgreement:
    """The head signs first (pihak pertama), committing the year's IKU targets; then the head's superior
    (pihak kedua), which puts the agreement in force."""
    _raise([rules.year_problem(year)])
    unit = await _signing_unit(ctx, org_unit_id)
    scopes, me = await ctx.scopes("iku", "sign"), await ctx.employee_id()
    if unit.head_id is None:
        raise Conflict("The unit has no head to sign its performance agreement", field="orgUnitId")
    agreement = await _current_agreement(unit.tenant_id, unit.id, year)
    if side is AgreementSide.HEAD:
        if "own" not in scopes or me is None or unit.head_id != me:
            raise Forbidden("Only the head of the unit signs as the first party", field="side")
        if agreement is not None and agreement.head_signed_at is not None:
            raise Conflict(f"The performance agreement is already signed by the head (status {agreement.status.value})",
                           field="side")
        commitments = await _commitments(unit.tenant_id, unit.id, year)
        if not commitments or any(c["target"] is None for c in commitments):
            raise ValidationFailed([FieldError("orgUnitId", "BAD_USER_INPUT",
                                               "Every IKU of the unit and year needs a target before signing")])
        if agreement is None:
            agreement = PerformanceAgreement(tenant_id=unit.tenant_id, org_unit_id=unit.id, year=year, version=1)
        agreement.commitments, agreement.head_id, agreement.head_signed_at = commitments, me, clock.now()
        await agreement.save()
        return agreement
    head = await Employee.get_or_none(id=unit.head_id, tenant_id=unit.tenant_id)
    if "team" not in scopes or me is None or head is None or head.supervisor_id != me:
        raise Forbidden("Only the superior of the unit's head signs as the second party", field="side")
    if agreement is None or agreement.head_signed_at is None:
        raise Conflict("The head signs the performance agreement first", field="side")
    if agreement.superior_signed_at is not None:
        raise Conflict(f"The performance agreement is already signed by the superior (status "
                       f"{agreement.status.value})", field="side")
    agreement.superior_id, agreement.superior_signed_at = me, clock.now()
    agreement.status = AgreementStatus.SIGNED
    await agreement.save()
    return agreement


async def revise_agreement(ctx: RequestContext, org_unit_id: uuid.UUID, year: int, reason: str) -> PerformanceAgreement:
    """PK perubahan: the signed agreement is kept as REVISED and a new draft version, with the reason,
    replaces it; the head and the superior sign it again."""
    _raise([rules.year_problem(year)])
    if not 1 <= len(reason.strip()) <= 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", "A reason of 1 to 2000 characters is needed")])
    unit = await _signing_unit(ctx, org_unit_id)
    if "own" not in await ctx.scopes("iku", "sign") or unit.head_id is None or unit.head_id != await ctx.employee_id():
        raise Forbidden("Only the head of the unit revises its performance agreement", field="orgUnitId")
    agreement = await _current_agreement(unit.tenant_id, unit.id, year)
    if agreement is None or agreement.status is not AgreementStatus.SIGNED:
        state = "MISSING" if agreement is None else agreement.status.value
        raise Conflict(f"Only a signed performance agreement can be revised (it is {state})", field="orgUnitId")
    agreement.status = AgreementStatus.REVISED
    await agreement.save()
    return await PerformanceAgreement.create(
        tenant_id=unit.tenant_id, org_unit_id=unit.id, year=year, version=agreement.version + 1,
        status=AgreementStatus.DRAFT, commitments=agreement.commitments, revision_reason=reason.strip())


async def refuse_if_committed(indicator: UnitIndicator) -> None:
    """A year's target committed by a signed agreement changes only through a revision. The unit is
    locked after the IKU (signing locks the unit alone), so a target and a signature never cross."""
    await once.locked(OrgUnit.filter(id=indicator.org_unit_id, tenant_id=indicator.tenant_id))
    agreement = await _current_agreement(indicator.tenant_id, indicator.org_unit_id, indicator.year)
    if agreement is not None and agreement.head_signed_at is not None:
        raise Conflict("The performance agreement of the year is signed: revise it before changing its targets",
                       field="value")


# The IKM of an org unit in a period (0-100), for IKU of kind PUBLIC_SATISFACTION: citizen/ (an area above,
# which owns the survey) registers how it is computed when it is loaded.
IkmSource = Callable[[uuid.UUID, uuid.UUID, dt.date, dt.date], Awaitable[Decimal | None]]
IKM_SOURCES: dict[str, IkmSource] = {}


# --- realisation -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceData:
    url: str | None = None
    file_name: str | None = None
    content_type: str | None = None
    content_base64: str | None = None


async def _evidence(evidence: EvidenceData | None) -> tuple[dict, files.EvidenceFile | None]:
    """The evidence columns of a realisation and the file to store, checked the way SKP evidence is."""
    empty = {"evidence_url": None, "evidence_file_name": None, "evidence_content_type": None, "evidence_sha256": None}
    if evidence is None:
        return empty, None
    if evidence.url is not None and evidence.content_base64 is None:
        url, problem = files.parse_link(evidence.url, 0)
        if problem:
            raise ValidationFailed([FieldError("evidence.url", problem.code, problem.message)])
        return {**empty, "evidence_url": url}, None
    if (evidence.url is None and evidence.file_name is not None and evidence.content_type is not None
            and evidence.content_base64 is not None):
        upload, problem = await asyncio.to_thread(files.parse_file, evidence.file_name, evidence.content_type,
                                                  evidence.content_base64, 0, "evidence")
        if problem or upload is None:
            raise ValidationFailed([problem or FieldError("evidence", "BAD_USER_INPUT", "Evidence is a link or a file")])
        return {**empty, "evidence_file_name": upload.file_name, "evidence_content_type": upload.content_type,
                "evidence_sha256": upload.sha256}, upload
    raise ValidationFailed([FieldError("evidence", "BAD_USER_INPUT", "Evidence is a link or a file")])


async def record_realisation(ctx: RequestContext, indicator_id: uuid.UUID, period_id: uuid.UUID,
                             value: Decimal | None, narrative: str | None, evidence: EvidenceData | None,
                             from_ikm: bool = False) -> UnitIndicatorRealisation:
    """An IKU's realisation of a periodic period of its year (a second report replaces it); a closed
    period refuses it, as it does for SKP. ``from_ikm``: the value is the unit's IKM of the period (an IKU
    of kind PUBLIC_SATISFACTION)."""
    indicator = await indicator_in_reach(ctx, indicator_id, field="unitIndicatorId")
    if from_ikm and indicator.kind is not IndicatorKind.PUBLIC_SATISFACTION:
        raise ValidationFailed([FieldError("fromIkm", "BAD_USER_INPUT",
                                           "Only a public satisfaction IKU takes its realisation from the IKM")])
    if (value is None) != from_ikm:
        raise ValidationFailed([FieldError("value", "BAD_USER_INPUT", "Give a value, or take it from the IKM")])
    problems = [rules.number_problem(value, "value")]
    if narrative is not None and len(narrative) > 4000:
        problems.append(FieldError("narrative", "BAD_USER_INPUT", "At most 4000 characters"))
    _raise(problems)
    period = await _open_period(indicator, period_id)
    if from_ikm:
        source = IKM_SOURCES.get("unit")
        value = await source(indicator.tenant_id, indicator.org_unit_id, period.starts_on, period.ends_on) \
            if source is not None else None
        if value is None:
            raise Conflict("The unit has no IKM in this period (no survey responses of its service units)",
                           field="fromIkm")
    columns, upload = await _evidence(evidence)
    row = await UnitIndicatorRealisation.get_or_none(tenant_id=indicator.tenant_id, indicator_id=indicator.id,
                                                     period_id=period.id)
    values = {"value": value, "narrative": (narrative or "").strip(), **columns,
              "recorded_by_id": ctx.require_actor().user_id}
    if row is None:
        row = await UnitIndicatorRealisation.create(tenant_id=indicator.tenant_id, indicator_id=indicator.id,
                                                    period_id=period.id, **values)
    else:
        if evidence is None:  # a report without evidence keeps the evidence given before
            values = {k: v for k, v in values.items() if k not in columns}
        if all(getattr(row, k) == v for k, v in values.items() if k != "recorded_by_id"):
            raise Conflict("This realisation is already recorded", field="value")
        for key, item in values.items():
            setattr(row, key, item)
        await row.save()
    if upload is not None:  # last: a file is stored only once everything else is written
        await files.store(ctx.settings, indicator.tenant_id, upload)
    return row


# --- a year's figures, for reports ------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorYear:
    org_unit_id: uuid.UUID
    name: str
    unit_of_measure: str
    target: Decimal | None
    year_to_date: Decimal | None
    achievement: Decimal | None


async def year_figures(tenant_id: uuid.UUID, year: int) -> list[IndicatorYear]:
    """Every IKU of the tenant and year with its year to date and achievement under the year's rules
    (aggregates of the organisation: nothing about a person)."""
    indicators = await UnitIndicator.filter(tenant_id=tenant_id, year=year).order_by("name", "id")
    periods = await Period.filter(tenant_id=tenant_id, year=year).exclude(kind=PeriodKind.ANNUAL).order_by(
        "starts_on", "id")
    ids = [i.id for i in indicators]
    targets = {(t.indicator_id, t.period_id): t.value for t in await UnitIndicatorTarget.filter(
        tenant_id=tenant_id, indicator_id__in=ids)}
    values = {(r.indicator_id, r.period_id): r.value for r in await UnitIndicatorRealisation.filter(
        tenant_id=tenant_id, indicator_id__in=ids)}
    stored = await GoalRule.get_or_none(tenant_id=tenant_id, year=year)
    year_rules = rules.rules_from(stored.rules if stored else None)
    today = clock.now().date()
    found = []
    for i in indicators:
        figures = [rules.PeriodFigure(str(p.id), p.name, p.sequence, p.ends_on < today, targets.get((i.id, p.id)),
                                      values.get((i.id, p.id))) for p in periods]
        p = rules.progress(i.kind, i.aggregation, i.direction, i.target, figures, year_rules)
        found.append(IndicatorYear(i.org_unit_id, i.name, i.unit_of_measure, i.target, p.year_to_date, p.achievement))
    return found
