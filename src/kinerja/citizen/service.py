"""Use cases of citizen feedback: the public side (services, survey, tickets, report) chosen by
tenant slug without login, and the staff side (inbox, answers, assignment, IKM).

Duplicate checks hold a lock on what they look for (the submission's fingerprint, a code), and a
ticket's changes lock the ticket (``core/once.py``): two identical requests never both pass a check."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from kinerja.citizen import rules
from kinerja.citizen.models import FeedbackTicket, Service, ServiceUnit, SurveyResponse
from kinerja.citizen.rules import AgeRange, Education, Gender, Occupation, TicketKind, TicketStatus
from kinerja.core import clock, once, ratelimit
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.core.pagination import Page, paginate
from kinerja.core.sql import fetch_all, uuid_param
from kinerja.org.models import Employee, OrgUnit
from kinerja.org.scoping import actor_unit_subtree
from kinerja.tenancy.models import Tenant, tenant_settings
from kinerja.tenancy.origins import require_origin
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantSettings

ELEMENT_FIELDS = [f"u{i}" for i in range(1, 10)]



def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


async def public_tenant(ctx: RequestContext, slug: str) -> tuple[Tenant, TenantSettings]:
    """The tenant a public request names (refused from another site's page that is not one of the
    tenant's origins); the transaction is bound to it from here on."""
    tenant = await Tenant.get_or_none(slug=(slug or "").strip().lower()[:63])
    if tenant is None or tenant.slug == PLATFORM_SLUG:
        raise NotFound("Unknown tenant", field="tenant")
    await require_origin(ctx, tenant.id)
    await switch_tenant(connection(), tenant.id)
    return tenant, TenantSettings.from_dict(tenant.settings)


async def _public_limits(ctx: RequestContext, tenant: Tenant, settings: TenantSettings, action: str, per_ip: int) -> None:
    window = settings.rate_window_seconds
    await ratelimit.hit(tenant.id, f"tenant:{action}", settings.public_per_tenant, window)
    await ratelimit.hit(tenant.id, f"ip:{ctx.ip}:{action}", per_ip, window)


async def public_services(ctx: RequestContext, slug: str) -> tuple[Tenant, list[Service], dict[uuid.UUID, ServiceUnit]]:
    tenant, _settings = await public_tenant(ctx, slug)
    services = await Service.filter(tenant_id=tenant.id, active=True).order_by("name")
    units = {u.id: u for u in await ServiceUnit.filter(tenant_id=tenant.id)}
    return tenant, services, units


async def _public_service(tenant: Tenant, service_id: uuid.UUID | None) -> Service:
    service = await Service.get_or_none(id=service_id, tenant_id=tenant.id, active=True) if service_id else None
    if service is None:
        raise NotFound("Unknown service", field="serviceId")
    return service


@dataclass(frozen=True)
class Profile:
    gender: Gender | None = None
    age_range: AgeRange | None = None
    education: Education | None = None
    occupation: Occupation | None = None


async def submit_survey(ctx: RequestContext, slug: str, service_id: uuid.UUID | None, scores: list[int],
                        profile: Profile | None) -> SurveyResponse:
    tenant, settings = await public_tenant(ctx, slug)
    problems = rules.score_problems(scores)
    if problems:
        raise ValidationFailed(problems)
    service = await _public_service(tenant, service_id)
    await _public_limits(ctx, tenant, settings, "survey", settings.survey_per_ip)
    fingerprint = _fingerprint(tenant.id, service.id, ctx.ip, scores, clock.now().date())
    await once.lock_key("survey", tenant.id, fingerprint)
    if await SurveyResponse.exists(tenant_id=tenant.id, fingerprint=fingerprint):
        raise Conflict("This response was already received today", field="scores")
    profile = profile or Profile()
    return await SurveyResponse.create(
        tenant_id=tenant.id, service_id=service.id, service_unit_id=service.service_unit_id,
        **dict(zip(ELEMENT_FIELDS, scores)), gender=profile.gender, age_range=profile.age_range,
        education=profile.education, occupation=profile.occupation, fingerprint=fingerprint)


async def submit_feedback(ctx: RequestContext, slug: str, service_id: uuid.UUID | None, message: str,
                          contact: str | None, kind: TicketKind) -> FeedbackTicket:
    tenant, settings = await public_tenant(ctx, slug)
    problems = []
    if not message or not message.strip():
        problems.append(FieldError("message", "BAD_USER_INPUT", "Write a message"))
    elif len(message) > rules.MAX_MESSAGE:
        problems.append(FieldError("message", "BAD_USER_INPUT", f"The message is longer than {rules.MAX_MESSAGE} characters"))
    if contact is not None and len(contact) > rules.MAX_CONTACT:
        problems.append(FieldError("contact", "BAD_USER_INPUT", f"Contact must be at most {rules.MAX_CONTACT} characters"))
    if problems:
        raise ValidationFailed(problems)
    service = await _public_service(tenant, service_id)
    await _public_limits(ctx, tenant, settings, "feedback", settings.feedback_per_ip)
    normalised = " ".join(message.lower().split())
    fingerprint = _fingerprint(tenant.id, ctx.ip, normalised)
    since = clock.now() - dt.timedelta(days=1)
    await once.lock_key("citizen-feedback", tenant.id, fingerprint)
    if await FeedbackTicket.exists(tenant_id=tenant.id, fingerprint=fingerprint, created_at__gte=since):
        raise Conflict("The same message was already received today", field="message")
    code = rules.new_ticket_code()
    while await FeedbackTicket.exists(tenant_id=tenant.id, code=code):
        code = rules.new_ticket_code()
    return await FeedbackTicket.create(
        tenant_id=tenant.id, code=code, kind=kind, service_id=service.id, service_unit_id=service.service_unit_id,
        message=message.strip(), contact=(contact or "").strip() or None,
        due_at=clock.now() + dt.timedelta(days=settings.ticket_sla_days), fingerprint=fingerprint)


async def track_ticket(ctx: RequestContext, slug: str, code: str) -> tuple[FeedbackTicket, Service | None]:
    tenant, settings = await public_tenant(ctx, slug)
    await ratelimit.hit(tenant.id, f"ip:{ctx.ip}:track", settings.feedback_per_ip * 10, settings.rate_window_seconds)
    ticket = await FeedbackTicket.get_or_none(tenant_id=tenant.id, code=rules.normalise_code(code or ""))
    if ticket is None:
        raise NotFound("Unknown ticket code", field="code")
    service = await Service.get_or_none(id=ticket.service_id, tenant_id=tenant.id) if ticket.service_id else None
    return ticket, service


# --- staff side ---------------------------------------------------------------------------------

async def list_service_units(ctx: RequestContext) -> tuple[list[ServiceUnit], list[Service]]:
    await ctx.require("org", "read")
    tenant_id = ctx.require_tenant()
    return (await ServiceUnit.filter(tenant_id=tenant_id).order_by("name"),
            await Service.filter(tenant_id=tenant_id).order_by("name"))


async def _unit_service_units(ctx: RequestContext, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    """Service units whose org unit lies in the actor's org unit subtree."""
    units = await actor_unit_subtree(ctx)
    return list(await ServiceUnit.filter(tenant_id=tenant_id, org_unit_id__in=units).values_list("id", flat=True))


async def visible_tickets(ctx: RequestContext, action: str = "read"):
    scopes = await ctx.require("feedback", action)
    tenant_id = ctx.require_tenant()
    query = FeedbackTicket.filter(tenant_id=tenant_id)
    if "tenant" in scopes:
        return query
    conditions = []
    if "own" in scopes and (me := await ctx.employee_id()) is not None:
        conditions.append(Q(assigned_to_id=me))
    if "unit" in scopes:
        conditions.append(Q(service_unit_id__in=await _unit_service_units(ctx, tenant_id)))
    return query.filter(Q(*conditions, join_type="OR")) if conditions else query.filter(id__in=[])


@dataclass(frozen=True)
class TicketFilter:
    service_unit_id: uuid.UUID | None = None
    status: TicketStatus | None = None
    overdue: bool = False


async def list_tickets(ctx: RequestContext, flt: TicketFilter, first: int | None, after: str | None) -> Page:
    query = await visible_tickets(ctx)
    if flt.service_unit_id is not None:
        query = query.filter(service_unit_id=flt.service_unit_id)
    if flt.status is not None:
        query = query.filter(status=flt.status)
    if flt.overdue:
        query = query.filter(due_at__lt=clock.now(), status__in=[TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS])
    order = ["due_at", "id"] if flt.overdue else ["-created_at", "id"]
    return await paginate(query, order, first, after)


async def _ticket(ctx: RequestContext, ticket_id: uuid.UUID) -> FeedbackTicket:
    """A ticket the actor may respond to, locked for the rest of the operation (every caller changes it)."""
    ticket = await once.locked((await visible_tickets(ctx, "respond")).filter(id=ticket_id))
    if ticket is None:
        raise NotFound("Feedback not found", field="id")
    return ticket


_STATUS_ORDER = [TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS, TicketStatus.ANSWERED, TicketStatus.CLOSED]


async def respond(ctx: RequestContext, ticket_id: uuid.UUID, status: TicketStatus | None, public_answer: str | None,
                  internal_note: str | None) -> FeedbackTicket:
    """Move a ticket forward (RECEIVED -> IN_PROGRESS -> ANSWERED -> CLOSED), answer the citizen
    publicly, and keep internal notes the citizen never sees."""
    ticket = await _ticket(ctx, ticket_id)
    problems = []
    if public_answer is not None and (not public_answer.strip() or len(public_answer) > rules.MAX_MESSAGE):
        problems.append(FieldError("publicAnswer", "BAD_USER_INPUT", f"1 to {rules.MAX_MESSAGE} characters"))
    if internal_note is not None and len(internal_note) > rules.MAX_MESSAGE:
        problems.append(FieldError("internalNote", "BAD_USER_INPUT", f"At most {rules.MAX_MESSAGE} characters"))
    if problems:
        raise ValidationFailed(problems)
    if public_answer is not None and public_answer.strip() != ticket.public_answer:
        ticket.public_answer, ticket.answered_at = public_answer.strip(), clock.now()
        if status is None and _STATUS_ORDER.index(ticket.status) < _STATUS_ORDER.index(TicketStatus.ANSWERED):
            status = TicketStatus.ANSWERED
    if status is not None:
        if _STATUS_ORDER.index(status) < _STATUS_ORDER.index(ticket.status):
            raise Conflict(f"The ticket is {ticket.status.value}; it cannot go back to {status.value}", field="status")
        if status in (TicketStatus.ANSWERED, TicketStatus.CLOSED) and not ticket.public_answer:
            raise Conflict("Answer the citizen (publicAnswer) before marking the ticket answered", field="status")
        ticket.status = status
    if internal_note is not None:
        stamp = clock.now().strftime("%Y-%m-%d %H:%M")
        ticket.internal_note = (ticket.internal_note + f"\n[{stamp}] {internal_note.strip()}").strip()
    await ticket.save()
    return ticket


async def assign(ctx: RequestContext, ticket_id: uuid.UUID, employee_id: uuid.UUID) -> FeedbackTicket:
    scopes = await ctx.require("feedback", "respond")
    if not scopes & {"unit", "tenant"}:
        raise Forbidden("Assigning feedback needs unit or tenant scope", field="id")
    ticket = await _ticket(ctx, ticket_id)
    employee = await Employee.get_or_none(id=employee_id, tenant_id=ticket.tenant_id, active=True)
    if employee is None:
        raise NotFound("Employee not found", field="employeeId")
    if ticket.assigned_to_id == employee.id:
        raise Conflict("The ticket is already assigned to this employee", field="employeeId")
    ticket.assigned_to_id = employee.id
    if ticket.status is TicketStatus.RECEIVED:
        ticket.status = TicketStatus.IN_PROGRESS
    await ticket.save()
    return ticket


@dataclass(frozen=True)
class IkmReport:
    service_unit: ServiceUnit
    date_from: dt.date
    date_to: dt.date
    overall: rules.Ikm | None
    per_service: list[tuple[Service, rules.Ikm | None]]
    by_month: list[tuple[str, rules.Ikm | None]]
    weighting: str


def _range(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if date_to < date_from:
        raise ValidationFailed([FieldError("to", "BAD_USER_INPUT", "'to' is before 'from'")])
    start = dt.datetime.combine(date_from, dt.time.min, dt.timezone.utc)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, dt.timezone.utc)


async def element_sums(query, *group: str) -> list[dict]:
    """Respondents (``n``) and the sum of each element's scores (``s1``..``s9``), per ``group``."""
    if group:
        query = query.group_by(*group)
    return await query.annotate(n=Count("id"), **{f"s{i}": Sum(f"u{i}") for i in range(1, 10)}).values(
        *group, "n", *[f"s{i}" for i in range(1, 10)])


def ikm_of(row: dict | None, weighting) -> rules.Ikm | None:
    """The IKM of one ``element_sums`` row (None without respondents)."""
    if row is None:
        return None
    return rules.compute_ikm([int(row[f"s{i}"] or 0) for i in range(1, 10)], int(row["n"] or 0), weighting)


async def ikm(ctx: RequestContext, service_unit_id: uuid.UUID, date_from: dt.date, date_to: dt.date) -> IkmReport:
    scopes = await ctx.require("ikm", "read")
    tenant_id = ctx.require_tenant()
    unit = await ServiceUnit.get_or_none(id=service_unit_id, tenant_id=tenant_id)
    if unit is None:
        raise NotFound("Service unit not found", field="serviceUnitId")
    if "tenant" not in scopes and unit.id not in await _unit_service_units(ctx, tenant_id):
        raise Forbidden("This service unit is outside your reach", field="serviceUnitId")
    start, end = _range(date_from, date_to)
    weighting = (await tenant_settings(tenant_id)).ikm_weighting
    base = SurveyResponse.filter(tenant_id=tenant_id, service_unit_id=unit.id, created_at__gte=start, created_at__lt=end)
    per_service_rows = await element_sums(base, "service_id")
    services = {s.id: s for s in await Service.filter(tenant_id=tenant_id, service_unit_id=unit.id).order_by("name")}
    found = {r["service_id"]: r for r in per_service_rows}
    total = {"n": sum(r["n"] for r in per_service_rows),
             **{f"s{i}": sum(int(r[f"s{i}"] or 0) for r in per_service_rows) for i in range(1, 10)}}
    month_sql = ("to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')" if connection().capabilities.dialect == "postgres"
                 else "substr(created_at, 1, 7)")
    months = await fetch_all(
        f"SELECT {month_sql} AS month, count(*) AS n, "
        + ", ".join(f"sum(u{i}) AS s{i}" for i in range(1, 10))
        + " FROM survey_response WHERE tenant_id = $1 AND service_unit_id = $2 AND created_at >= $3 AND created_at < $4"
        f" GROUP BY {month_sql} ORDER BY 1",
        [uuid_param(tenant_id), uuid_param(unit.id), *_stamps(start, end)])
    return IkmReport(unit, date_from, date_to, ikm_of(total, weighting),
                     [(s, ikm_of(found[s.id], weighting) if s.id in found else None) for s in services.values()],
                     [(m["month"], ikm_of(m, weighting)) for m in months], weighting.value)


def _stamps(*moments: dt.datetime) -> list:
    if connection().capabilities.dialect == "postgres":
        return list(moments)
    return [m.isoformat() for m in moments]


async def save_service_unit(ctx: RequestContext, code: str, name: str, org_unit_id: uuid.UUID | None) -> ServiceUnit:
    """HR creates or renames a service unit (by code), optionally attached to an org unit."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    problems = [FieldError(f, "BAD_USER_INPUT", f"{f} must be 1-{n} characters")
                for f, v, n in (("code", code, 50), ("name", name, 200)) if not v or not v.strip() or len(v) > n]
    if problems:
        raise ValidationFailed(problems)
    if org_unit_id is not None and not await OrgUnit.exists(id=org_unit_id, tenant_id=tenant_id):
        raise NotFound("Org unit not found", field="orgUnitId")
    await once.lock_key("service-unit", tenant_id, code.strip())  # one save of a code at a time
    unit = await ServiceUnit.get_or_none(tenant_id=tenant_id, code=code.strip())
    if unit is None:
        return await ServiceUnit.create(tenant_id=tenant_id, code=code.strip(), name=name.strip(), org_unit_id=org_unit_id)
    if unit.name == name.strip() and unit.org_unit_id == org_unit_id:
        raise Conflict("The service unit already has this name and org unit", field="code")
    unit.name, unit.org_unit_id = name.strip(), org_unit_id
    await unit.save()
    return unit


async def save_service(ctx: RequestContext, service_unit_id: uuid.UUID, code: str, name: str, description: str | None,
                       active: bool) -> Service:
    """HR creates or edits a service (by code); an inactive service leaves the public list."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    problems = [FieldError(f, "BAD_USER_INPUT", f"{f} must be 1-{n} characters")
                for f, v, n in (("code", code, 50), ("name", name, 200)) if not v or not v.strip() or len(v) > n]
    if description is not None and len(description) > 2000:
        problems.append(FieldError("description", "BAD_USER_INPUT", "At most 2000 characters"))
    if problems:
        raise ValidationFailed(problems)
    if not await ServiceUnit.exists(id=service_unit_id, tenant_id=tenant_id):
        raise NotFound("Service unit not found", field="serviceUnitId")
    await once.lock_key("service", tenant_id, code.strip())  # one save of a code at a time
    service = await Service.get_or_none(tenant_id=tenant_id, code=code.strip())
    if service is None:
        return await Service.create(tenant_id=tenant_id, service_unit_id=service_unit_id, code=code.strip(),
                                    name=name.strip(), description=(description or "").strip(), active=active)
    service.service_unit_id, service.name, service.active = service_unit_id, name.strip(), active
    if description is not None:
        service.description = description.strip()
    await service.save()
    return service
