"""Use cases of the performance plan (SKP): drafting, cascading, the approval workflow, revisions.

Every change to a plan or its content first locks the plan row (``get_plan(lock=True)``), and a new
plan locks its employee: edits, transitions and realisation of one plan happen one at a time, each
checking the state the previous one committed (``core/once.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from kinerja.core import audit, clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.core.events import Event, publish
from kinerja.core.pagination import Page, paginate
from kinerja.org.models import Employee, OrgUnit
from kinerja.org.scoping import actor_team, employee_scope, supervisor_chain
from kinerja.plans import rules
from kinerja.plans.models import Indicator, PerformancePlan, ResultTarget
from kinerja.plans.rules import Aggregation, Approach, Aspect, BerakhlakValue, PlanStatus, ResultKind, Transition
from kinerja.tenancy.models import tenant_settings


def _check(problems: list[FieldError | None]) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise ValidationFailed(found)


async def visible_plans(ctx: RequestContext):
    scopes = await ctx.require("plan", "read")
    query = PerformancePlan.filter(tenant_id=ctx.require_tenant())
    condition = await employee_scope(ctx, scopes, field="employee_id")
    return query.filter(condition) if condition is not None else query


@dataclass(frozen=True)
class PlanFilter:
    employee_id: uuid.UUID | None = None
    year: int | None = None
    status: PlanStatus | None = None
    approver_is_me: bool = False


async def list_plans(ctx: RequestContext, flt: PlanFilter, first: int | None, after: str | None) -> Page:
    query = await visible_plans(ctx)
    if flt.employee_id is not None:
        query = query.filter(employee_id=flt.employee_id)
    if flt.year is not None:
        query = query.filter(year=flt.year)
    if flt.status is not None:
        query = query.filter(status=flt.status)
    if flt.approver_is_me:
        query = query.filter(approver_id=await ctx.employee_id())
    return await paginate(query, ["-year", "id"], first, after)


async def get_plan(ctx: RequestContext, plan_id: uuid.UUID, *, field: str = "id",
                   lock: bool = False) -> PerformancePlan:
    """A plan the actor may see; with ``lock``, locked for the rest of the operation (to change it)."""
    query = (await visible_plans(ctx)).filter(id=plan_id)
    plan = await (once.locked(query) if lock else query.first())
    if plan is None:
        raise NotFound("Performance plan not found", field=field)
    return plan


async def _own_plan(ctx: RequestContext, plan_id: uuid.UUID, *, field: str = "planId") -> PerformancePlan:
    """A plan the actor may edit: visible, and his or her own; locked for the rest of the operation."""
    await ctx.require("plan", "write")
    plan = await get_plan(ctx, plan_id, field=field, lock=True)
    if plan.employee_id != await ctx.employee_id():
        raise Forbidden("Only the plan's owner can change it", field=field)
    return plan


async def _me(ctx: RequestContext, *, lock: bool = False) -> Employee:
    employee_id = await ctx.employee_id()
    if employee_id is None:
        raise Forbidden("Your login is not linked to an employee record")
    query = Employee.filter(id=employee_id, tenant_id=ctx.require_tenant())
    employee = await (once.locked(query) if lock else query.get())
    if employee is None:
        raise Forbidden("Your login is not linked to an employee record")
    return employee


def _expectations(raw: list[tuple[BerakhlakValue, str]] | None) -> dict[str, str]:
    if not raw:
        return {}
    result = {}
    for value, text in raw:
        _check([rules.text_problem("behaviourExpectations", text, required=True, max_len=1000)])
        result[value.value] = text.strip()
    return result


async def create_plan(ctx: RequestContext, year: int, approach: Approach,
                      expectations: list[tuple[BerakhlakValue, str]] | None = None) -> PerformancePlan:
    await ctx.require("plan", "write")
    me = await _me(ctx, lock=True)  # one new plan of an employee at a time
    if not 2000 <= year <= 2100:
        raise ValidationFailed([FieldError("year", "BAD_USER_INPUT", "Year must be between 2000 and 2100")])
    if await PerformancePlan.exists(tenant_id=me.tenant_id, employee_id=me.id, year=year):
        raise Conflict(f"You already have a plan for {year}; edit it or make a new revision", field="year")
    plan = await PerformancePlan.create(tenant_id=me.tenant_id, employee_id=me.id, year=year, approach=approach,
                                        behaviour_expectations=_expectations(expectations))
    await _announce(ctx, plan, "PLAN_CREATED")
    return plan


async def update_plan(ctx: RequestContext, plan_id: uuid.UUID, *, approach: Approach | None = None,
                      expectations: list[tuple[BerakhlakValue, str]] | None = None,
                      resource_support: str | None = None, accountability_scheme: str | None = None,
                      consequences: str | None = None) -> PerformancePlan:
    plan = await _own_plan(ctx, plan_id, field="id")
    rules.require_editable(plan.status)
    _check([rules.text_problem(name, value, required=False, max_len=5000) for name, value in [
        ("resourceSupport", resource_support), ("accountabilityScheme", accountability_scheme),
        ("consequences", consequences)]])
    if approach is not None:
        plan.approach = approach
    if expectations is not None:
        plan.behaviour_expectations = _expectations(expectations)
    for name, value in [("resource_support", resource_support), ("accountability_scheme", accountability_scheme),
                        ("consequences", consequences)]:
        if value is not None:
            setattr(plan, name, value.strip())
    await plan.save()
    return plan


async def _check_parent(ctx: RequestContext, plan: PerformancePlan, parent_id: uuid.UUID | None) -> None:
    """The parent RHK (intervensi) must be of the same tenant, year, and of a plan of someone up
    the employee's supervisor chain."""
    if parent_id is None:
        return
    parent = await ResultTarget.get_or_none(id=parent_id, tenant_id=plan.tenant_id)
    parent_plan = await PerformancePlan.get_or_none(id=parent.plan_id, tenant_id=plan.tenant_id) if parent else None
    if parent is None or parent_plan is None:
        raise NotFound("Parent result target not found", field="parentId")
    chain = await supervisor_chain(plan.tenant_id, plan.employee_id)
    if parent_plan.employee_id not in chain:
        raise ValidationFailed([FieldError("parentId", "BAD_USER_INPUT",
                                           "The parent result target must belong to a supervisor up your chain")])
    if parent_plan.year != plan.year:
        raise ValidationFailed([FieldError("parentId", "BAD_USER_INPUT",
                                           f"The parent result target belongs to {parent_plan.year}, not {plan.year}")])


