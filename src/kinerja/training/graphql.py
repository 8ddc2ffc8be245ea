"""GraphQL of competency development: records, verification, JP progress, catalogue, recommendations."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.types import Info

from kinerja.graph import sql
from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.org.graphql import Employee
from kinerja.training import rules, service
from kinerja.training.models import RecommendationRule as RuleModel
from kinerja.training.models import TrainingEvent as EventModel
from kinerja.training.models import TrainingRecord as RecordModel
from kinerja.training.rules import TrainingCategory, TrainingKind, TrainingStatus

strawberry.enum(TrainingKind, description="Jenis pengembangan kompetensi (Peraturan LAN 10/2018).")
strawberry.enum(TrainingCategory, description="Pendidikan, pelatihan klasikal or non-klasikal.")
strawberry.enum(TrainingStatus, description="PLANNED -> COMPLETED -> VERIFIED (by HR) or REJECTED.")


@strawberry.type(description="Riwayat pengembangan kompetensi; only VERIFIED records count towards JP.")
class TrainingRecord(Node):
    title: str
    kind: TrainingKind
    category: TrainingCategory
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
    _model: strawberry.Private[RecordModel]

    @classmethod
    def from_model(cls, m: RecordModel) -> "TrainingRecord":
        return cls(id=to_global_id("TrainingRecord", m.id), title=m.title, kind=m.kind, category=rules.CATEGORY[m.kind],
                   organiser=m.organiser, starts_on=m.starts_on, ends_on=m.ends_on, year=m.year, jp=m.jp,
                   certificate_number=m.certificate_number, certificate_file_name=m.certificate_file_name,
                   certificate_sha256=m.certificate_sha256, status=m.status, rejection_reason=m.rejection_reason,
                   verified_at=m.verified_at, _model=m)

    @strawberry.field
    def employee(self) -> Employee:
        return sql.ref("Employee", self._model.employee_id)


async def _registrations(tenant_id, ids):
    return await service.registrations_count(tenant_id, ids)


@strawberry.type(description="An event of the tenant training catalogue.")
class TrainingEvent(Node):
    title: str
    topic: str
    kind: TrainingKind
    organiser: str
    starts_on: dt.date
    ends_on: dt.date
    jp: int
    capacity: int
    _model: strawberry.Private[EventModel]

    @classmethod
    def from_model(cls, m: EventModel) -> "TrainingEvent":
        return cls(id=to_global_id("TrainingEvent", m.id), title=m.title, topic=m.topic, kind=m.kind,
                   organiser=m.organiser, starts_on=m.starts_on, ends_on=m.ends_on, jp=m.jp, capacity=m.capacity,
                   _model=m)

    @strawberry.field
    async def registered(self, info: Info) -> int:
        return await loader(info.context, "event_registrations", _registrations).load(self._model.id)


@strawberry.type
class TrainingProgress:
    employee: Employee
    year: int
    target_jp: int
    verified_jp: int
    remaining_jp: int


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
    @strawberry.field(description="Training records the viewer may see, newest first.")
    async def training_records(self, info: Info, first: int | None = 20, after: str | None = None,
                               filter: TrainingFilter | None = None) -> Connection[TrainingRecord]:
        f = filter or TrainingFilter()
        flt = service.RecordFilter(parse_input_id(f.employee_id, "Employee", "employeeId"), f.year, f.status)
        page = await service.list_records(info.context, flt, first, after)
        return Connection[TrainingRecord](**connection_from_page(page, TrainingRecord.from_model))

    @strawberry.field(description="An employee's verified JP against the yearly target of his or her employment type.")
    async def training_progress(self, info: Info, employee_id: strawberry.ID, year: int) -> TrainingProgress:
        employee, progress = await service.employee_progress(
            info.context, parse_input_id(employee_id, "Employee", "employeeId"), year)
        return _progress(employee, year, progress)

    @strawberry.field(description="JP progress of a unit subtree (or the tenant when orgUnitId is omitted), "
                                  "within the viewer's scope.")
    async def unit_training_progress(self, info: Info, year: int,
                                     org_unit_id: strawberry.ID | None = None) -> UnitTrainingProgress:
        p = await service.unit_progress(info.context, parse_input_id(org_unit_id, "OrgUnit", "orgUnitId"), year)
        return UnitTrainingProgress(year=year, employees=p.employees, employees_meeting_target=p.met,
                                    target_jp=p.target_jp, verified_jp=p.verified_jp,
                                    below_target=[_progress(e, year, pr) for e, pr in p.below_target])

    @strawberry.field(description="The tenant's training events.")
    async def training_catalogue(self, info: Info, upcoming_only: bool = False) -> list[TrainingEvent]:
        return [TrainingEvent.from_model(e) for e in await service.list_events(info.context, upcoming_only)]

    @strawberry.field(description="Development suggested by the latest final evaluation and this year's JP shortfall.")
    async def training_recommendations(self, info: Info, employee_id: strawberry.ID,
                                       year: int | None = None) -> list[TrainingRecommendation]:
        rows = await service.recommendations(info.context, parse_input_id(employee_id, "Employee", "employeeId"), year)
        return [TrainingRecommendation(reason=r.reason, topic=r.topic,
                                       events=[TrainingEvent.from_model(e) for e in r.events]) for r in rows]


def _record(row) -> dict:
    return {"record": TrainingRecord.from_model(row)}


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
            return {"event": TrainingEvent.from_model(row)}
        return await run_mutation(info, TrainingEventPayload, work)

    @strawberry.mutation(description="Register myself for a catalogue event.")
    async def register_for_training(self, info: Info, input: RegisterForTrainingInput) -> RegistrationPayload:
        async def work():
            registration = await service.register(info.context, parse_input_id(input.event_id, "TrainingEvent", "eventId"))
            return {"event": TrainingEvent.from_model(await registration.event)}
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


@sql.implements("Employee", "trainingProgress")
async def training_progress_of(employee_id, info: Info, year: int) -> TrainingProgress | None:
    """Employee.trainingProgress(year): null when the employee's training is out of the viewer's reach
    (FORBIDDEN without any training read permission)."""
    await info.context.require("training", "read")
    try:
        employee, progress = await service.employee_progress(info.context, uuid.UUID(str(employee_id)), year)
    except NotFound:
        return None
    return _progress(employee, year, progress)


async def resolve_record_node(ctx, object_id: uuid.UUID) -> TrainingRecord:
    record = await (await service.visible_records(ctx)).filter(id=object_id).first()
    if record is None:
        raise NotFound("Training record not found")
    return TrainingRecord.from_model(record)


NODE_RESOLVERS = {"TrainingRecord": resolve_record_node}
