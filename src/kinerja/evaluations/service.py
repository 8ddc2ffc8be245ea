"""Use cases of evaluation: rating employees, unit performance, and the distribution guide and credit
points the documents print (reads through GraphQL are described in ``graphql.py``).

Every change to an employee's evaluations (draft, finalize, correct) first locks the employee's row,
and a unit's performance locks the unit's: changes to one subject happen one at a time, each checking
what the previous one committed (``core/once.py``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kinerja.core import clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.evaluations import rules
from kinerja.evaluations.models import (
    ActingAssessor,
    CreditAssessment,
    CreditEntry,
    Evaluation,
    EvaluationObjection,
    EvaluationRule,
    PlanWaiver,
    UnitPerformance,
)
from kinerja.evaluations.rules import EvaluationStatus, Predicate, Rating, UnitRating
from kinerja.org.models import Employee, OrgUnit, Period, Position
from kinerja.org.rules import PeriodKind
from kinerja.org.scoping import actor_unit_subtree, employee_scope, unit_subtree_ids
from kinerja.org.service import visible_employees
from kinerja.plans.models import PerformancePlan
from kinerja.plans.rules import BerakhlakValue, PlanStatus
from kinerja.tenancy.models import tenant_settings

LIVE = [EvaluationStatus.DRAFT, EvaluationStatus.FINAL]  # versions not replaced by a correction



async def rules_for(tenant_id: uuid.UUID, year: int) -> EvaluationRule:
    """The tenant's rules for the year; the regulation's defaults are stored on first use."""
    rule = await EvaluationRule.get_or_none(tenant_id=tenant_id, year=year)
    if rule is None:
        await once.lock_key("evaluation-rule", tenant_id, year)  # stored once, however many ask at once
        rule = await EvaluationRule.get_or_none(tenant_id=tenant_id, year=year)
    if rule is None:
        rule = await EvaluationRule.create(tenant_id=tenant_id, year=year, matrix=rules.DEFAULT_MATRIX,
                                           distribution_guide=rules.DEFAULT_GUIDE,
                                           credit_shares=rules.DEFAULT_CREDIT_SHARES,
                                           credit_coefficients=rules.DEFAULT_CREDIT_COEFFICIENTS)
    return rule


async def visible_evaluations(ctx: RequestContext):
    scopes = await ctx.require("evaluation", "read")
    query = Evaluation.filter(tenant_id=ctx.require_tenant())
    condition = await employee_scope(ctx, scopes, field="employee_id")
    return query.filter(condition) if condition is not None else query


async def get_evaluation(ctx: RequestContext, evaluation_id: uuid.UUID, *, field: str = "id") -> Evaluation:
    evaluation = await (await visible_evaluations(ctx)).filter(id=evaluation_id).first()
    if evaluation is None:
        raise NotFound("Evaluation not found", field=field)
    return evaluation


def _notes(raw: list[tuple[BerakhlakValue, str]] | None) -> dict[str, str]:
    notes = {}
    for value, text in raw or []:
        if not text.strip() or len(text) > 1000:
            raise ValidationFailed([FieldError("notes", "BAD_USER_INPUT",
                                               f"Note on {value.value} must be 1-1000 characters")])
        notes[value.value] = text.strip()
    return notes


async def acting_for(tenant_id: uuid.UUID, me: uuid.UUID | None) -> set[uuid.UUID]:
    """The officials whose subordinates the employee assesses today as their Plt/Plh."""
    if me is None:
        return set()
    today = clock.now().date()
    officials: list[Any] = await ActingAssessor.filter(tenant_id=tenant_id, acting_id=me, starts_on__lte=today,
                                                       ends_on__gte=today).values_list("official_id", flat=True)
    return set(officials)


async def _may_evaluate(ctx: RequestContext, employee: Employee) -> uuid.UUID:
    """The assessor (pejabat penilai): the direct supervisor, or the Plt/Plh HR assigned for that
    supervisor; never the evaluatee, never a login without an employee record. Any scope of
    evaluation:write is only the permission; the relation decides (``rules.assessor_problem``).
    Returns the assessor's employee id."""
    await ctx.require("evaluation", "write")
    me = await ctx.employee_id()
    problem = rules.assessor_problem(me, employee.id, employee.supervisor_id,
                                     await acting_for(employee.tenant_id, me))
    if problem is not None or me is None:
        raise Forbidden(problem or rules.NO_EMPLOYEE_RECORD, field="employeeId")
    return me


