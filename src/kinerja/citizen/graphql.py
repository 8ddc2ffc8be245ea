"""GraphQL of citizen feedback: public operations (by tenant slug, no login) and the staff side."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.citizen import iku as _iku  # noqa: F401 - registers the unit's IKM as an IKU realisation
from kinerja.citizen import report as reports
from kinerja.citizen import rules, service
from kinerja.citizen.models import FeedbackTicket as TicketModel
from kinerja.citizen.models import Service as ServiceModel
from kinerja.citizen.models import ServiceUnit as ServiceUnitModel
from kinerja.citizen.rules import AgeRange, Category, Education, Gender, Occupation, TicketKind, TicketStatus
from kinerja.core import clock
from kinerja.core.errors import DomainError, Forbidden, NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee
from kinerja.tenancy.rules import IkmWeighting, TenantSettings

strawberry.enum(TicketKind, description="Masukan (feedback) or pengaduan (complaint).")
strawberry.enum(TicketStatus, description="RECEIVED -> IN_PROGRESS -> ANSWERED -> CLOSED.")
strawberry.enum(Category, description="Mutu pelayanan: A Sangat Baik, B Baik, C Kurang Baik, D Tidak Baik.")
strawberry.enum(Gender)
strawberry.enum(AgeRange)
strawberry.enum(Education)
strawberry.enum(Occupation)


SERVICE_UNIT_NAME = ("(SELECT u.name FROM service_unit u WHERE u.tenant_id = {t}.tenant_id "
                     "AND u.id = {t}.service_unit_id)")


@sql.table(ServiceModel, description="A public service citizens can rate and comment on.")
class PublicService:
    id: strawberry.ID = sql.global_id("Service")
    code: str
    name: str
    description: str
    service_unit: str = sql.expression(SERVICE_UNIT_NAME)

    @classmethod
    def build(cls, s: ServiceModel, unit: ServiceUnitModel) -> PublicService:
        """For the public list, answered field by field in the tenant the request names."""
        return cls(id=to_global_id("Service", s.id), code=s.code, name=s.name, description=s.description,
                   service_unit=unit.name)


@sql.table(ServiceUnitModel, description="Unit penyelenggara pelayanan.")
class ServiceUnit:
    id: strawberry.ID
    code: str
    name: str
    services: list[PublicService] = sql.rows(on={"service_unit_id": "id"}, order=("name", "id"))


@strawberry.type
class ElementScore:
    number: int
    element: str
    nrr: Decimal = strawberry.field(description="Nilai rata-rata: sum of scores / respondents (4 decimals).")


@strawberry.type(description="Indeks Kepuasan Masyarakat (PermenPANRB 14/2017).")
class IkmValue:
    respondents: int
    elements: list[ElementScore]
    index: Decimal = strawberry.field(description="IKM on the 1-4 scale (4 decimals).")
    value: Decimal = strawberry.field(description="IKM x 25, on 25-100, rounded to 2 decimals.")
    category: Category
    label: str
    small_sample: bool = strawberry.field(description="Fewer respondents than `minimumSample`: read with care.")
    minimum_sample: int = strawberry.field(
        description="The minimum sample for the unit's population of service users (Krejcie-Morgan table, as "
                    f"PermenPANRB 14/2017 refers to it); {rules.SMALL_SAMPLE} where no population is set.")

    @classmethod
    def build(cls, ikm: rules.Ikm) -> IkmValue:
        four = Decimal("0.0001")
        return cls(respondents=ikm.respondents,
                   elements=[ElementScore(number=i + 1, element=rules.ELEMENTS[i], nrr=n.quantize(four))
                             for i, n in enumerate(ikm.nrr)],
                   index=ikm.index.quantize(four), value=ikm.converted, category=ikm.category, label=ikm.label,
                   small_sample=ikm.small_sample, minimum_sample=ikm.minimum_sample)


def _ikm(value: rules.Ikm | None) -> IkmValue | None:
    return IkmValue.build(value) if value else None


@strawberry.type
class ServiceIkm:
    service: str
    ikm: IkmValue | None


@strawberry.type
class MonthIkm:
    month: str = strawberry.field(description="YYYY-MM")
    ikm: IkmValue | None


# A service unit with the report's range ({0} from, {1} to; {2} and {3} the moments counted between)
# and its tenant's settings (the IKM weighting).
IKM_ROWS = ("(SELECT u.id, u.tenant_id, u.name, u.org_unit_id, u.population, {0} AS date_from, {1} AS date_to, "
            "{2} AS range_start, {3} AS range_end, (SELECT n.settings FROM tenant n WHERE n.id = u.tenant_id) AS settings "
            "FROM service_unit u WHERE u.tenant_id = {tenant}) {t}")
SUMS = "count(r.id), " + ", ".join(f"sum(r.u{i})" for i in range(1, 10))
IN_RANGE = "r.created_at >= {t}.range_start AND r.created_at < {t}.range_end"
# Respondents and the nine sums: of the whole unit, per service (every service, by name), per month.
UNIT_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT json_build_array({SUMS}) FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id "
       f"AND r.service_unit_id = {{t}}.id AND {IN_RANGE})",
    sqlite=f"(SELECT json_array({SUMS}) FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id "
           f"AND r.service_unit_id = {{t}}.id AND {IN_RANGE})"))
SERVICE_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT coalesce(json_agg(json_build_array(x.name, x.sums) ORDER BY x.name, x.id), '[]'::json) FROM "
       f"(SELECT s.id, s.name, json_build_array({SUMS}) AS sums FROM public_service s LEFT JOIN survey_response r "
       f"ON r.tenant_id = s.tenant_id AND r.service_id = s.id AND {IN_RANGE} "
       f"WHERE s.tenant_id = {{t}}.tenant_id AND s.service_unit_id = {{t}}.id GROUP BY s.id, s.name) x)",
    sqlite=f"(SELECT json_group_array(json_array(x.name, json(x.sums))) FROM "
           f"(SELECT s.id, s.name, json_array({SUMS}) AS sums FROM public_service s LEFT JOIN survey_response r "
           f"ON r.tenant_id = s.tenant_id AND r.service_id = s.id AND {IN_RANGE} "
           f"WHERE s.tenant_id = {{t}}.tenant_id AND s.service_unit_id = {{t}}.id GROUP BY s.id, s.name "
           f"ORDER BY s.name, s.id) x)"))
MONTH_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT coalesce(json_agg(json_build_array(x.month, x.sums) ORDER BY x.month), '[]'::json) FROM "
       f"(SELECT to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, json_build_array({SUMS}) AS sums "
       f"FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id AND r.service_unit_id = {{t}}.id AND {IN_RANGE} "
       f"GROUP BY 1) x)",
    sqlite=f"(SELECT json_group_array(json_array(x.month, json(x.sums))) FROM "
           f"(SELECT substr(r.created_at, 1, 7) AS month, json_array({SUMS}) AS sums "
           f"FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id AND r.service_unit_id = {{t}}.id AND {IN_RANGE} "
           f"GROUP BY 1 ORDER BY 1) x)"))


def _json(value):
    """A JSON value of the statement (SQLite hands JSON computed in a subquery over as text)."""
    return json.loads(value) if isinstance(value, str) else value


def _weighting(settings) -> IkmWeighting:
    return TenantSettings.from_dict(_json(settings) or {}).ikm_weighting


def _ikm_of_sums(sums, weighting: IkmWeighting, population: int | None = None) -> IkmValue | None:
    sums = _json(sums)
    row = {"n": sums[0], **{f"s{i}": sums[i] for i in range(1, 10)}} if sums else None
    return _ikm(service.ikm_of(row, weighting, population))


def weighting_of(settings) -> str:
    return _weighting(settings).value


def overall_of(settings, population, sums) -> IkmValue | None:
    """The unit's IKM, flagged against the minimum sample of its population of service users."""
    return _ikm_of_sums(sums, _weighting(settings), population)


