"""GraphQL of competency development: records, verification, JP progress, catalogue, recommendations."""

from __future__ import annotations

import datetime as dt
import json

import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee
from kinerja.org.rules import EmploymentType
from kinerja.org.scoping import employee_rows
from kinerja.tenancy.rules import TenantSettings
from kinerja.training import rules, service
from kinerja.training.models import RecommendationRule as RuleModel
from kinerja.training.models import TrainingEvent as EventModel
from kinerja.training.models import TrainingRecord as RecordModel
from kinerja.training.rules import TrainingCategory, TrainingKind, TrainingStatus

strawberry.enum(TrainingKind, description="Jenis pengembangan kompetensi (Peraturan LAN 10/2018).")
strawberry.enum(TrainingCategory, description="Pendidikan, pelatihan klasikal or non-klasikal.")
strawberry.enum(TrainingStatus, description="PLANNED -> COMPLETED -> VERIFIED (by HR) or REJECTED.")


READ_TRAINING = employee_rows("training", "read", "employee_id")


def category_of(kind: str) -> str:
    return rules.CATEGORY[TrainingKind(kind)].value


@sql.table(RecordModel, access=READ_TRAINING, node=True, not_found=lambda: NotFound("Training record not found"),
           description="Riwayat pengembangan kompetensi; only VERIFIED records count towards JP.")
class TrainingRecord(Node):
    title: str
    kind: TrainingKind
    category: TrainingCategory = sql.derived(category_of, "kind")
    organiser: str
    starts_on: dt.date
    ends_on: dt.date
    year: int
    jp: int = strawberry.field(description="Jam pelajaran.")
    certificate_number: str | None
    certificate_file_name: str | None
    certificate_sha256: str | None
    status: TrainingStatus
    rejection_reason: str | None
    verified_at: dt.datetime | None
    employee: Employee = sql.join("employee_id")


@sql.table(EventModel, description="An event of the tenant training catalogue.")
class TrainingEvent(Node):
    title: str
    topic: str
    kind: TrainingKind
    organiser: str
    starts_on: dt.date
    ends_on: dt.date
    jp: int
    capacity: int
    registered: int = sql.expression("(SELECT count(*) FROM training_registration g WHERE g.tenant_id = {t}.tenant_id "
                                     "AND g.event_id = {t}.id)", description="Employees registered.")


# An employee's figures of the year a builder names ({0}): verified JP summed by the database, and
# what the yearly target depends on (employment type, tenant settings).
PROGRESS_ROWS = (
    "(SELECT e.id, e.tenant_id, e.employment_type, {0} AS year, "
    "(SELECT coalesce(sum(r.jp), 0) FROM training_record r WHERE r.tenant_id = e.tenant_id AND r.employee_id = e.id "
    "AND r.year = {0} AND r.status = 'VERIFIED') AS verified_jp, "
    "(SELECT n.settings FROM tenant n WHERE n.id = e.tenant_id) AS settings "
    "FROM employee e WHERE e.tenant_id = {tenant}) {t}")


def _progress_of(employment_type: str, settings, verified_jp: int = 0) -> rules.Progress:
    if isinstance(settings, str):
        settings = json.loads(settings)
    target = rules.target_for(TenantSettings.from_dict(settings or {}), EmploymentType(employment_type))
    return rules.Progress(target, int(verified_jp or 0))


def target_jp(employment_type: str, settings) -> int:
    return _progress_of(employment_type, settings).target_jp


def remaining_jp(employment_type: str, settings, verified_jp: int) -> int:
    return _progress_of(employment_type, settings, verified_jp).remaining_jp


@sql.table(source=PROGRESS_ROWS, access=employee_rows("training", "read"),
           description="Verified JP of one employee in one year against the yearly target of his or her "
                       "employment type (PNS 20 JP, PPPK 24 JP unless the tenant says otherwise).")
class TrainingProgress:
    employee: Employee = sql.join("id")
    year: int
    target_jp: int = sql.derived(target_jp, "employment_type", "settings")
    verified_jp: int
    remaining_jp: int = sql.derived(remaining_jp, "employment_type", "settings", "verified_jp")