async def _evaluatee(ctx: RequestContext, employee_id: uuid.UUID) -> Employee:
    """The employee to evaluate: one the actor sees, or a subordinate of an official the actor acts
    for as Plt/Plh; NOT_FOUND otherwise (unknown and foreign ids alike)."""
    try:
        employee = await (await visible_employees(ctx)).filter(id=employee_id).first()
    except Forbidden:
        employee = None
    if employee is None:
        tenant_id = ctx.require_tenant()
        officials = await acting_for(tenant_id, await ctx.employee_id())
        if officials:
            employee = await Employee.get_or_none(id=employee_id, tenant_id=tenant_id, supervisor_id__in=officials)
    if employee is None:
        raise NotFound("Employee not found", field="employeeId")
    return employee


async def _tenant_wide(ctx: RequestContext) -> bool:
    """Whether the caller writes evaluations tenant-wide (HR), as the administrative acts around them need."""
    return "tenant" in await ctx.require("evaluation", "write")


async def _employee(tenant_id: uuid.UUID, employee_id: uuid.UUID, field: str) -> Employee:
    employee = await Employee.get_or_none(id=employee_id, tenant_id=tenant_id)
    if employee is None:
        raise NotFound("Employee not found", field=field)
    return employee


async def assign_acting_assessor(ctx: RequestContext, official_id: uuid.UUID, acting_id: uuid.UUID,
                                 kind: rules.ActingKind, starts_on: dt.date, ends_on: dt.date) -> ActingAssessor:
    """HR assigns a Plt/Plh to assess an official's direct subordinates from ``starts_on`` to ``ends_on``."""
    if not await _tenant_wide(ctx):
        raise Forbidden("Only HR (tenant-wide evaluation:write) assigns acting assessors", field="officialId")
    tenant_id = ctx.require_tenant()
    official = await _employee(tenant_id, official_id, "officialId")
    acting = await Employee.get_or_none(id=acting_id, tenant_id=tenant_id, active=True)
    if acting is None:
        raise NotFound("Employee not found", field="actingId")
    if (problem := rules.acting_problem(official.id, acting.id)) is not None:
        raise ValidationFailed([FieldError("actingId", "BAD_USER_INPUT", problem)])
    if (problem := rules.acting_dates_problem(starts_on, ends_on)) is not None:
        raise ValidationFailed([FieldError("endsOn", "BAD_USER_INPUT", problem)])
    await once.locked(Employee.filter(id=official.id, tenant_id=tenant_id))  # one assignment per official at a time
    if await ActingAssessor.exists(tenant_id=tenant_id, official_id=official.id, acting_id=acting.id,
                                   starts_on__lte=ends_on, ends_on__gte=starts_on):
        raise Conflict("This acting assessor is already assigned for the official in an overlapping period",
                       field="startsOn")
    return await ActingAssessor.create(tenant_id=tenant_id, official_id=official.id, acting_id=acting.id, kind=kind,
                                       starts_on=starts_on, ends_on=ends_on,
                                       assigned_by_id=ctx.require_actor().user_id)