# IKU belong to goals/, an area above this one; it registers how an IKU is found (its org unit and year, or
# None for an unknown or foreign id), as areas above register the resolvers of GraphQL holes.
UnitIndicatorLookup = Callable[[uuid.UUID, uuid.UUID], Awaitable[tuple[uuid.UUID, int] | None]]
UNIT_INDICATORS: dict[str, UnitIndicatorLookup] = {}
# And how a sasaran is found: its first and last year, or None for an unknown or foreign id or a tujuan.
SasaranLookup = Callable[[uuid.UUID, uuid.UUID], Awaitable[tuple[int, int] | None]]
SASARAN: dict[str, SasaranLookup] = {}


async def _check_goal(plan: PerformancePlan, goal_id: uuid.UUID | None, unit_indicator_id: uuid.UUID | None) -> None:
    """An RHK names the sasaran it intervenes (when it names no IKU): one whose span holds the plan's year,
    from the plan of a unit head."""
    if goal_id is None:
        return
    if unit_indicator_id is not None:
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT", "Name the IKU or the sasaran, not both")])
    lookup = SASARAN.get("find")
    found = await lookup(plan.tenant_id, goal_id) if lookup is not None else None
    if found is None:
        raise NotFound("Strategic goal not found", field="goalId")
    if not found[0] <= plan.year <= found[1]:
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT", "The sasaran's span does not hold the "
                                                                       "plan's year")])
    if not await OrgUnit.exists(tenant_id=plan.tenant_id, head_id=plan.employee_id):
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT", "Only a unit head links an RHK to a sasaran")])


async def _check_unit_indicator(plan: PerformancePlan, unit_indicator_id: uuid.UUID | None) -> None:
    """An RHK names an IKU of the plan's year, of a unit the plan's employee heads."""
    if unit_indicator_id is None:
        return
    lookup = UNIT_INDICATORS.get("find")
    found = await lookup(plan.tenant_id, unit_indicator_id) if lookup is not None else None
    if found is None:
        raise NotFound("Unit indicator not found", field="unitIndicatorId")
    org_unit_id, year = found
    if year != plan.year:
        raise ValidationFailed([FieldError("unitIndicatorId", "BAD_USER_INPUT",
                                           "The IKU belongs to another year than the plan")])
    if not await OrgUnit.exists(tenant_id=plan.tenant_id, id=org_unit_id, head_id=plan.employee_id):
        raise ValidationFailed([FieldError("unitIndicatorId", "BAD_USER_INPUT",
                                           "Only the head of the IKU's unit links an RHK to it")])


