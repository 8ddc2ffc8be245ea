"""Use cases of citizen feedback: the public side (services, survey, tickets, report) chosen by
tenant slug without login, and the staff side (inbox, answers, assignment, IKM).

Duplicate checks hold a lock on what they look for (the submission's fingerprint, a code), and a
ticket's changes lock the ticket (``core/once.py``): two identical requests never both pass a check."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from kinerja.citizen import rules
from kinerja.citizen.models import (
    FeedbackTicket,
    Service,
    ServiceUnit,
    SurveyCode,
    SurveyKiosk,
    SurveyResponse,
    TicketEvent,
)
from kinerja.citizen.rules import AgeRange, Education, Gender, Occupation, TicketKind, TicketStatus
from kinerja.core import audit, clock, once, ratelimit
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kinerja.core.ids import uuid_of
from kinerja.core.sql import fetch_all, uuid_param
from kinerja.org.models import Employee, OrgUnit
from kinerja.org.scoping import actor_unit_subtree, scope_sql
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.origins import public_settings, public_tenant_id, require_origin
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


async def public_gate(ctx: RequestContext, slug: str) -> uuid.UUID:
    """The tenant a public read names, before anything is read (``sql.NamedTenant``): known from the
    tenants' index (no statement), then the origin check, with the same answers as ``public_tenant``."""
    tenant_id = await public_tenant_id(slug)
    if tenant_id is None:
        raise NotFound("Unknown tenant", field="tenant")
    await require_origin(ctx, tenant_id)
    return tenant_id


async def _public_limits(tenant: Tenant, settings: TenantSettings, action: str, client: str, per_client: int) -> None:
    """``client``: the address, or for anonymous surveys its salted hash (no address is stored)."""
    await ratelimit.hit_all(tenant.id, [(f"tenant:{action}", settings.public_per_tenant),
                                        (f"ip:{client}:{action}", per_client)], settings.rate_window_seconds)


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


def survey_duplicate_key(channel: rules.SubmissionChannel, response_id: uuid.UUID, tenant_id: uuid.UUID,
                         service_id: uuid.UUID, client: str, scores: list[int], day: dt.date) -> str:
    """What makes a survey response a duplicate of another, where the duplicate check applies
    (``rules.duplicate_check_applies``: anonymous web answers): the same scores from the same client for
    the same service on the same day. Elsewhere (kiosks, one-time codes) every response is its own.
    Stored as the response's fingerprint, unique per tenant."""
    if rules.duplicate_check_applies(channel):
        return _fingerprint(tenant_id, service_id, client, scores, day)
    return _fingerprint(channel.value, response_id)


# One statement: the service is checked (known, active, of the tenant) and the response inserted
# unless its fingerprint is already there; the unique index serialises identical requests.
_INSERT_SURVEY = """
INSERT INTO survey_response (id, tenant_id, created_at, service_id, service_unit_id,
                             u1, u2, u3, u4, u5, u6, u7, u8, u9, gender, age_range, education, occupation, fingerprint,
                             channel, kiosk_id, suggestion, flagged)
SELECT $1, s.tenant_id, $3, s.id, s.service_unit_id, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
       $19, $20, $21, $22
FROM public_service s WHERE s.tenant_id = $2 AND s.id = $4 AND s.active
ON CONFLICT (tenant_id, fingerprint) DO NOTHING
RETURNING service_unit_id
"""


@dataclass(frozen=True)
class SurveySource:
    """Where a response comes from: a kiosk's token, a one-time code, or neither (anonymous web)."""

    kiosk_token: str | None = None
    code: str | None = None