@strawberry.type
class UnitTrainingProgress:
    year: int
    employees: int
    employees_meeting_target: int
    target_jp: int
    verified_jp: int
    below_target: list[TrainingProgress] = strawberry.field(description="Employees below target, most JP missing first.")


@strawberry.type(description="A suggested development: why, which topic, and open catalogue events for it.")
class TrainingRecommendation:
    reason: str = strawberry.field(description="PREDICATE:<predicate>, BEHAVIOUR:<BerAKHLAK value> or JP_SHORTFALL")
    topic: str
    events: list[TrainingEvent]


@strawberry.type
class RecommendationRule:
    trigger: str
    topic: str

    @classmethod
    def from_model(cls, m: RuleModel) -> "RecommendationRule":
        return cls(trigger=m.trigger, topic=m.topic)


def _progress(employee, year, p: rules.Progress) -> TrainingProgress:
    return TrainingProgress(employee=sql.ref("Employee", employee.id), year=year, target_jp=p.target_jp,
                            verified_jp=p.verified_jp, remaining_jp=p.remaining_jp)


@strawberry.input
class TrainingFilter:
    employee_id: strawberry.ID | None = None
    year: int | None = None
    status: TrainingStatus | None = None


@strawberry.input
class CertificateInput:
    file_name: str
    content_type: str
    content_base64: str


@strawberry.input
class RecordTrainingInput:
    title: str
    kind: TrainingKind
    organiser: str | None = None
    starts_on: dt.date
    ends_on: dt.date
    jp: int
    certificate_number: str | None = None
    certificate: CertificateInput | None = None
    completed: bool = strawberry.field(default=True, description="False to record a planned training.")


@strawberry.input
class TrainingIdInput:
    id: strawberry.ID


@strawberry.input
class RejectTrainingInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class CreateTrainingEventInput:
    title: str
    topic: str
    kind: TrainingKind
    organiser: str | None = None
    starts_on: dt.date
    ends_on: dt.date
    jp: int
    capacity: int


@strawberry.input
class RegisterForTrainingInput:
    event_id: strawberry.ID


@strawberry.input
class ConfirmAttendanceInput:
    event_id: strawberry.ID
    employee_id: strawberry.ID


@strawberry.input
class SetRecommendationRuleInput:
    trigger: str
    topics: list[str]


@strawberry.type
class TrainingRecordPayload:
    record: TrainingRecord | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TrainingEventPayload:
    event: TrainingEvent | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RegistrationPayload:
    event: TrainingEvent | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RecommendationRulePayload:
    rules: list[RecommendationRule] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TrainingQuery:
    @sql.builder(description="Training records the viewer may see, newest first.")
    def training_records(self, first: int | None = 20, after: str | None = None,
                         filter: TrainingFilter | None = None) -> Connection[TrainingRecord]:
        where = []
        if filter is not None:
            employee = parse_input_id(filter.employee_id, "Employee", "employeeId")
            if employee is not None:
                where.append(sql.eq("employee_id", employee))
            if filter.year is not None:
                where.append(sql.eq("year", filter.year))
            if filter.status is not None:
                where.append(sql.eq("status", filter.status))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-starts_on", "id"), access=True)

    @sql.builder(description="An employee's verified JP against the yearly target of his or her employment type.")
    def training_progress(self, employee_id: strawberry.ID, year: int) -> TrainingProgress:
        employee = parse_input_id(employee_id, "Employee", "employeeId")
        return sql.Row(where=(sql.eq("id", employee),), values=(year,), access=True,
                       missing=lambda: NotFound("Employee not found", field="employeeId"))

    @strawberry.field(description="JP progress of a unit subtree (or the tenant when orgUnitId is omitted), "
                                  "within the viewer's scope.")
    async def unit_training_progress(self, info: Info, year: int,
                                     org_unit_id: strawberry.ID | None = None) -> UnitTrainingProgress:
        p = await service.unit_progress(info.context, parse_input_id(org_unit_id, "OrgUnit", "orgUnitId"), year)
        return UnitTrainingProgress(year=year, employees=p.employees, employees_meeting_target=p.met,
                                    target_jp=p.target_jp, verified_jp=p.verified_jp,
                                    below_target=[_progress(e, year, pr) for e, pr in p.below_target])

    @sql.builder(description="The tenant's training events.")
    def training_catalogue(self, upcoming_only: bool = False) -> list[TrainingEvent]:
        where = (sql.gte("ends_on", dt.date.today()),) if upcoming_only else ()
        return sql.Rows(where=where, order=("starts_on", "id"), access=sql.requires("training", "read"))

    @strawberry.field(description="Development suggested by the latest final evaluation and this year's JP shortfall.")
    async def training_recommendations(self, info: Info, employee_id: strawberry.ID,
                                       year: int | None = None) -> list[TrainingRecommendation]:
        rows = await service.recommendations(info.context, parse_input_id(employee_id, "Employee", "employeeId"), year)
        return [TrainingRecommendation(reason=r.reason, topic=r.topic,
                                       events=[sql.ref("TrainingEvent", e.id) for e in r.events]) for r in rows]