async def add_result_target(ctx: RequestContext, plan_id: uuid.UUID, kind: ResultKind, description: str,
                            parent_id: uuid.UUID | None, unit_indicator_id: uuid.UUID | None = None,
                            goal_id: uuid.UUID | None = None) -> ResultTarget:
    plan = await _own_plan(ctx, plan_id)
    rules.require_editable(plan.status)
    _check([rules.text_problem("description", description, required=True)])
    await _check_parent(ctx, plan, parent_id)
    await _check_goal(plan, goal_id, unit_indicator_id)  # first: naming both is refused whatever they are
    await _check_unit_indicator(plan, unit_indicator_id)
    position = await ResultTarget.filter(tenant_id=plan.tenant_id, plan_id=plan.id).count()
    return await ResultTarget.create(tenant_id=plan.tenant_id, plan_id=plan.id, kind=kind,
                                     description=description.strip(), parent_id=parent_id, position=position,
                                     unit_indicator_id=unit_indicator_id, goal_id=goal_id)


async def _own_result(ctx: RequestContext, result_id: uuid.UUID, *,
                      field: str = "id") -> tuple[ResultTarget, PerformancePlan]:
    """A result target of an editable plan of the actor's, read again once its plan is locked."""
    result = await ResultTarget.get_or_none(id=result_id, tenant_id=ctx.require_tenant())
    if result is None:
        raise NotFound("Result target not found", field=field)
    plan = await _own_plan(ctx, result.plan_id, field=field)
    rules.require_editable(plan.status)
    result = await ResultTarget.get_or_none(id=result_id, tenant_id=plan.tenant_id, plan_id=plan.id)
    if result is None:
        raise NotFound("Result target not found", field=field)
    return result, plan


async def update_result_target(ctx: RequestContext, result_id: uuid.UUID, *, kind: ResultKind | None,
                               description: str | None, parent_id: uuid.UUID | None,
                               clear_parent: bool = False, unit_indicator_id: uuid.UUID | None = None,
                               clear_unit_indicator: bool = False, goal_id: uuid.UUID | None = None,
                               clear_goal: bool = False) -> ResultTarget:
    result, plan = await _own_result(ctx, result_id)
    if goal_id is not None and unit_indicator_id is not None:
        raise ValidationFailed([FieldError("goalId", "BAD_USER_INPUT", "Name the IKU or the sasaran, not both")])
    if unit_indicator_id is not None:
        await _check_unit_indicator(plan, unit_indicator_id)
        result.unit_indicator_id, result.goal_id = unit_indicator_id, None
    elif clear_unit_indicator:
        result.unit_indicator_id = None
    if goal_id is not None:
        await _check_goal(plan, goal_id, unit_indicator_id)
        result.goal_id, result.unit_indicator_id = goal_id, None
    elif clear_goal:
        result.goal_id = None
    if description is not None:
        _check([rules.text_problem("description", description, required=True)])
        result.description = description.strip()
    if kind is not None:
        result.kind = kind
    if parent_id is not None:
        await _check_parent(ctx, plan, parent_id)
        result.parent_id = parent_id
    elif clear_parent:
        result.parent_id = None
    await result.save()
    return result


async def remove_result_target(ctx: RequestContext, result_id: uuid.UUID) -> uuid.UUID:
    result, _plan = await _own_result(ctx, result_id)
    children = await ResultTarget.filter(tenant_id=result.tenant_id, parent_id=result.id).count()
    if children:
        raise Conflict(f"{children} result target(s) of your team contribute to this one; they must be "
                       "detached first", field="id")
    await result.delete()
    return result.id


async def add_indicator(ctx: RequestContext, result_id: uuid.UUID, aspect: Aspect, description: str,
                        target_value: Decimal | None, target_unit: str | None, target_text: str | None,
                        aggregation: Aggregation | None = None) -> Indicator:
    result, _plan = await _own_result(ctx, result_id, field="resultId")
    _check([rules.text_problem("description", description, required=True),
            *rules.target_problems(aspect, target_value, target_unit, target_text)])
    position = await Indicator.filter(tenant_id=result.tenant_id, result_id=result.id).count()
    return await Indicator.create(tenant_id=result.tenant_id, result_id=result.id, aspect=aspect,
                                  description=description.strip(), target_value=target_value,
                                  target_unit=(target_unit or "").strip() or None,
                                  target_text=(target_text or "").strip() or None, position=position,
                                  aggregation=aggregation)