async def submit_survey(ctx: RequestContext, slug: str, service_id: uuid.UUID | None, scores: list[int],
                        profile: Profile | None, source: SurveySource = SurveySource(),
                        suggestion: str | None = None) -> SurveyResponse:
    """W6 (anonymous web): after the tenant lookup and binding, one statement for the rate limits, one
    that checks the service and inserts the response unless it is a duplicate, and the audit entry at
    commit. A kiosk or a code is locked first, so its limits and its single use hold."""
    tenant, settings = await public_tenant(ctx, slug)
    problems = rules.score_problems(scores)
    if suggestion is not None and len(suggestion) > rules.MAX_SUGGESTION:
        problems.append(FieldError("suggestion", "BAD_USER_INPUT", f"At most {rules.MAX_SUGGESTION} characters"))
    if source.kiosk_token is not None and source.code is not None:
        problems.append(FieldError("code", "BAD_USER_INPUT", "Send a kiosk token or a survey code, not both"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    client = rules.client_hash(ctx.settings.secret_key, tenant.id, now.date(), ctx.ip)
    audit.conceal_client(client)  # the entry of an anonymous response keeps no address
    kiosk = code = None
    if source.kiosk_token is not None:
        channel = rules.SubmissionChannel.KIOSK
        kiosk = await _kiosk_of(tenant, source.kiosk_token)
        service = await _public_service(tenant, service_id)
        if service.service_unit_id != kiosk.service_unit_id:
            raise NotFound("Unknown service", field="serviceId")
        await ratelimit.hit(tenant.id, "tenant:survey", settings.public_per_tenant, settings.rate_window_seconds)
        await ratelimit.hit(tenant.id, f"kiosk:{kiosk.id}", settings.kiosk_per_minute, 60)
        service_id = service.id
    elif source.code is not None:
        channel = rules.SubmissionChannel.CODE
        await _public_limits(tenant, settings, "survey", client, settings.survey_per_ip)  # before any guess
        code = await _unused_code(tenant, source.code)
        if service_id is not None and service_id != code.service_id:
            raise NotFound("This code belongs to another service", field="serviceId")
        service_id = code.service_id
    else:
        channel = rules.SubmissionChannel.WEB
        if service_id is None:
            raise NotFound("Unknown service", field="serviceId")
        await _public_limits(tenant, settings, "survey", client, settings.survey_per_ip)
    flagged = kiosk is not None and await _in_burst(kiosk, scores, settings)
    profile = profile or Profile()
    response = SurveyResponse(
        id=uuid.uuid4(), tenant_id=tenant.id, created_at=now, service_id=service_id,
        **dict(zip(ELEMENT_FIELDS, scores, strict=True)), gender=profile.gender, age_range=profile.age_range,
        education=profile.education, occupation=profile.occupation, channel=channel,
        kiosk_id=kiosk.id if kiosk else None, suggestion=(suggestion or "").strip() or None, flagged=flagged)
    response.fingerprint = survey_duplicate_key(channel, response.id, tenant.id, service_id, client, scores,
                                                now.date())
    inserted = await fetch_all(_INSERT_SURVEY, [
        uuid_param(response.id), uuid_param(tenant.id), now, uuid_param(service_id), *scores,
        *[value.value if value is not None else None
          for value in (profile.gender, profile.age_range, profile.education, profile.occupation)],
        response.fingerprint, channel.value, uuid_param(kiosk.id) if kiosk else None, response.suggestion, flagged])
    if not inserted:
        await _public_service(tenant, service_id)  # NOT_FOUND for an unknown or inactive service
        raise Conflict("This response was already received today", field="scores")
    response.service_unit_id = uuid_of(inserted[0]["service_unit_id"])
    audit.objects_created([response], lambda row: row.tenant_id)
    if code is not None:
        code.used_at = now
        await code.save()
    return response


async def _kiosk_of(tenant: Tenant, token: str) -> SurveyKiosk:
    """The kiosk a token names, locked: its responses are taken one at a time, so bursts count exactly."""
    kiosk = await once.locked(SurveyKiosk.filter(tenant_id=tenant.id, token_hash=rules.token_hash(token or ""),
                                                 revoked_at__isnull=True))
    if kiosk is None:
        raise NotFound("Unknown or revoked kiosk", field="kioskToken")
    return kiosk


async def _unused_code(tenant: Tenant, text: str) -> SurveyCode:
    """The survey code, locked: of requests using it at once, one takes it and the others find it used."""
    code = await once.locked(SurveyCode.filter(tenant_id=tenant.id, code=rules.normalise_code(text or "")))
    if code is None:
        raise NotFound("Unknown survey code", field="code")
    if code.used_at is not None:
        raise Conflict("This survey code was already used", field="code")
    return code


async def _in_burst(kiosk: SurveyKiosk, scores: list[int], settings: TenantSettings) -> bool:
    since = clock.now() - dt.timedelta(minutes=settings.kiosk_burst_minutes)
    identical = await SurveyResponse.filter(tenant_id=kiosk.tenant_id, kiosk_id=kiosk.id, created_at__gte=since,
                                            **dict(zip(ELEMENT_FIELDS, scores, strict=True))).count()
    return rules.burst_anomaly(identical, settings.kiosk_burst_identical)


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
    await _public_limits(tenant, settings, "feedback", ctx.ip, settings.feedback_per_ip)
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


def track_limit(ip: str, settings: TenantSettings) -> tuple[str, int, int]:
    """The limit on naming tickets or documents by their code (tracking a ticket, its timeline, a
    citizen's reply or rating; verifying a document, ``documents/service.py: verify``): ten times the
    tenant's feedback limit per address, in the tenant's window. As (bucket, limit, window seconds)."""
    return f"ip:{ip}:track", settings.feedback_per_ip * 10, settings.rate_window_seconds


async def track_spend(ctx: RequestContext, tenant_id: uuid.UUID) -> tuple[str, int, int]:
    """``track_limit`` of a public read's tenant (``public_gate``), with its settings from the tenants'
    index (no statement)."""
    return track_limit(ctx.ip, await public_settings(tenant_id))


async def _citizen_ticket(ctx: RequestContext, slug: str, code: str) -> tuple[FeedbackTicket, TenantSettings]:
    """The ticket a citizen names by its code, locked for the change that follows."""
    tenant, settings = await public_tenant(ctx, slug)
    await ratelimit.hit(tenant.id, *track_limit(ctx.ip, settings))
    ticket = await once.locked(FeedbackTicket.filter(tenant_id=tenant.id, code=rules.normalise_code(code or "")))
    if ticket is None:
        raise NotFound("Unknown ticket code", field="code")
    return ticket, settings


async def reply_to_ticket(ctx: RequestContext, slug: str, code: str, message: str) -> FeedbackTicket:
    """A citizen answers the unit's answer: the ticket is open again (IN_PROGRESS) for staff, due within
    the tenant's ticket deadline from now."""
    if not message or not message.strip() or len(message) > rules.MAX_MESSAGE:
        raise ValidationFailed([FieldError("message", "BAD_USER_INPUT", f"1 to {rules.MAX_MESSAGE} characters")])
    ticket, settings = await _citizen_ticket(ctx, slug, code)
    if problem := rules.reply_problem(ticket.status):
        raise Conflict(problem, field="code")
    # Open again, with a fresh deadline for the unit's next answer.
    ticket.status, ticket.due_at = TicketStatus.IN_PROGRESS, clock.now() + dt.timedelta(days=settings.ticket_sla_days)
    await ticket.save()
    await TicketEvent.create(tenant_id=ticket.tenant_id, ticket_id=ticket.id, kind=rules.TicketEventKind.REPLIED,
                             status=ticket.status, reply=message.strip())
    return ticket


async def rate_ticket_answer(ctx: RequestContext, slug: str, code: str, rating: int) -> FeedbackTicket:
    """A citizen rates the current answer, 1 to 5, once per answer."""
    ticket, _settings = await _citizen_ticket(ctx, slug, code)
    if problem := rules.rating_problem(ticket.status, rating, ticket.answer_rating is not None):
        code_, message = problem
        if code_ == "CONFLICT":
            raise Conflict(message, field="rating")
        raise ValidationFailed([FieldError("rating", code_, message)])
    ticket.answer_rating = rating
    await ticket.save()
    await TicketEvent.create(tenant_id=ticket.tenant_id, ticket_id=ticket.id, kind=rules.TicketEventKind.RATED,
                             status=ticket.status, rating=rating)
    return ticket


# --- staff side ---------------------------------------------------------------------------------

async def _unit_service_units(ctx: RequestContext, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    """Service units whose org unit lies in the actor's org unit subtree."""
    units = await actor_unit_subtree(ctx)
    ids: list[Any] = await ServiceUnit.filter(tenant_id=tenant_id, org_unit_id__in=units).values_list("id", flat=True)
    return list(ids)


def ticket_scope(scopes: frozenset[str], _column: str) -> tuple[list[str], str]:
    """``visible_tickets`` as SQL, for compiled reads (a ``sql.Access`` row scope): the CTEs and the
    condition on the ticket row {t}."""
    if "tenant" in scopes:
        return [], "TRUE"
    ctes, conditions = [], []
    if "own" in scopes:
        ctes += scope_sql({"own"}, "{t}.assigned_to_id")[0]
        conditions.append("{t}.assigned_to_id = (SELECT id FROM scope_me)")
    if "unit" in scopes:
        ctes += [cte for cte in scope_sql({"unit"}, "{t}.id")[0] if cte not in ctes]
        conditions.append("{t}.service_unit_id IN (SELECT su.id FROM service_unit su WHERE su.tenant_id = {tenant} "
                          "AND su.org_unit_id IN (SELECT id FROM scope_units))")
    return ctes, "(" + " OR ".join(conditions) + ")" if conditions else "FALSE"


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
    answered = public_answer is not None and public_answer.strip() != ticket.public_answer
    before = ticket.status
    if answered and public_answer is not None:
        # A new answer may be rated anew.
        ticket.public_answer, ticket.answered_at, ticket.answer_rating = public_answer.strip(), clock.now(), None
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
    if answered or ticket.status is not before:
        await _staff_event(ctx, ticket, rules.TicketEventKind.ANSWERED if answered else rules.TicketEventKind.STATUS,
                           ticket.public_answer if answered else None)
    return ticket


async def _staff_event(ctx: RequestContext, ticket: FeedbackTicket, kind: rules.TicketEventKind,
                       public_text: str | None) -> None:
    await TicketEvent.create(tenant_id=ticket.tenant_id, ticket_id=ticket.id, kind=kind, status=ticket.status,
                             public_text=public_text, staff_id=await ctx.employee_id())


async def assign(ctx: RequestContext, ticket_id: uuid.UUID, employee_id: uuid.UUID) -> FeedbackTicket:
    scopes = await ctx.require("feedback", "respond")
    if not scopes & {"unit", "tenant"}:
        raise Forbidden("Assigning feedback needs unit or tenant scope", field="id")
    ticket = await _ticket(ctx, ticket_id)
    employee = await Employee.get_or_none(id=employee_id, tenant_id=ticket.tenant_id, active=True)
    if employee is None:
        raise NotFound("Employee not found", field="employeeId")
    service_unit = await ServiceUnit.get(id=ticket.service_unit_id, tenant_id=ticket.tenant_id)
    parents = dict(await OrgUnit.filter(tenant_id=ticket.tenant_id).values_list("id", "parent_id"))
    if (problem := rules.assignee_problem(service_unit.org_unit_id, employee.org_unit_id, parents)) is not None:
        raise Forbidden(problem, field="employeeId")
    if ticket.assigned_to_id == employee.id:
        raise Conflict("The ticket is already assigned to this employee", field="employeeId")
    ticket.assigned_to_id = employee.id
    moved = ticket.status is TicketStatus.RECEIVED
    if moved:
        ticket.status = TicketStatus.IN_PROGRESS
    await ticket.save()
    if moved:
        await _staff_event(ctx, ticket, rules.TicketEventKind.STATUS, None)
    return ticket


def ikm_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments an IKM report counts responses between (from the start of ``from`` to the end of ``to``)."""
    if date_to < date_from:
        raise ValidationFailed([FieldError("to", "BAD_USER_INPUT", "'to' is before 'from'")])
    start = dt.datetime.combine(date_from, dt.time.min, dt.UTC)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)


async def element_sums(query, *group: str) -> list[dict]:
    """Respondents (``n``) and the sum of each element's scores (``s1``..``s9``), per ``group``."""
    if group:
        query = query.group_by(*group)
    return await query.annotate(n=Count("id"), **{f"s{i}": Sum(f"u{i}") for i in range(1, 10)}).values(
        *group, "n", *[f"s{i}" for i in range(1, 10)])


def service_unit_scope(scopes: frozenset[str], _column: str) -> tuple[list[str], str]:
    """The service units within reach of an IKM reader, as SQL (a ``sql.Access`` row scope over the
    service unit {t}): all of them with tenant scope, else those attached to the reader's org unit
    subtree (``_unit_service_units``)."""
    if "tenant" in scopes:
        return [], "TRUE"
    ctes = scope_sql({"unit"}, "{t}.id")[0]
    return ctes, "{t}.org_unit_id IN (SELECT id FROM scope_units)"


def ikm_of(row: dict | None, weighting, population: int | None = None) -> rules.Ikm | None:
    """The IKM of one ``element_sums`` row (None without respondents), flagged against the minimum
    sample of ``population`` (a service unit's)."""
    if row is None:
        return None
    return rules.compute_ikm([int(row[f"s{i}"] or 0) for i in range(1, 10)], int(row["n"] or 0), weighting,
                             rules.minimum_sample(population))


async def save_service_unit(ctx: RequestContext, code: str, name: str, org_unit_id: uuid.UUID | None,
                            population: int | None = None) -> ServiceUnit:
    """HR creates or renames a service unit (by code), optionally attached to an org unit, and sets its
    population of service users per period (None leaves it as it is)."""
    await ctx.require("org", "manage")
    tenant_id = ctx.require_tenant()
    problems = [FieldError(f, "BAD_USER_INPUT", f"{f} must be 1-{n} characters")
                for f, v, n in (("code", code, 50), ("name", name, 200)) if not v or not v.strip() or len(v) > n]
    if population is not None and not 1 <= population <= 100_000_000:
        problems.append(FieldError("population", "BAD_USER_INPUT", "population must be 1 to 100000000"))
    if problems:
        raise ValidationFailed(problems)
    if org_unit_id is not None and not await OrgUnit.exists(id=org_unit_id, tenant_id=tenant_id):
        raise NotFound("Org unit not found", field="orgUnitId")
    await once.lock_key("service-unit", tenant_id, code.strip())  # one save of a code at a time
    unit = await ServiceUnit.get_or_none(tenant_id=tenant_id, code=code.strip())
    if unit is None:
        return await ServiceUnit.create(tenant_id=tenant_id, code=code.strip(), name=name.strip(), org_unit_id=org_unit_id,
                                        population=population)
    population = unit.population if population is None else population
    if unit.name == name.strip() and unit.org_unit_id == org_unit_id and unit.population == population:
        raise Conflict("The service unit already has this name, org unit and population", field="code")
    unit.name, unit.org_unit_id, unit.population = name.strip(), org_unit_id, population
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