async def waive_approved_plan(ctx: RequestContext, employee_id: uuid.UUID, year: int, reason: str) -> PlanWaiver:
    """HR overrides the approved-SKP precondition for one employee and year, with a reason."""
    if not await _tenant_wide(ctx):
        raise Forbidden("Only HR (tenant-wide evaluation:write) waives the approved-SKP requirement",
                        field="employeeId")
    tenant_id = ctx.require_tenant()
    employee = await _employee(tenant_id, employee_id, "employeeId")
    if not 2000 <= year <= 2100:
        raise ValidationFailed([FieldError("year", "BAD_USER_INPUT", "Year must be between 2000 and 2100")])
    if not reason or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", "A reason (1-2000 characters) is required")])
    await _locked_employee(employee)
    if await PlanWaiver.exists(tenant_id=tenant_id, employee_id=employee.id, year=year):
        raise Conflict("The approved-SKP requirement is already waived for this employee and year", field="year")
    return await PlanWaiver.create(tenant_id=tenant_id, employee_id=employee.id, year=year, reason=reason.strip(),
                                   granted_by_id=ctx.require_actor().user_id)


async def _unit_result(employee: Employee, period: Period) -> Rating | None:
    """For the head of a unit, the unit's achievement is the results rating."""
    headed = await OrgUnit.filter(tenant_id=employee.tenant_id, head_id=employee.id).values_list("id", flat=True)
    if not headed:
        return None
    performance = await UnitPerformance.get_or_none(tenant_id=employee.tenant_id, org_unit_id=headed[0],
                                                    period_id=period.id)
    return rules.UNIT_TO_RESULTS[performance.rating] if performance else None


async def evaluate_employee(ctx: RequestContext, employee_id: uuid.UUID, period_id: uuid.UUID,
                            results_rating: Rating | None, behaviour_rating: Rating,
                            notes: list[tuple[BerakhlakValue, str]] | None) -> Evaluation:
    """Create or update the draft evaluation of an employee for a period."""
    employee = await _evaluatee(ctx, employee_id)
    assessor_id = await _may_evaluate(ctx, employee)
    employee = await _locked_employee(employee)
    period = await Period.get_or_none(id=period_id, tenant_id=employee.tenant_id)
    if period is None:
        raise NotFound("Period not found", field="periodId")
    unit_result = await _unit_result(employee, period)
    if (problem := rules.results_input_problem(unit_result, results_rating)) is not None:
        raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", problem)])
    if unit_result is None and results_rating is None:
        raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", "resultsRating is required")])
    results = unit_result or results_rating
    if results is None:
        raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", "resultsRating is required")])
    rule = await rules_for(employee.tenant_id, period.year)
    latest = await Evaluation.filter(tenant_id=employee.tenant_id, employee_id=employee.id, period_id=period.id,
                                     status__in=LIVE).order_by("-version").first()
    if latest is not None and latest.status is EvaluationStatus.FINAL:
        raise Conflict("The evaluation is FINAL: correct it with a new version and a reason", field="employeeId")
    plan = await PerformancePlan.filter(tenant_id=employee.tenant_id, employee_id=employee.id, year=period.year,
                                        status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED]).order_by("-revision").first()
    required = (await tenant_settings(employee.tenant_id)).evaluation_requires_approved_plan
    waived = required and plan is None and await PlanWaiver.exists(tenant_id=employee.tenant_id,
                                                                   employee_id=employee.id, year=period.year)
    if (problem := rules.plan_precondition_problem(required, plan is not None, waived, period.year)) is not None:
        raise Conflict(problem, field="employeeId")
    values: dict[str, Any] = dict(results_rating=results, behaviour_rating=behaviour_rating, results_from_unit=unit_result is not None,
                  notes=_notes(notes), predicate=rules.predicate(rule.matrix, results, behaviour_rating),
                  assessor_id=assessor_id, plan_id=plan.id if plan else None)
    if latest is None:
        return await Evaluation.create(tenant_id=employee.tenant_id, employee_id=employee.id, period_id=period.id,
                                       **values)
    if all(getattr(latest, key) == value for key, value in values.items()):
        raise Conflict("The draft evaluation already has these ratings and notes", field="employeeId")
    for key, value in values.items():
        setattr(latest, key, value)
    await latest.save()
    return latest