async def _own_indicator(ctx: RequestContext, indicator_id: uuid.UUID) -> Indicator:
    """An indicator of an editable plan of the actor's, read again once its plan is locked."""
    indicator = await Indicator.get_or_none(id=indicator_id, tenant_id=ctx.require_tenant())
    if indicator is None:
        raise NotFound("Indicator not found", field="id")
    result = await ResultTarget.get(id=indicator.result_id, tenant_id=indicator.tenant_id)
    plan = await _own_plan(ctx, result.plan_id, field="id")
    rules.require_editable(plan.status)
    indicator = await Indicator.get_or_none(id=indicator_id, tenant_id=plan.tenant_id)
    if indicator is None:
        raise NotFound("Indicator not found", field="id")
    return indicator


async def update_indicator(ctx: RequestContext, indicator_id: uuid.UUID, *, aspect: Aspect | None,
                           description: str | None, target_value: Decimal | None, target_unit: str | None,
                           target_text: str | None, aggregation: Aggregation | None = None) -> Indicator:
    indicator = await _own_indicator(ctx, indicator_id)
    if aggregation is not None:
        indicator.aggregation = aggregation
    aspect = aspect or indicator.aspect
    value = target_value if target_value is not None else indicator.target_value
    unit = target_unit if target_unit is not None else indicator.target_unit
    text = target_text if target_text is not None else indicator.target_text
    _check([rules.text_problem("description", description, required=True) if description is not None else None,
            *rules.target_problems(aspect, value, unit, text)])
    indicator.aspect, indicator.target_value, indicator.target_unit, indicator.target_text = aspect, value, unit, text
    if description is not None:
        indicator.description = description.strip()
    await indicator.save()
    return indicator


async def remove_indicator(ctx: RequestContext, indicator_id: uuid.UUID) -> uuid.UUID:
    indicator = await _own_indicator(ctx, indicator_id)
    await indicator.delete()
    return indicator.id


async def submit_plan(ctx: RequestContext, plan_id: uuid.UUID) -> PerformancePlan:
    plan = await _own_plan(ctx, plan_id, field="id")
    new_status = rules.next_status(plan.status, Transition.SUBMIT)
    me = await _me(ctx)
    if me.supervisor_id is None:
        raise Conflict("You have no direct supervisor to approve the plan; ask HR to set one", field="id")
    results = await ResultTarget.filter(tenant_id=plan.tenant_id, plan_id=plan.id)
    with_indicators = set(await Indicator.filter(
        tenant_id=plan.tenant_id, result_id__in=[r.id for r in results]).values_list("result_id", flat=True))
    if (problem := rules.submission_problem([(r.id, r.kind) for r in results], with_indicators)) is not None:
        raise ValidationFailed([FieldError("id", "BAD_USER_INPUT", problem)])
    if any(r.unit_indicator_id is None for r in results) and (await tenant_settings(plan.tenant_id)).require_iku_link \
            and await OrgUnit.exists(tenant_id=plan.tenant_id, head_id=plan.employee_id):
        raise ValidationFailed([FieldError("id", "BAD_USER_INPUT",
                                           "Every main (UTAMA) result target of a unit head names the IKU it intervenes")])
    plan.status, plan.approver_id, plan.submitted_at, plan.return_reason = new_status, me.supervisor_id, clock.now(), None
    await plan.save()
    await _announce(ctx, plan, "PLAN_SUBMITTED")
    return plan


async def _plan_to_decide(ctx: RequestContext, plan_id: uuid.UUID) -> PerformancePlan:
    await ctx.require("plan", "approve")
    plan = await get_plan(ctx, plan_id, lock=True)
    me = await ctx.employee_id()
    if me is None or plan.approver_id != me:
        raise Forbidden("Only the approver of this plan (the direct supervisor) can decide on it", field="id")
    return plan


async def approve_plan(ctx: RequestContext, plan_id: uuid.UUID) -> PerformancePlan:
    plan = await _plan_to_decide(ctx, plan_id)
    plan.status = rules.next_status(plan.status, Transition.APPROVE)
    plan.approved_at = clock.now()
    await plan.save()
    if plan.previous_revision_id:
        await audit.update(PerformancePlan.filter(tenant_id=plan.tenant_id, id=plan.previous_revision_id,
                                                  status=PlanStatus.APPROVED), status=PlanStatus.SUPERSEDED)
    await _announce(ctx, plan, "PLAN_APPROVED")
    return plan