def per_service_of(settings, rows) -> list[ServiceIkm]:
    weighting = _weighting(settings)
    return [ServiceIkm(service=name, ikm=_ikm_of_sums(sums, weighting)) for name, sums in _json(rows)]


def by_month_of(settings, rows) -> list[MonthIkm]:
    weighting = _weighting(settings)
    return [MonthIkm(month=month, ikm=_ikm_of_sums(sums, weighting)) for month, sums in _json(rows)]


@sql.table(source=IKM_ROWS, access=sql.Access("ikm", "read", rows=service.service_unit_scope),
           description="Indeks Kepuasan Masyarakat of one service unit over a date range.")
class IkmReport:
    service_unit: str = sql.column("name")
    date_from: dt.date
    date_to: dt.date
    weighting: str = sql.derived(weighting_of, "settings",
                                 description="EXACT (1/9 per element) or PRINTED (0.11, as printed).")
    overall: IkmValue | None = sql.derived(overall_of, "settings", "population", UNIT_SUMS)
    per_service: list[ServiceIkm] = sql.derived(per_service_of, "settings", SERVICE_SUMS)
    by_month: list[MonthIkm] = sql.derived(by_month_of, "settings", MONTH_SUMS)


@strawberry.type(description="What a citizen sees of a ticket: never internal notes or personal data.")
class TicketStatusView:
    code: str
    kind: TicketKind
    status: TicketStatus
    service: str | None
    received_at: dt.datetime
    answered_at: dt.datetime | None
    public_answer: str | None


