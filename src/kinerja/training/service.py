"""Use cases of competency development: records and their verification, JP progress against the
tenant's yearly targets, the catalogue and registrations, recommendations.

A record's moves lock the record, a registration locks its event (so an event never takes more
than its capacity), a recommendation rule is replaced under a lock on its trigger (``core/once.py``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Subquery
from tortoise.functions import Sum

from kinerja.core import audit, clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.org.models import Employee
from kinerja.org.scoping import employee_scope
from kinerja.plans import evidence as files
from kinerja.tenancy.models import tenant_settings
from kinerja.training import rules
from kinerja.training.models import RecommendationRule, TrainingEvent, TrainingRecord, TrainingRegistration
from kinerja.training.rules import TrainingKind, TrainingStatus


async def _scope(ctx: RequestContext):
    scopes = await ctx.require("training", "read")
    return await employee_scope(ctx, scopes, field="employee_id")


async def visible_records(ctx: RequestContext):
    query = TrainingRecord.filter(tenant_id=ctx.require_tenant())
    condition = await _scope(ctx)
    return query.filter(condition) if condition is not None else query


async def _employee_condition(ctx: RequestContext):
    """The training read scopes, as a filter on the employee table itself."""
    return await employee_scope(ctx, await ctx.require("training", "read"), field="id")


async def visible_employee(ctx: RequestContext, employee_id: uuid.UUID, *, field: str = "employeeId") -> Employee:
    """An employee whose training the actor may read (NOT_FOUND otherwise, as for unknown ids)."""
    query = Employee.filter(tenant_id=ctx.require_tenant(), id=employee_id)
    condition = await _employee_condition(ctx)
    employee = await (query.filter(condition) if condition is not None else query).first()
    if employee is None:
        raise NotFound("Employee not found", field=field)
    return employee


@dataclass(frozen=True)
class Certificate:
    file_name: str
    content_type: str
    content_base64: str


async def record_training(ctx: RequestContext, title: str, kind: TrainingKind, organiser: str | None,
                          starts_on: dt.date, ends_on: dt.date, jp: int, certificate_number: str | None,
                          certificate: Certificate | None, completed: bool) -> TrainingRecord:
    """An employee records his or her own training (planned, or already completed)."""
    await ctx.require("training", "write")
    me = await ctx.employee_id()
    if me is None:
        raise Forbidden("Your login is not linked to an employee record")
    problems = rules.record_problems(title, organiser or "", starts_on, ends_on, jp)
    if certificate_number is not None and len(certificate_number) > 100:
        problems.append(FieldError("certificateNumber", "BAD_USER_INPUT", "At most 100 characters"))
    upload = None
    if certificate is not None:
        upload, problem = await asyncio.to_thread(files.parse_file, certificate.file_name, certificate.content_type,
                                                  certificate.content_base64, 0, "certificate")
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationFailed(problems)
    record = await TrainingRecord.create(
        tenant_id=ctx.require_tenant(), employee_id=me, title=title.strip(), kind=kind, organiser=(organiser or "").strip(),
        starts_on=starts_on, ends_on=ends_on, year=ends_on.year, jp=jp,
        certificate_number=(certificate_number or "").strip() or None,
        certificate_file_name=upload.file_name if upload else None,
        certificate_content_type=upload.content_type if upload else None,
        certificate_sha256=upload.sha256 if upload else None,
        status=TrainingStatus.COMPLETED if completed else TrainingStatus.PLANNED,
        recorded_by_id=ctx.require_actor().user_id)
    if upload is not None:  # last: a file is stored only once everything else is written
        await files.store(ctx.settings, ctx.require_tenant(), upload)
    return record


async def _record(ctx: RequestContext, record_id: uuid.UUID) -> TrainingRecord:
    """A record the actor may see, locked for the rest of the operation (every caller changes it)."""
    record = await once.locked((await visible_records(ctx)).filter(id=record_id))
    if record is None:
        raise NotFound("Training record not found", field="id")
    return record


async def get_record(ctx: RequestContext, record_id: uuid.UUID) -> TrainingRecord:
    """A training record the actor may read (NOT_FOUND otherwise, as for unknown ids)."""
    return await _record(ctx, record_id)


async def complete_training(ctx: RequestContext, record_id: uuid.UUID) -> TrainingRecord:
    await ctx.require("training", "write")
    record = await _record(ctx, record_id)
    if record.employee_id != await ctx.employee_id():
        raise Forbidden("Only the employee completes his or her own record", field="id")
    record.status = rules.next_status(record.status, "complete")
    await record.save()
    return record


async def _for_hr(ctx: RequestContext, record_id: uuid.UUID) -> TrainingRecord:
    await ctx.require("training", "verify")
    record = await _record(ctx, record_id)
    if record.employee_id == await ctx.employee_id():
        raise Forbidden("Nobody verifies his or her own training record", field="id")
    return record


async def verify_training(ctx: RequestContext, record_id: uuid.UUID) -> TrainingRecord:
    record = await _for_hr(ctx, record_id)
    record.status = rules.next_status(record.status, "verify")
    record.verified_by_id, record.verified_at, record.rejection_reason = ctx.require_actor().user_id, clock.now(), None
    await record.save()
    return record


async def reject_training(ctx: RequestContext, record_id: uuid.UUID, reason: str) -> TrainingRecord:
    record = await _for_hr(ctx, record_id)
    if not reason or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed([FieldError("reason", "BAD_USER_INPUT", "A reason (1-2000 characters) is required")])
    record.status = rules.next_status(record.status, "reject")
    record.rejection_reason, record.verified_by_id, record.verified_at = reason.strip(), ctx.require_actor().user_id, clock.now()
    await record.save()
    return record


async def verified_jp(tenant_id: uuid.UUID, employee_ids: list[uuid.UUID], year: int) -> dict[uuid.UUID, int]:
    """Verified training hours (JP) per employee in a year, summed by the database."""
    rows = await TrainingRecord.filter(tenant_id=tenant_id, employee_id__in=employee_ids, year=year,
                                       status=TrainingStatus.VERIFIED) \
        .annotate(total=Sum("jp")).group_by("employee_id").values_list("employee_id", "total")
    return defaultdict(int, {employee_id: int(total or 0) for employee_id, total in rows})


async def create_event(ctx: RequestContext, title: str, topic: str, kind: TrainingKind, organiser: str | None,
                       starts_on: dt.date, ends_on: dt.date, jp: int, capacity: int) -> TrainingEvent:
    await ctx.require("training", "manage")
    problems = rules.record_problems(title, organiser or "", starts_on, ends_on, jp)
    if not topic or not topic.strip() or len(topic) > 100:
        problems.append(FieldError("topic", "BAD_USER_INPUT", "Topic must be 1-100 characters"))
    if not 1 <= capacity <= 10000:
        problems.append(FieldError("capacity", "BAD_USER_INPUT", "Capacity must be 1 to 10000"))
    if problems:
        raise ValidationFailed(problems)
    return await TrainingEvent.create(tenant_id=ctx.require_tenant(), title=title.strip(), topic=topic.strip().lower(),
                                      kind=kind, organiser=(organiser or "").strip(), starts_on=starts_on,
                                      ends_on=ends_on, jp=jp, capacity=capacity)


async def _event(ctx: RequestContext, event_id: uuid.UUID) -> TrainingEvent:
    """The event, locked for the rest of the operation: its registrations change one at a time."""
    event = await once.locked(TrainingEvent.filter(id=event_id, tenant_id=ctx.require_tenant()))
    if event is None:
        raise NotFound("Training event not found", field="eventId")
    return event


async def register(ctx: RequestContext, event_id: uuid.UUID) -> TrainingRegistration:
    await ctx.require("training", "write")
    me = await ctx.employee_id()
    if me is None:
        raise Forbidden("Your login is not linked to an employee record")
    event = await _event(ctx, event_id)
    if event.ends_on < dt.date.today():
        raise Conflict("The event is over", field="eventId")
    if await TrainingRegistration.exists(tenant_id=event.tenant_id, event_id=event.id, employee_id=me):
        raise Conflict("You are already registered", field="eventId")
    taken = await TrainingRegistration.filter(tenant_id=event.tenant_id, event_id=event.id).count()
    if taken >= event.capacity:
        raise Conflict(f"The event is full ({event.capacity} places)", field="eventId")
    await _within_cap(await Employee.get(id=me, tenant_id=event.tenant_id), event)
    return await TrainingRegistration.create(tenant_id=event.tenant_id, event_id=event.id, employee_id=me)


async def _within_cap(employee: Employee, event: TrainingEvent) -> None:
    """PP 49/2018 art. 40(1): a PPPK employee's development is at most the cap in a contract year. His or
    her row is locked, so two registrations of the same employee are counted one after the other."""
    if rules.JP_RULES[employee.employment_type] is not rules.JpRule.CAP_CONTRACT_YEAR:
        return
    await once.locked(Employee.filter(id=employee.id, tenant_id=employee.tenant_id))
    if employee.contract_starts_on is not None:
        starts_on, ends_on = rules.contract_year(employee.contract_starts_on, event.starts_on)
    else:
        starts_on, ends_on = rules.progress_window(rules.JpRule.CAP_CONTRACT_YEAR, event.starts_on.year, None)
    verified: list[Any] = await TrainingRecord.filter(tenant_id=employee.tenant_id, employee_id=employee.id,
                                           status=TrainingStatus.VERIFIED, starts_on__gte=starts_on,
                                           starts_on__lte=ends_on).values_list("jp", flat=True)
    pending: list[Any] = await TrainingEvent.filter(
        tenant_id=employee.tenant_id, starts_on__gte=starts_on, starts_on__lte=ends_on,
        id__in=Subquery(TrainingRegistration.filter(tenant_id=employee.tenant_id, employee_id=employee.id,
                                                    attended=False).values("event_id"))).values_list("jp", flat=True)
    cap = rules.target_for(await tenant_settings(employee.tenant_id), employee.employment_type)
    if (problem := rules.cap_problem(cap, sum(verified) + sum(pending), event.jp, starts_on, ends_on)) is not None:
        raise Conflict(problem, field="eventId")


async def confirm_attendance(ctx: RequestContext, event_id: uuid.UUID, employee_id: uuid.UUID) -> TrainingRecord:
    """HR confirms that a registered employee attended: this creates the verified record."""
    await ctx.require("training", "verify")
    event = await _event(ctx, event_id)
    registration = await TrainingRegistration.get_or_none(tenant_id=event.tenant_id, event_id=event.id,
                                                          employee_id=employee_id)
    if registration is None:
        raise NotFound("No such registration", field="employeeId")
    if registration.attended:
        raise Conflict("Attendance is already confirmed", field="employeeId")
    if employee_id == await ctx.employee_id():
        raise Forbidden("Nobody confirms his or her own attendance", field="employeeId")
    if (problem := rules.attendance_problem(dt.date.today(), event.starts_on)) is not None:
        raise Conflict(problem, field="eventId")
    record = await TrainingRecord.create(
        tenant_id=event.tenant_id, employee_id=employee_id, event_id=event.id, title=event.title, kind=event.kind,
        organiser=event.organiser, starts_on=event.starts_on, ends_on=event.ends_on, year=event.ends_on.year,
        jp=event.jp, status=TrainingStatus.VERIFIED, recorded_by_id=ctx.require_actor().user_id,
        verified_by_id=ctx.require_actor().user_id, verified_at=clock.now())
    registration.attended, registration.record_id = True, record.id
    await registration.save()
    return record


async def set_recommendation_rule(ctx: RequestContext, trigger: str, topics: list[str]) -> list[RecommendationRule]:
    """Replace the topics a trigger (PREDICATE:..., BEHAVIOUR:..., JP_SHORTFALL) recommends."""
    await ctx.require("training", "manage")
    tenant_id = ctx.require_tenant()
    if not trigger.startswith(rules.TRIGGER_PREFIXES) or len(trigger) > 60:
        raise ValidationFailed([FieldError("trigger", "BAD_USER_INPUT",
                                           "Trigger is PREDICATE:<predicate>, BEHAVIOUR:<BerAKHLAK value> or JP_SHORTFALL")])
    clean = sorted({t.strip().lower() for t in topics if t.strip()})
    if any(len(t) > 100 for t in clean) or len(clean) > 20:
        raise ValidationFailed([FieldError("topics", "BAD_USER_INPUT", "At most 20 topics of at most 100 characters")])
    await once.lock_key("recommendation-rule", tenant_id, trigger)  # one replacement of a trigger at a time
    current = set(await RecommendationRule.filter(tenant_id=tenant_id, trigger=trigger).values_list("topic", flat=True))
    if current == set(clean):
        raise Conflict(f"{trigger} already recommends exactly these topics", field="topics")
    if current - set(clean):
        await audit.delete(RecommendationRule.filter(tenant_id=tenant_id, trigger=trigger,
                                                     topic__in=sorted(current - set(clean))))
    await RecommendationRule.bulk_create([RecommendationRule(tenant_id=tenant_id, trigger=trigger, topic=t)
                                          for t in clean if t not in current])
    return await RecommendationRule.filter(tenant_id=tenant_id, trigger=trigger).order_by("topic")