async def return_plan(ctx: RequestContext, plan_id: uuid.UUID, reason: str) -> PerformancePlan:
    plan = await _plan_to_decide(ctx, plan_id)
    _check([rules.text_problem("reason", reason, required=True)])
    plan.status = rules.next_status(plan.status, Transition.RETURN)
    plan.return_reason = reason.strip()
    await plan.save()
    await _announce(ctx, plan, "PLAN_RETURNED", {"reason": plan.return_reason[:200]})
    return plan


async def _copy_content(source: PerformancePlan, target: PerformancePlan, *, keep_parents: bool) -> None:
    results = await ResultTarget.filter(tenant_id=source.tenant_id, plan_id=source.id).order_by("position")
    indicators = await Indicator.filter(tenant_id=source.tenant_id,
                                        result_id__in=[r.id for r in results]).order_by("position")
    new_ids = {}
    for result in results:
        new_ids[result.id] = uuid.uuid4()
    await ResultTarget.bulk_create([
        ResultTarget(id=new_ids[r.id], tenant_id=target.tenant_id, plan_id=target.id, kind=r.kind,
                     description=r.description, parent_id=r.parent_id if keep_parents else None, position=r.position,
                     unit_indicator_id=r.unit_indicator_id if keep_parents else None,  # links of the same year
                     goal_id=r.goal_id if keep_parents else None)
        for r in results])
    await Indicator.bulk_create([
        Indicator(tenant_id=target.tenant_id, result_id=new_ids[i.result_id], aspect=i.aspect,
                  description=i.description, target_value=i.target_value, target_unit=i.target_unit,
                  target_text=i.target_text, position=i.position, aggregation=i.aggregation)
        for i in indicators])


async def revise_plan(ctx: RequestContext, plan_id: uuid.UUID) -> PerformancePlan:
    """An approved plan changes only through a new revision: a draft copy; the approved one stays in
    force (and in history) until the revision is approved."""
    plan = await _own_plan(ctx, plan_id, field="id")
    rules.next_status(plan.status, Transition.REVISE)
    newer = await PerformancePlan.filter(tenant_id=plan.tenant_id, employee_id=plan.employee_id, year=plan.year,
                                         revision__gt=plan.revision).exists()
    if newer:
        raise Conflict("A newer revision of this plan already exists", field="id")
    revision = await PerformancePlan.create(
        tenant_id=plan.tenant_id, employee_id=plan.employee_id, year=plan.year, revision=plan.revision + 1,
        previous_revision_id=plan.id, approach=plan.approach, behaviour_expectations=plan.behaviour_expectations,
        resource_support=plan.resource_support, accountability_scheme=plan.accountability_scheme,
        consequences=plan.consequences)
    await _copy_content(plan, revision, keep_parents=True)
    await _announce(ctx, revision, "PLAN_REVISED")
    return revision


async def copy_plan(ctx: RequestContext, source_id: uuid.UUID, year: int) -> PerformancePlan:
    """Start a year's plan as a copy of an earlier one (links to last year's supervisor RHK dropped)."""
    source = await _own_plan(ctx, source_id, field="sourcePlanId")
    plan = await create_plan(ctx, year, source.approach)
    plan.behaviour_expectations = source.behaviour_expectations
    plan.resource_support, plan.accountability_scheme = source.resource_support, source.accountability_scheme
    plan.consequences = source.consequences
    await plan.save()
    await _copy_content(source, plan, keep_parents=False)
    return plan


async def close_year(ctx: RequestContext, year: int) -> int:
    await ctx.require("plan", "close")
    closed = await audit.update(PerformancePlan.filter(tenant_id=ctx.require_tenant(), year=year,
                                                       status=PlanStatus.APPROVED), status=PlanStatus.CLOSED)
    if not closed:
        raise Conflict(f"No APPROVED plan of {year} is left to close", field="year")
    return closed


async def can_give_team_feedback(ctx: RequestContext, plan: PerformancePlan) -> bool:
    me = await ctx.employee_id()
    if me is None or not await ctx.holds("plan:feedback:team"):
        return False
    return plan.approver_id == me or plan.employee_id in await actor_team(ctx)


async def _announce(ctx: RequestContext, plan: PerformancePlan, kind: str, extra: dict | None = None) -> None:
    await publish(ctx, Event(plan.tenant_id, kind, plan.id, plan.id, plan.employee_id,
                             {"status": plan.status.value, **(extra or {})}))