def is_overdue(status: str, due_at: str) -> bool:
    return rules.overdue(TicketStatus(status), dt.datetime.fromisoformat(due_at), clock.now())


@sql.table(TicketModel, access=sql.Access("feedback", "read", rows=service.ticket_scope), node=True,
           not_found=lambda: NotFound("Feedback not found"),
           description="A citizen's feedback or complaint, as staff see it.")
class CitizenFeedback(Node):
    code: str
    kind: TicketKind
    status: TicketStatus
    message: str
    contact: str | None
    internal_note: str
    public_answer: str | None
    received_at: dt.datetime = sql.column("created_at")
    due_at: dt.datetime
    answered_at: dt.datetime | None
    overdue: bool = sql.derived(is_overdue, "status", "due_at")
    assigned_to: Employee | None = sql.join("assigned_to_id")
    service_unit: str = sql.expression(SERVICE_UNIT_NAME)


@strawberry.type(description="An action of a published follow-up plan (rencana tindak lanjut).")
class PublicFollowUpAction:
    element: int
    element_name: str
    action: str
    owner: str | None = strawberry.field(description="The owning position (never a person).")
    due_on: dt.date
    status: str


@strawberry.type
class PublicServiceUnitLine:
    name: str
    respondents: int | None = strawberry.field(description="Null when fewer than 5 (withheld).")
    ikm: IkmValue | None
    follow_up: list[PublicFollowUpAction] = strawberry.field(
        default_factory=list, description="The unit's follow-up plan of the year, beside its IKM.")


@strawberry.type
class PredicateCell:
    predicate: str
    count: int | None = strawberry.field(description="Null when fewer than 5 (withheld).")


@strawberry.type
class PublicOrgUnitLine:
    name: str
    employees: int | None
    plans_approved: int | None
    completion_percent: float | None
    predicates: list[PredicateCell]


@strawberry.type(description="Capaian IKU: an IKU of a unit and its year to date (figures of the organisation).")
class PublicIkuLine:
    unit: str = strawberry.field(description="Unit kerja: the unit the IKU belongs to.")
    name: str = strawberry.field(description="Nama IKU.")
    unit_of_measure: str = strawberry.field(description="Satuan.")
    target: Decimal | None = strawberry.field(description="Target tahunan.")
    realisation: Decimal | None = strawberry.field(description="Realisasi s.d. periode terakhir (year to date).")
    achievement: Decimal | None = strawberry.field(description="Capaian (%), capped by the tenant's rule.")


@strawberry.type(description="Capaian IKU unit: the mean achievement of a unit's IKU in the year.")
class PublicIkuUnitLine:
    unit: str = strawberry.field(description="Unit kerja.")
    achievement: Decimal | None = strawberry.field(description="Capaian unit (%); null without IKU figures.")


@strawberry.type(description="Laporan kinerja publik: aggregates only, cells under 5 people withheld.")
class PublicReport:
    tenant: str
    year: int
    service_units: list[PublicServiceUnitLine]
    org_units: list[PublicOrgUnitLine]
    csv_path: str
    unit_indicators: list[PublicIkuLine] = strawberry.field(
        default_factory=list, description="IKU per unit with target, year to date and achievement.")
    unit_achievements: list[PublicIkuUnitLine] = strawberry.field(
        default_factory=list, description="Capaian IKU per unit: the mean achievement of each unit's IKU.")


@strawberry.input
class SurveyProfileInput:
    gender: Gender | None = None
    age_range: AgeRange | None = None
    education: Education | None = None
    occupation: Occupation | None = None


@strawberry.input
class SubmitSurveyResponseInput:
    tenant: str
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service rated; may be left out with a `code`, which names its service.")
    scores: list[int] = strawberry.field(description="Nine scores, 1-4, in the order of the nine elements (unsur).")
    profile: SurveyProfileInput | None = None
    kiosk_token: str | None = strawberry.field(default=None, description="Sent by a registered survey kiosk.")
    code: str | None = strawberry.field(default=None, description="A one-time survey code (from a receipt's QR).")
    suggestion: str | None = strawberry.field(default=None, description="Saran: private, seen by staff only.")


