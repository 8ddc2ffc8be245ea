"""GraphQL of citizen feedback: public operations (by tenant slug, no login) and the staff side."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.graph import sql
from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.citizen import report as reports
from kinerja.citizen import rules, service
from kinerja.citizen.models import FeedbackTicket as TicketModel
from kinerja.citizen.models import Service as ServiceModel
from kinerja.citizen.models import ServiceUnit as ServiceUnitModel
from kinerja.citizen.rules import AgeRange, Category, Education, Gender, Occupation, TicketKind, TicketStatus
from kinerja.core import clock
from kinerja.core.batch import by_ids
from kinerja.core.errors import DomainError
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.org.graphql import Employee

strawberry.enum(TicketKind, description="Masukan (feedback) or pengaduan (complaint).")
strawberry.enum(TicketStatus, description="RECEIVED -> IN_PROGRESS -> ANSWERED -> CLOSED.")
strawberry.enum(Category, description="Mutu pelayanan: A Sangat Baik, B Baik, C Kurang Baik, D Tidak Baik.")
strawberry.enum(Gender)
strawberry.enum(AgeRange)
strawberry.enum(Education)
strawberry.enum(Occupation)


@strawberry.type(description="A public service citizens can rate and comment on.")
class PublicService:
    id: strawberry.ID
    code: str
    name: str
    description: str
    service_unit: str

    @classmethod
    def build(cls, s: ServiceModel, unit: ServiceUnitModel) -> "PublicService":
        return cls(id=to_global_id("Service", s.id), code=s.code, name=s.name, description=s.description,
                   service_unit=unit.name)


@strawberry.type(description="Unit penyelenggara pelayanan.")
class ServiceUnit:
    id: strawberry.ID
    code: str
    name: str
    services: list[PublicService]


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
    def build(cls, ikm: rules.Ikm) -> "IkmValue":
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


@strawberry.type
class IkmReport:
    service_unit: str
    date_from: dt.date
    date_to: dt.date
    weighting: str = strawberry.field(description="EXACT (1/9 per element) or PRINTED (0.11, as printed).")
    overall: IkmValue | None
    per_service: list[ServiceIkm]
    by_month: list[MonthIkm]


@strawberry.type(description="What a citizen sees of a ticket: never internal notes or personal data.")
class TicketStatusView:
    code: str
    kind: TicketKind
    status: TicketStatus
    service: str | None
    received_at: dt.datetime
    answered_at: dt.datetime | None
    public_answer: str | None


async def _service_units_by_id(tenant_id, ids):
    return await by_ids(ServiceUnitModel, tenant_id, ids)


@strawberry.type(description="A citizen's feedback or complaint, as staff see it.")
class CitizenFeedback(Node):
    code: str
    kind: TicketKind
    status: TicketStatus
    message: str
    contact: str | None
    internal_note: str
    public_answer: str | None
    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    overdue: bool
    _model: strawberry.Private[TicketModel]

    @classmethod
    def from_model(cls, m: TicketModel) -> "CitizenFeedback":
        open_ = m.status in (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS)
        return cls(id=to_global_id("CitizenFeedback", m.id), code=m.code, kind=m.kind, status=m.status,
                   message=m.message, contact=m.contact, internal_note=m.internal_note, public_answer=m.public_answer,
                   received_at=m.created_at, due_at=m.due_at, answered_at=m.answered_at,
                   overdue=open_ and m.due_at < clock.now(), _model=m)

    @strawberry.field
    def assigned_to(self) -> Employee | None:
        return sql.ref("Employee", self._model.assigned_to_id)

    @strawberry.field
    async def service_unit(self, info: Info) -> str:
        return (await loader(info.context, "service_unit", _service_units_by_id).load(self._model.service_unit_id)).name


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


@strawberry.type(description="Laporan kinerja publik: aggregates only, cells under 5 people withheld.")
class PublicReport:
    tenant: str
    year: int
    service_units: list[PublicServiceUnitLine]
    org_units: list[PublicOrgUnitLine]
    csv_path: str


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
            csv_path=f"/public/{r.tenant.slug}/report/{r.year}.csv")

    @strawberry.field(description="IKM of a service unit for a date range, per service and by month.")
    async def ikm(self, info: Info, service_unit_id: strawberry.ID,
                  date_from: Annotated[dt.date, strawberry.argument(name="from")],
                  date_to: Annotated[dt.date, strawberry.argument(name="to")]) -> IkmReport:
        r = await service.ikm(info.context, parse_input_id(service_unit_id, "ServiceUnit", "serviceUnitId"),
                              date_from, date_to)
        return IkmReport(service_unit=r.service_unit.name, date_from=r.date_from, date_to=r.date_to,
                         weighting=r.weighting, overall=_ikm(r.overall),
                         per_service=[ServiceIkm(service=s.name, ikm=_ikm(v)) for s, v in r.per_service],
                         by_month=[MonthIkm(month=m, ikm=_ikm(v)) for m, v in r.by_month])

    @strawberry.field(description="Service units of this tenant with their services (for `ikm`).")
    async def service_units(self, info: Info) -> list[ServiceUnit]:
        units, services = await service.list_service_units(info.context)
        return [ServiceUnit(id=to_global_id("ServiceUnit", u.id), code=u.code, name=u.name,
                            services=[PublicService.build(s, u) for s in services if s.service_unit_id == u.id])
                for u in units]

    @strawberry.field(description="Staff: the feedback inbox (own = assigned to me, unit, tenant).")
    async def citizen_feedback(self, info: Info, first: int | None = 20, after: str | None = None,
                               filter: CitizenFeedbackFilter | None = None) -> Connection[CitizenFeedback]:
        f = filter or CitizenFeedbackFilter()
        flt = service.TicketFilter(parse_input_id(f.service_unit_id, "ServiceUnit", "serviceUnitId"), f.status, f.overdue)
        page = await service.list_tickets(info.context, flt, first, after)
        return Connection[CitizenFeedback](**connection_from_page(page, CitizenFeedback.from_model))


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
            return {"service_unit": ServiceUnit(id=to_global_id("ServiceUnit", unit.id), code=unit.code,
                                                name=unit.name, services=[])}
        return await run_mutation(info, ServiceUnitPayload, work)

    @strawberry.mutation(description="HR: create or edit a service (by code); inactive ones leave the public list.")
    async def save_service(self, info: Info, input: SaveServiceInput) -> ServicePayload:
        async def work():
            unit_id = parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId")
            row = await service.save_service(info.context, unit_id, input.code, input.name, input.description,
                                             input.active)
            unit = await ServiceUnitModel.get(id=row.service_unit_id, tenant_id=row.tenant_id)
            return {"service": PublicService.build(row, unit)}
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
            return {"feedback": CitizenFeedback.from_model(ticket)}
        return await run_mutation(info, FeedbackTicketPayload, work)

    @strawberry.mutation(description="Staff: assign a ticket to an employee.")
    async def assign_feedback(self, info: Info, input: AssignFeedbackInput) -> FeedbackTicketPayload:
        async def work():
            ticket = await service.assign(info.context, parse_input_id(input.id, "CitizenFeedback", "id"),
                                          parse_input_id(input.employee_id, "Employee", "employeeId"))
            return {"feedback": CitizenFeedback.from_model(ticket)}
        return await run_mutation(info, FeedbackTicketPayload, work)