async def _locked_employee(employee: Employee) -> Employee:
    """The employee, locked: his or her evaluations change one request at a time."""
    locked = await once.locked(Employee.filter(id=employee.id, tenant_id=employee.tenant_id))
    if locked is None:
        raise NotFound("Employee not found", field="employeeId")
    return locked


async def _editable(ctx: RequestContext, evaluation_id: uuid.UUID) -> tuple[Evaluation, Employee]:
    """An evaluation the actor assesses, read again once its employee is locked."""
    evaluation = await get_evaluation(ctx, evaluation_id)
    employee = await Employee.get(id=evaluation.employee_id, tenant_id=evaluation.tenant_id)
    await _may_evaluate(ctx, employee)
    employee = await _locked_employee(employee)
    evaluation = await Evaluation.get(id=evaluation.id, tenant_id=evaluation.tenant_id)
    return evaluation, employee


_DONE = {EvaluationStatus.FINAL: "already final", EvaluationStatus.CORRECTED: "already corrected by a newer version"}


async def finalize_evaluation(ctx: RequestContext, evaluation_id: uuid.UUID) -> Evaluation:
    evaluation, _employee = await _editable(ctx, evaluation_id)
    if evaluation.status is not EvaluationStatus.DRAFT:
        raise Conflict(f"The evaluation is {_DONE[evaluation.status]}; it cannot be finalized again", field="id")
    evaluation.status, evaluation.finalized_at = EvaluationStatus.FINAL, clock.now()
    await evaluation.save()
    await _book_credit(evaluation)
    return evaluation


async def correct_evaluation(ctx: RequestContext, evaluation_id: uuid.UUID, reason: str,
                             results_rating: Rating | None, behaviour_rating: Rating | None,
                             notes: list[tuple[BerakhlakValue, str]] | None) -> Evaluation:
    """A final evaluation changes only by a new final version with a reason; the old one is kept."""
    old, _employee = await _editable(ctx, evaluation_id)
    if old.status is EvaluationStatus.CORRECTED:
        raise Conflict("The evaluation is already corrected by a newer version; correct that one", field="id")
    if old.status is not EvaluationStatus.FINAL:
        raise Conflict(f"Only a FINAL evaluation is corrected; this one is {old.status.value}", field="id")
    if not reason or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", "A reason (1-2000 characters) is required")])
    if old.results_from_unit and results_rating is not None:
        raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", rules.RESULTS_FROM_UNIT)])
    return await _new_version(old, reason.strip(), results_rating, behaviour_rating, notes,
                              await _may_evaluate(ctx, _employee))


async def _new_version(old: Evaluation, reason: str, results_rating: Rating | None, behaviour_rating: Rating | None,
                       notes: list[tuple[BerakhlakValue, str]] | None, assessor_id: uuid.UUID) -> Evaluation:
    """Version n+1 of a final evaluation (FINAL, with the reason); the old one becomes CORRECTED."""
    period = await Period.get(id=old.period_id, tenant_id=old.tenant_id)
    rule = await rules_for(old.tenant_id, period.year)
    results = old.results_rating if old.results_from_unit or results_rating is None else results_rating
    behaviour = behaviour_rating or old.behaviour_rating
    old.status = EvaluationStatus.CORRECTED
    await old.save(update_fields=["status", "updated_at"])
    await _reverse_credit(old)
    new = await Evaluation.create(
        tenant_id=old.tenant_id, employee_id=old.employee_id, period_id=old.period_id, plan_id=old.plan_id,
        assessor_id=assessor_id, version=old.version + 1, previous_version_id=old.id,
        results_rating=results, behaviour_rating=behaviour, results_from_unit=old.results_from_unit,
        notes=_notes(notes) if notes is not None else old.notes, predicate=rules.predicate(rule.matrix, results, behaviour),
        status=EvaluationStatus.FINAL, correction_reason=reason, finalized_at=clock.now())
    await _book_credit(new)
    return new