@strawberry.input
class SubmitCitizenFeedbackInput:
    tenant: str
    service_id: strawberry.ID
    message: str
    contact: str | None = strawberry.field(default=None, description="Optional; never shown publicly.")
    kind: TicketKind = TicketKind.FEEDBACK


@strawberry.type
class SurveyResponsePayload:
    accepted: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CitizenFeedbackPayload:
    ticket_code: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CitizenFeedbackFilter:
    service_unit_id: strawberry.ID | None = None
    status: TicketStatus | None = None
    overdue: bool = False


@strawberry.input
class RespondToFeedbackInput:
    id: strawberry.ID
    status: TicketStatus | None = None
    public_answer: str | None = None
    internal_note: str | None = None


@strawberry.input
class AssignFeedbackInput:
    id: strawberry.ID
    employee_id: strawberry.ID


@strawberry.type
class FeedbackTicketPayload:
    feedback: CitizenFeedback | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _sid(gid: str | None) -> uuid.UUID | None:
    if gid is None:
        return None
    try:
        return parse_input_id(gid, "Service", "serviceId")
    except DomainError:
        return None


@strawberry.type
class CitizenQuery:
    @strawberry.field(description="Public: the services of a tenant (by slug).")
    async def public_services(self, info: Info, tenant: str) -> list[PublicService]:
        _tenant, services, units = await service.public_services(info.context, tenant)
        return [PublicService.build(s, units[s.service_unit_id]) for s in services]

    @strawberry.field(description="Public: the state of a ticket and the unit's public answer.")
    async def feedback_ticket(self, info: Info, tenant: str, code: str) -> TicketStatusView:
        ticket, svc = await service.track_ticket(info.context, tenant, code)
        return TicketStatusView(code=ticket.code, kind=ticket.kind, status=ticket.status,
                                service=svc.name if svc else None, received_at=ticket.created_at,
                                answered_at=ticket.answered_at, public_answer=ticket.public_answer)

    @strawberry.field(description="Public: the transparency report of a tenant and year.")
    async def public_report(self, info: Info, tenant: str, year: int) -> PublicReport:
        r = await reports.public_report(info.context, tenant, year)
        return PublicReport(
            tenant=r.tenant.name, year=r.year,
            service_units=[PublicServiceUnitLine(
                name=s.name, respondents=s.respondents, ikm=_ikm(s.ikm),
                follow_up=[PublicFollowUpAction(element=a.element, element_name=a.element_name, action=a.action,
                                                owner=a.owner, due_on=a.due_on, status=a.status.value)
                           for a in s.follow_up]) for s in r.service_units],
            org_units=[PublicOrgUnitLine(name=o.name, employees=o.employees, plans_approved=o.plans_approved,
                                         completion_percent=o.completion_percent,
                                         predicates=[PredicateCell(predicate=p.value, count=c)
                                                     for p, c in o.predicates.items()]) for o in r.org_units],
            csv_path=f"/public/{r.tenant.slug}/report/{r.year}.csv",
            unit_indicators=[PublicIkuLine(unit=i.unit, name=i.name, unit_of_measure=i.unit_of_measure, target=i.target,
                                           realisation=i.realisation, achievement=i.achievement) for i in r.iku],
            unit_achievements=[PublicIkuUnitLine(unit=u.unit, achievement=u.achievement) for u in r.iku_units])

    @sql.builder(description="IKM of a service unit for a date range, per service and by month.")
    def ikm(self, service_unit_id: strawberry.ID, date_from: Annotated[dt.date, strawberry.argument(name="from")],
            date_to: Annotated[dt.date, strawberry.argument(name="to")]) -> IkmReport:
        unit = parse_input_id(service_unit_id, "ServiceUnit", "serviceUnitId")
        start, end = service.ikm_range(date_from, date_to)
        return sql.Row(where=(sql.eq("id", unit),), values=(date_from, date_to, start, end), access=True,
                       guard=sql.Exists("ServiceUnit", (sql.eq("id", unit),),
                                        lambda: NotFound("Service unit not found", field="serviceUnitId"), access=False),
                       missing=lambda: Forbidden("This service unit is outside your reach", field="serviceUnitId"))

    @sql.builder(description="Service units of this tenant with their services (for `ikm`).")
    def service_units(self) -> list[ServiceUnit]:
        return sql.Rows(order=("name", "id"), access=sql.requires("org", "read"))

    @sql.builder(description="Staff: the feedback inbox (own = assigned to me, unit, tenant).")
    def citizen_feedback(self, first: int | None = 20, after: str | None = None,
                         filter: CitizenFeedbackFilter | None = None) -> Connection[CitizenFeedback]:
        where = []
        order = ("-created_at", "id")
        if filter is not None:
            unit = parse_input_id(filter.service_unit_id, "ServiceUnit", "serviceUnitId")
            if unit is not None:
                where.append(sql.eq("service_unit_id", unit))
            if filter.status is not None:
                where.append(sql.eq("status", filter.status))
            if filter.overdue:
                where.append(sql.where("{t}.due_at < {0} AND {t}.status IN ('RECEIVED', 'IN_PROGRESS')", clock.now()))
                order = ("due_at", "id")
        return sql.Page(first=first, after=after, where=tuple(where), order=order, access=True)


