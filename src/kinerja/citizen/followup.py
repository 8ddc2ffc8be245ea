"""Follow-up plans (rencana tindak lanjut) of the IKM: per service unit and year, actions on the weakest
elements, each with an owner (a position), a due date and a status; published in the public report."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kinerja.citizen import rules
from kinerja.citizen.models import FollowUpAction, FollowUpPlan, ServiceUnit, SurveyResponse
from kinerja.citizen.rules import ActionStatus
from kinerja.citizen.scoping import unit_in_reach
from kinerja.citizen.service import element_sums, ikm_of
from kinerja.core import audit, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import BadUserInput, Conflict, FieldError, NotFound, ValidationFailed
from kinerja.org.models import Employee, OrgUnit, Position
from kinerja.tenancy.models import tenant_settings


@dataclass(frozen=True)
class ActionInput:
    element: int
    action: str
    owner: str | None  # the position's name (positions are unique by name in a tenant)
    due_on: dt.date
    status: ActionStatus = ActionStatus.PLANNED


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC))


async def suggested_actions(unit: ServiceUnit, year: int) -> list[ActionInput]:
    """Actions on the year's weakest elements (``rules.weakest_elements``), owned by the position of the
    head of the unit's org unit when known, due by the middle of the next year."""
    settings = await tenant_settings(unit.tenant_id)
    start, end = _year_range(year)
    rows = await element_sums(SurveyResponse.filter(tenant_id=unit.tenant_id, service_unit_id=unit.id,
                                                    created_at__gte=start, created_at__lt=end))
    ikm = ikm_of(rows[0] if rows else None, settings.ikm_weighting)
    if ikm is None:
        raise Conflict(f"No survey responses of {year} to suggest a plan from: give the actions", field="actions")
    threshold = Decimal(str(settings.follow_up_nrr_threshold)) if settings.follow_up_nrr_threshold else None
    owner = await _head_position(unit)
    due = dt.date(year + 1, 6, 30)
    return [ActionInput(e, rules.suggested_action(e), owner, due) for e in rules.weakest_elements(ikm.nrr, threshold)]


async def _head_position(unit: ServiceUnit) -> str | None:
    """The name of the position of the head of the unit's org unit, if known."""
    if unit.org_unit_id is None:
        return None
    head = await OrgUnit.filter(id=unit.org_unit_id, tenant_id=unit.tenant_id).values_list("head_id", flat=True)
    if not head or head[0] is None:
        return None
    position = await Employee.filter(id=head[0], tenant_id=unit.tenant_id).values_list("position_id", flat=True)
    if not position or position[0] is None:
        return None
    names: list[Any] = await Position.filter(id=position[0], tenant_id=unit.tenant_id).values_list("name", flat=True)
    return names[0] if names else None


async def save_plan(ctx: RequestContext, service_unit_id: uuid.UUID | None, year: int,
                    actions: list[ActionInput] | None) -> FollowUpPlan:
    """Create or replace the plan of a unit and year; without actions, the suggested ones."""
    if problem := rules.report_year_problem(year):
        raise BadUserInput(problem, field="year")
    unit = await unit_in_reach(ctx, "survey", "manage", service_unit_id)
    await once.lock_key("follow-up-plan", unit.tenant_id, unit.id, year)  # one save of a plan at a time
    if actions is None:
        actions = await suggested_actions(unit, year)
    owners = await _check_actions(unit.tenant_id, actions)
    plan = await FollowUpPlan.get_or_none(tenant_id=unit.tenant_id, service_unit_id=unit.id, year=year)
    if plan is None:
        plan = await FollowUpPlan.create(tenant_id=unit.tenant_id, service_unit_id=unit.id, year=year)
    else:
        current = await FollowUpAction.filter(tenant_id=unit.tenant_id, plan_id=plan.id).order_by("position")
        if [(a.element, a.action, a.owner_id, a.due_on, a.status) for a in current] == \
                [(a.element, a.action.strip(), owners.get(a.owner) if a.owner is not None else None, a.due_on,
                 a.status) for a in actions]:
            raise Conflict("The plan already has these actions", field="actions")
        await audit.delete(FollowUpAction.filter(tenant_id=unit.tenant_id, plan_id=plan.id))
        await plan.save()  # its update time
    await FollowUpAction.bulk_create([
        FollowUpAction(tenant_id=unit.tenant_id, plan_id=plan.id, position=i, element=a.element, action=a.action.strip(),
                       owner_id=owners.get(a.owner) if a.owner is not None else None, due_on=a.due_on, status=a.status) for i, a in enumerate(actions)])
    return plan


async def _check_actions(tenant_id: uuid.UUID, actions: list[ActionInput]) -> dict[str, uuid.UUID]:
    """Problems of the actions, else the ids of the positions they name (by name)."""
    problems: list[FieldError] = []
    if len(actions) > 20:
        problems.append(FieldError("actions", "BAD_USER_INPUT", "At most 20 actions"))
    for index, a in enumerate(actions):
        problems.extend(rules.action_problems(a.element, a.action, index))
        if a.due_on.year not in rules.REPORT_YEARS:
            problems.append(FieldError(f"actions[{index}].dueOn", "BAD_USER_INPUT", "due date out of range"))
    if problems:
        raise ValidationFailed(problems)
    names = {a.owner for a in actions if a.owner is not None}
    found = dict(await Position.filter(tenant_id=tenant_id, name__in=names).values_list("name", "id")) if names else {}
    for index, a in enumerate(actions):
        if a.owner is not None and a.owner not in found:
            raise NotFound("Position not found", field=f"actions[{index}].owner")
    return found


@dataclass(frozen=True)
class PublishedAction:
    element: int
    element_name: str
    action: str
    owner: str | None
    due_on: dt.date
    status: ActionStatus


async def published_actions(tenant_id: uuid.UUID, year: int) -> dict[uuid.UUID, list[PublishedAction]]:
    """The follow-up actions of every service unit for the year (public: positions, never people)."""
    plans = dict(await FollowUpPlan.filter(tenant_id=tenant_id, year=year).values_list("id", "service_unit_id"))
    if not plans:
        return {}
    actions = await FollowUpAction.filter(tenant_id=tenant_id, plan_id__in=list(plans)).order_by("plan_id", "position")
    owners = {a.owner_id for a in actions if a.owner_id}
    names = dict(await Position.filter(tenant_id=tenant_id, id__in=owners).values_list("id", "name")) if owners else {}
    published: dict[uuid.UUID, list[PublishedAction]] = {}
    for a in actions:
        published.setdefault(plans[a.plan_id], []).append(PublishedAction(
            a.element, rules.ELEMENTS[a.element - 1], a.action, names.get(a.owner_id), a.due_on, a.status))
    return published