async def _book_credit(evaluation: Evaluation) -> None:
    """A final annual evaluation of a functional position books its angka kredit in the employee's
    ledger (Peraturan BKN 3/2023: the yearly coefficient of the jenjang x the predicate's share).
    Periodic evaluations show their pro-rata points but are not booked: the annual one counts."""
    period = await Period.get(id=evaluation.period_id, tenant_id=evaluation.tenant_id)
    if period.kind is not PeriodKind.ANNUAL:
        return
    employee = await Employee.get(id=evaluation.employee_id, tenant_id=evaluation.tenant_id)
    position = await Position.get_or_none(id=employee.position_id, tenant_id=evaluation.tenant_id) \
        if employee.position_id else None
    rule = await rules_for(evaluation.tenant_id, period.year)
    coefficient = rules.coefficient_for(rule.credit_coefficients, position.level.value if position and position.level
                                        else None)
    if coefficient is None or position is None or position.level is None:
        return
    points = rules.credit_points(rule.credit_shares, evaluation.predicate, coefficient, 12)
    await CreditEntry.create(tenant_id=evaluation.tenant_id, employee_id=employee.id, evaluation_id=evaluation.id,
                             year=period.year, level=position.level, coefficient=coefficient, points=points)


async def _reverse_credit(evaluation: Evaluation) -> None:
    """A corrected evaluation's booking is reversed (the corrected version books its own)."""
    entry = await CreditEntry.get_or_none(tenant_id=evaluation.tenant_id, evaluation_id=evaluation.id, reversal=False)
    if entry is not None:
        await CreditEntry.create(tenant_id=entry.tenant_id, employee_id=entry.employee_id, evaluation_id=evaluation.id,
                                 year=entry.year, level=entry.level, coefficient=entry.coefficient,
                                 points=-entry.points, reversal=True)


async def issue_credit_assessment(ctx: RequestContext, employee_id: uuid.UUID, year: int) -> CreditAssessment:
    """Penetapan Angka Kredit (PAK) of a year (HR): the ledger's points of the year and the accumulated
    total up to it; once per employee and year."""
    if not await _tenant_wide(ctx):
        raise Forbidden("Only HR (tenant-wide evaluation:write) issues a PAK", field="employeeId")
    tenant_id = ctx.require_tenant()
    employee = await _employee(tenant_id, employee_id, "employeeId")
    if not 2000 <= year <= 2100:
        raise ValidationFailed([FieldError("year", "BAD_USER_INPUT", "Year must be between 2000 and 2100")])
    await _locked_employee(employee)
    if await CreditAssessment.exists(tenant_id=tenant_id, employee_id=employee.id, year=year):
        raise Conflict("The PAK of this employee and year is already issued", field="year")
    entries = await CreditEntry.filter(tenant_id=tenant_id, employee_id=employee.id, year__lte=year)
    of_year = [e for e in entries if e.year == year]
    if not of_year:
        raise Conflict("No angka kredit is booked for this employee and year (a final annual evaluation of a "
                       "functional position books it)", field="year")
    latest = max((e for e in of_year if not e.reversal), key=lambda e: (e.created_at, str(e.id)), default=None)
    return await CreditAssessment.create(
        tenant_id=tenant_id, employee_id=employee.id, year=year, level=latest.level if latest else None,
        points=sum((e.points for e in of_year), Decimal(0)), total=sum((e.points for e in entries), Decimal(0)),
        issued_by_id=ctx.require_actor().user_id)


async def _own_final(ctx: RequestContext, evaluation_id: uuid.UUID) -> Evaluation:
    """A final evaluation of the actor's own, read again once his or her employee row is locked."""
    evaluation = await get_evaluation(ctx, evaluation_id)
    me = await ctx.employee_id()
    if me is not None and me == evaluation.employee_id:
        await _locked_employee(await Employee.get(id=me, tenant_id=evaluation.tenant_id))
        evaluation = await Evaluation.get(id=evaluation.id, tenant_id=evaluation.tenant_id)
    if (problem := rules.receipt_problem(me, evaluation.employee_id, evaluation.status.value)) is not None:
        raise (Forbidden(problem, field="id") if problem == rules.NOT_YOURS else Conflict(problem, field="id"))
    return evaluation