@strawberry.input
class SaveServiceUnitInput:
    code: str
    name: str
    org_unit_id: strawberry.ID | None = None
    population: int | None = strawberry.field(
        default=None, description="Service users per period: the IKM's minimum sample follows from it. Left out: "
                                  "unchanged.")


@strawberry.input
class SaveServiceInput:
    service_unit_id: strawberry.ID
    code: str
    name: str
    description: str | None = None
    active: bool = True


@strawberry.type
class ServiceUnitPayload:
    service_unit: ServiceUnit | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ServicePayload:
    service: PublicService | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CitizenMutation:
    @strawberry.mutation(description="HR: create or rename a service unit (by code).")
    async def save_service_unit(self, info: Info, input: SaveServiceUnitInput) -> ServiceUnitPayload:
        async def work():
            unit = await service.save_service_unit(info.context, input.code, input.name,
                                                   parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                   input.population)
            return {"service_unit": sql.ref("ServiceUnit", unit.id)}
        return await run_mutation(info, ServiceUnitPayload, work)

    @strawberry.mutation(description="HR: create or edit a service (by code); inactive ones leave the public list.")
    async def save_service(self, info: Info, input: SaveServiceInput) -> ServicePayload:
        async def work():
            unit_id = parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId")
            row = await service.save_service(info.context, unit_id, input.code, input.name, input.description,
                                             input.active)
            return {"service": sql.ref("PublicService", row.id)}
        return await run_mutation(info, ServicePayload, work)

    @strawberry.mutation(description="Public: rate a service on the nine elements (1-4 each); anonymous.")
    async def submit_survey_response(self, info: Info, input: SubmitSurveyResponseInput) -> SurveyResponsePayload:
        async def work():
            p = input.profile
            profile = service.Profile(p.gender, p.age_range, p.education, p.occupation) if p else None
            source = service.SurveySource(kiosk_token=input.kiosk_token, code=input.code)
            await service.submit_survey(info.context, input.tenant, _sid(input.service_id), input.scores, profile,
                                        source, input.suggestion)
            return {"accepted": True}
        return await run_mutation(info, SurveyResponsePayload, work)

    @strawberry.mutation(description="Public: send feedback or a complaint; keep the ticket code to follow it.")
    async def submit_citizen_feedback(self, info: Info, input: SubmitCitizenFeedbackInput) -> CitizenFeedbackPayload:
        async def work():
            ticket = await service.submit_feedback(info.context, input.tenant, _sid(input.service_id), input.message,
                                                   input.contact, input.kind)
            return {"ticket_code": ticket.code}
        return await run_mutation(info, CitizenFeedbackPayload, work)

    @strawberry.mutation(description="Staff: move a ticket on, answer publicly, add an internal note.")
    async def respond_to_feedback(self, info: Info, input: RespondToFeedbackInput) -> FeedbackTicketPayload:
        async def work():
            ticket = await service.respond(info.context, parse_input_id(input.id, "CitizenFeedback", "id"), input.status,
                                           input.public_answer, input.internal_note)
            return {"feedback": sql.ref("CitizenFeedback", ticket.id)}
        return await run_mutation(info, FeedbackTicketPayload, work)

    @strawberry.mutation(description="Staff: assign a ticket to an employee.")
    async def assign_feedback(self, info: Info, input: AssignFeedbackInput) -> FeedbackTicketPayload:
        async def work():
            ticket = await service.assign(info.context, parse_input_id(input.id, "CitizenFeedback", "id"),
                                          parse_input_id(input.employee_id, "Employee", "employeeId"))
            return {"feedback": sql.ref("CitizenFeedback", ticket.id)}
        return await run_mutation(info, FeedbackTicketPayload, work)