def _record(row) -> dict:
    return {"record": sql.ref("TrainingRecord", row.id)}


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(description="Record my own training (with an optional certificate file).")
    async def record_training(self, info: Info, input: RecordTrainingInput) -> TrainingRecordPayload:
        async def work():
            certificate = service.Certificate(input.certificate.file_name, input.certificate.content_type,
                                              input.certificate.content_base64) if input.certificate else None
            return _record(await service.record_training(
                info.context, input.title, input.kind, input.organiser, input.starts_on, input.ends_on, input.jp,
                input.certificate_number, certificate, input.completed))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Mark my planned training as completed.")
    async def complete_training(self, info: Info, input: TrainingIdInput) -> TrainingRecordPayload:
        async def work():
            return _record(await service.complete_training(info.context, parse_input_id(input.id, "TrainingRecord", "id")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="HR verifies a completed record (never one's own): its JP then count.")
    async def verify_training(self, info: Info, input: TrainingIdInput) -> TrainingRecordPayload:
        async def work():
            return _record(await service.verify_training(info.context, parse_input_id(input.id, "TrainingRecord", "id")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="HR rejects a record with a reason.")
    async def reject_training(self, info: Info, input: RejectTrainingInput) -> TrainingRecordPayload:
        async def work():
            return _record(await service.reject_training(
                info.context, parse_input_id(input.id, "TrainingRecord", "id"), input.reason))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Add an event to the catalogue (HR).")
    async def create_training_event(self, info: Info, input: CreateTrainingEventInput) -> TrainingEventPayload:
        async def work():
            row = await service.create_event(info.context, input.title, input.topic, input.kind, input.organiser,
                                             input.starts_on, input.ends_on, input.jp, input.capacity)
            return {"event": sql.ref("TrainingEvent", row.id)}
        return await run_mutation(info, TrainingEventPayload, work)

    @strawberry.mutation(description="Register myself for a catalogue event.")
    async def register_for_training(self, info: Info, input: RegisterForTrainingInput) -> RegistrationPayload:
        async def work():
            registration = await service.register(info.context, parse_input_id(input.event_id, "TrainingEvent", "eventId"))
            return {"event": sql.ref("TrainingEvent", registration.event_id)}
        return await run_mutation(info, RegistrationPayload, work)

    @strawberry.mutation(description="HR confirms a registered employee attended: creates the verified record.")
    async def confirm_training_attendance(self, info: Info, input: ConfirmAttendanceInput) -> TrainingRecordPayload:
        async def work():
            return _record(await service.confirm_attendance(
                info.context, parse_input_id(input.event_id, "TrainingEvent", "eventId"),
                parse_input_id(input.employee_id, "Employee", "employeeId")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Set the catalogue topics a development need recommends (HR).")
    async def set_training_recommendation_rule(self, info: Info,
                                               input: SetRecommendationRuleInput) -> RecommendationRulePayload:
        async def work():
            rows = await service.set_recommendation_rule(info.context, input.trigger, input.topics)
            return {"rules": [RecommendationRule.from_model(r) for r in rows]}
        return await run_mutation(info, RecommendationRulePayload, work)