async def acknowledge_evaluation(ctx: RequestContext, evaluation_id: uuid.UUID) -> Evaluation:
    """The evaluatee's read receipt of a final evaluation, with its time; once."""
    evaluation = await _own_final(ctx, evaluation_id)
    if evaluation.acknowledged_at is not None:
        raise Conflict("The evaluation is already acknowledged", field="id")
    evaluation.acknowledged_at = clock.now()
    await evaluation.save(update_fields=["acknowledged_at", "updated_at"])
    return evaluation


async def file_objection(ctx: RequestContext, evaluation_id: uuid.UUID, reason: str) -> EvaluationObjection:
    """Keberatan (PP 30/2019 art. 59): the evaluatee objects to a final evaluation, with reasons, within
    the tenant's objection period; it goes to the assessor's superior."""
    evaluation = await _own_final(ctx, evaluation_id)
    if not reason or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", "A reason (1-2000 characters) is required")])
    days = (await tenant_settings(evaluation.tenant_id)).objection_days
    finalized = evaluation.finalized_at or evaluation.created_at
    if (problem := rules.objection_window_problem(finalized, clock.now(), days)) is not None:
        raise Conflict(problem, field="id")
    if await EvaluationObjection.exists(tenant_id=evaluation.tenant_id, evaluation_id=evaluation.id):
        raise Conflict("An objection to this evaluation is already filed", field="id")
    assessor = await Employee.get(id=evaluation.assessor_id, tenant_id=evaluation.tenant_id)
    if assessor.supervisor_id is None:
        raise Conflict("The assessor has no superior to decide an objection; ask HR to set one", field="id")
    return await EvaluationObjection.create(tenant_id=evaluation.tenant_id, evaluation_id=evaluation.id,
                                            employee_id=evaluation.employee_id, reviewer_id=assessor.supervisor_id,
                                            reason=reason.strip())


async def decide_objection(ctx: RequestContext, objection_id: uuid.UUID, decision: rules.ObjectionDecision,
                           reason: str, results_rating: Rating | None,
                           behaviour_rating: Rating | None) -> EvaluationObjection:
    """The assessor's superior accepts the objection (a corrected version, linked to it) or rejects it
    with a reason (PP 30/2019 art. 59(3)-(4)); the result is then final."""
    await ctx.require("evaluation", "read")
    tenant_id = ctx.require_tenant()
    me = await ctx.employee_id()
    objection = await EvaluationObjection.get_or_none(id=objection_id, tenant_id=tenant_id)
    if objection is None or me not in (objection.reviewer_id, objection.employee_id) and not \
            await (await visible_evaluations(ctx)).filter(id=objection.evaluation_id).exists():
        raise NotFound("Objection not found", field="id")
    if (problem := rules.decision_problem(me, objection.reviewer_id)) is not None:
        raise Forbidden(problem, field="id")
    await _locked_employee(await Employee.get(id=objection.employee_id, tenant_id=tenant_id))
    objection = await EvaluationObjection.get(id=objection.id, tenant_id=tenant_id)
    if objection.status is not rules.ObjectionStatus.FILED:
        raise Conflict(f"The objection is already {objection.status.value}", field="id")
    if not reason or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", rules.DECISION_REASON)])
    if decision is rules.ObjectionDecision.ACCEPT:
        evaluation = await Evaluation.get(id=objection.evaluation_id, tenant_id=tenant_id)
        if evaluation.status is not EvaluationStatus.FINAL:
            raise Conflict(f"The evaluation is {evaluation.status.value} meanwhile; the objection cannot change it",
                           field="id")
        if results_rating is None and behaviour_rating is None:
            raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", rules.ACCEPT_CHANGES)])
        if evaluation.results_from_unit and results_rating is not None:
            raise ValidationFailed([FieldError("resultsRating", "BAD_USER_INPUT", rules.RESULTS_FROM_UNIT)])
        correction = await _new_version(evaluation, reason.strip(), results_rating, behaviour_rating, None,
                                         objection.reviewer_id)  # the caller, as decision_problem found
        objection.status, objection.correction_id = rules.ObjectionStatus.ACCEPTED, correction.id
    else:
        objection.status = rules.ObjectionStatus.REJECTED
    objection.decision_reason, objection.decided_at = reason.strip(), clock.now()
    await objection.save()
    return objection


async def _unit_in_reach(ctx: RequestContext, org_unit_id: uuid.UUID, obj: str, action: str) -> OrgUnit:
    """The unit, if the actor holds tenant scope, or unit scope over it (its head or above)."""
    tenant_id = ctx.require_tenant()
    unit = await OrgUnit.get_or_none(id=org_unit_id, tenant_id=tenant_id)
    if unit is None:
        raise NotFound("Org unit not found", field="orgUnitId")
    scopes = await ctx.require(obj, action)
    if "tenant" in scopes:
        return unit
    if "unit" in scopes and org_unit_id in await actor_unit_subtree(ctx):
        return unit
    raise Forbidden("This org unit is outside your reach", field="orgUnitId")


async def set_unit_performance(ctx: RequestContext, org_unit_id: uuid.UUID, period_id: uuid.UUID,
                               rating: UnitRating, notes: str | None) -> UnitPerformance:
    """The unit's rating, set by the official SE MenPANRB 3/2023 names (``rules.unit_rater_problem``)."""
    tenant_id = ctx.require_tenant()
    unit = await OrgUnit.get_or_none(id=org_unit_id, tenant_id=tenant_id)
    if unit is None:
        raise NotFound("Org unit not found", field="orgUnitId")
    scopes = await ctx.require("unit_performance", "write")
    head = await Employee.get_or_none(id=unit.head_id, tenant_id=tenant_id) if unit.head_id else None
    parent = await OrgUnit.get_or_none(id=unit.parent_id, tenant_id=tenant_id) if unit.parent_id else None
    problem = rules.unit_rater_problem(await ctx.employee_id(), unit.head_id, head.supervisor_id if head else None,
                                       parent.head_id if parent else None, parent is None, "tenant" in scopes)
    if problem is not None:
        raise Forbidden(problem, field="orgUnitId")
    period = await Period.get_or_none(id=period_id, tenant_id=unit.tenant_id)
    if period is None:
        raise NotFound("Period not found", field="periodId")
    if notes is not None and len(notes) > 2000:
        raise ValidationFailed([FieldError("notes", "BAD_USER_INPUT", "Notes must be at most 2000 characters")])
    await once.locked(OrgUnit.filter(id=unit.id, tenant_id=unit.tenant_id))  # one rating of a unit at a time
    row = await UnitPerformance.get_or_none(tenant_id=unit.tenant_id, org_unit_id=unit.id, period_id=period.id)
    if row is None:
        row = await UnitPerformance.create(tenant_id=unit.tenant_id, org_unit_id=unit.id, period_id=period.id,
                                           rating=rating, notes=(notes or "").strip(),
                                           set_by_id=ctx.require_actor().user_id)
    elif row.rating is rating and (notes is None or row.notes == notes.strip()):
        raise Conflict(f"The unit performance of this period is already {rating.value}", field="rating")
    else:
        row.rating, row.set_by_id = rating, ctx.require_actor().user_id
        if notes is not None:
            row.notes = notes.strip()
        await row.save()
    return row


@dataclass
class Distribution:
    org_unit: OrgUnit
    period: Period
    unit_rating: UnitRating | None
    counts: dict[Predicate, int]
    final: int
    breaches: list[rules.Breach] = field(default_factory=list)
    subtree: list[uuid.UUID] = field(default_factory=list)  # the unit and its sub-units
    members: list[uuid.UUID] = field(default_factory=list)  # active employees of the subtree

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def _unit_employees(tenant_id: uuid.UUID, units: list[uuid.UUID]) -> list[Employee]:
    return await Employee.filter(tenant_id=tenant_id, org_unit_id__in=units, active=True)


async def unit_distribution(ctx: RequestContext, org_unit_id: uuid.UUID, period_id: uuid.UUID) -> Distribution:
    """The unit's predicate distribution (draft and final) against the guide for its rating."""
    unit = await _unit_in_reach(ctx, org_unit_id, "dashboard", "read")
    period = await Period.get_or_none(id=period_id, tenant_id=unit.tenant_id)
    if period is None:
        raise NotFound("Period not found", field="periodId")
    return await _distribution(unit, period)


async def _distribution(unit: OrgUnit, period: Period) -> Distribution:
    subtree = await unit_subtree_ids(unit.tenant_id, unit.id)
    members = [e.id for e in await _unit_employees(unit.tenant_id, subtree)]
    evaluations = await Evaluation.filter(tenant_id=unit.tenant_id, period_id=period.id, employee_id__in=members,
                                          status__in=LIVE)
    counts = Counter(e.predicate for e in evaluations)
    performance = await UnitPerformance.get_or_none(tenant_id=unit.tenant_id, org_unit_id=unit.id, period_id=period.id)
    result = Distribution(unit, period, performance.rating if performance else None,
                          {p: counts.get(p, 0) for p in Predicate},
                          sum(1 for e in evaluations if e.status is EvaluationStatus.FINAL), subtree=subtree,
                          members=members)
    if performance is not None:
        rule = await rules_for(unit.tenant_id, period.year)
        result.breaches = rules.distribution_breaches(rule.distribution_guide, performance.rating, result.counts)
    return result


def months_of(period: Period) -> int:
    return (period.ends_on.year - period.starts_on.year) * 12 + period.ends_on.month - period.starts_on.month + 1


async def credit_points_of(evaluation: Evaluation) -> Decimal | None:
    """Angka kredit of one evaluation (documents); lists use ``credit_points`` with batch-loaded rows."""
    employee = await Employee.get(id=evaluation.employee_id, tenant_id=evaluation.tenant_id)
    position = await Position.get_or_none(id=employee.position_id, tenant_id=evaluation.tenant_id) \
        if employee.position_id else None
    period = await Period.get(id=evaluation.period_id, tenant_id=evaluation.tenant_id)
    return credit_points(evaluation, position, period, await rules_for(evaluation.tenant_id, period.year))


def credit_points(evaluation: Evaluation, position: Position | None, period: Period,
                  rule: EvaluationRule) -> Decimal | None:
    """Angka kredit for a functional position with a yearly coefficient; None otherwise."""
    coefficient = rules.coefficient_for(rule.credit_coefficients, position.level.value
                                        if position is not None and position.level else None)
    if coefficient is None or evaluation.status is EvaluationStatus.CORRECTED:
        return None
    return rules.credit_points(rule.credit_shares, evaluation.predicate, coefficient, months_of(period))


async def unit_sheet(unit: OrgUnit, period: Period) -> list[tuple[Employee, Evaluation | None]]:
    """Every employee of the unit subtree with his or her current evaluation for the period, by name."""
    members = sorted(await _unit_employees(unit.tenant_id, await unit_subtree_ids(unit.tenant_id, unit.id)), key=lambda e: (e.name, e.nip))
    current = {e.employee_id: e for e in await Evaluation.filter(
        tenant_id=unit.tenant_id, period_id=period.id, employee_id__in=[m.id for m in members], status__in=LIVE)}
    return [(m, current.get(m.id)) for m in members]
