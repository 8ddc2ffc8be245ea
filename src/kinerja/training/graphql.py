"""GraphQL of competency development: records, verification, JP progress, catalogue, recommendations."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee
from kinerja.org.scoping import employee_rows, scope_sql
from kinerja.tenancy.rules import TenantSettings
from kinerja.training import rules, service
from kinerja.training.models import RecommendationRule as RuleModel
from kinerja.training.models import TrainingEvent as EventModel
from kinerja.training.models import TrainingRecord as RecordModel
from kinerja.training.rules import JpRule, TrainingCategory, TrainingKind, TrainingStatus

strawberry.enum(TrainingKind, description="Jenis pengembangan kompetensi (Peraturan LAN 10/2018).")
strawberry.enum(TrainingCategory, description="Pendidikan, pelatihan klasikal or non-klasikal.")
strawberry.enum(TrainingStatus, description="PLANNED -> COMPLETED -> VERIFIED (by HR) or REJECTED.")
described(JpRule, "Aturan JP pengembangan kompetensi: how the yearly JP of an employment type counts.", {
    "TARGET_CALENDAR_YEAR": "PNS: a target of at least the yearly JP per calendar year (PP 17/2020 art. 203(4)).",
    "CAP_CONTRACT_YEAR": "PPPK: at most the yearly JP per contract year, from the contract start "
                         "(PP 49/2018 art. 40(1)).",
})


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


def _target_sql(dialect: str) -> str:
    """``rules.target_for`` in SQL: the setting of the employee's employment type, or its default."""
    defaults = TenantSettings()
    read = ("CAST(n.settings ->> '{key}' AS integer)" if dialect == "postgres"
            else "json_extract(n.settings, '$.{key}')")
    cases = " ".join(f"WHEN '{kind.value}' THEN coalesce({read.format(key=key)}, {int(getattr(defaults, key))})"
                     for kind, key in rules.TARGET_SETTINGS.items())
    return f"(SELECT CASE e.employment_type {cases} END FROM tenant n WHERE n.id = e.tenant_id)"


def _day_sql(dialect: str, year: str, month_day: str | None = None) -> str:
    """A date in SQL: the day of the contract start ``e.contract_starts_on`` in ``year`` (29 February as
    28 February, as ``rules.anniversary``), or the fixed ``month_day`` ('01-01')."""
    if dialect == "postgres":
        if month_day is not None:
            month, day = (int(x) for x in month_day.split("-"))
            return f"make_date(CAST({year} AS integer), {month}, {day})"
        return (f"make_date(CAST({year} AS integer), CAST(extract(month FROM e.contract_starts_on) AS integer), "
                "CASE WHEN extract(month FROM e.contract_starts_on) = 2 AND extract(day FROM e.contract_starts_on) = 29 "
                "THEN 28 ELSE CAST(extract(day FROM e.contract_starts_on) AS integer) END)")
    if month_day is not None:
        return f"printf('%04d-{month_day}', {year})"
    return (f"printf('%04d-%s', {year}, CASE WHEN substr(e.contract_starts_on, 6, 5) = '02-29' THEN '02-28' "
            "ELSE substr(e.contract_starts_on, 6, 5) END)")


def _window_sql(dialect: str) -> tuple[str, str]:
    """``rules.progress_window`` in SQL for the year {0}: the first and last day whose verified JP count."""
    contract = "e.employment_type = 'PPPK' AND e.contract_starts_on IS NOT NULL"
    next_year = "({0} + 1)"
    if dialect == "postgres":
        last = f"({_day_sql(dialect, next_year)} - 1)"
    else:
        last = f"date({_day_sql(dialect, next_year)}, '-1 day')"
    return (f"CASE WHEN {contract} THEN {_day_sql(dialect, '{0}')} ELSE {_day_sql(dialect, '{0}', '01-01')} END",
            f"CASE WHEN {contract} THEN {last} ELSE {_day_sql(dialect, '{0}', '12-31')} END")


def _rule_sql() -> str:
    """``rules.JP_RULES`` in SQL."""
    cases = " ".join(f"WHEN '{kind.value}' THEN '{rule.value}'" for kind, rule in rules.JP_RULES.items())
    return f"CASE e.employment_type {cases} END"


def _progress_rows(dialect: str, alias: str) -> str:
    """Employees of the tenant (of the org unit {1} and its sub-units, when given) with their figures of
    the year {0}: the rule (a PNS target per calendar year, a PPPK cap per contract year), the days that
    count, the yearly JP, the verified JP summed by the database over those days, what remains (of a
    target: the shortfall; of a cap: the allowance)."""
    unit = "CAST({1} AS uuid)" if dialect == "postgres" else "{1}"
    starts_on, ends_on = _window_sql(dialect)
    target = f"'{rules.JpRule.TARGET_CALENDAR_YEAR.value}'"
    return (
        "(SELECT p.*, CASE WHEN p.target_jp > p.verified_jp THEN p.target_jp - p.verified_jp ELSE 0 END AS remaining_jp, "
        f"CASE WHEN p.rule = {target} AND p.target_jp > p.verified_jp THEN p.target_jp - p.verified_jp ELSE 0 END "
        "AS shortfall_jp "
        "FROM (SELECT w.*, (SELECT coalesce(sum(r.jp), 0) FROM training_record r WHERE r.tenant_id = w.tenant_id "
        "AND r.employee_id = w.id AND r.status = 'VERIFIED' AND ("
        f"(w.rule = {target} AND r.year = {{0}}) OR (w.rule <> {target} AND r.starts_on >= w.starts_on "
        "AND r.starts_on <= w.ends_on))) AS verified_jp "
        "FROM (SELECT e.id, e.tenant_id, e.name, e.org_unit_id, e.active, {0} AS year, "
        f"{_target_sql(dialect)} AS target_jp, {_rule_sql()} AS rule, {starts_on} AS starts_on, {ends_on} AS ends_on "
        f"FROM employee e WHERE e.tenant_id = {{tenant}} AND ({unit} IS NULL OR e.org_unit_id IN ("
        "WITH RECURSIVE sub(id) AS (SELECT o.id FROM org_unit o WHERE o.tenant_id = {tenant} "
        f"AND o.id = {unit} UNION SELECT o.id FROM org_unit o JOIN sub ON o.parent_id = sub.id "
        f"WHERE o.tenant_id = {{tenant}}) SELECT id FROM sub))) w) p) {alias}")


def _unit_rows(dialect: str) -> str:
    """The totals of the active employees of such progress rows within the reader's training scope
    (``training_scope``)."""
    return ("(SELECT {0} AS year, count(*) AS employees, "
            "coalesce(sum(CASE WHEN m.shortfall_jp = 0 THEN 1 ELSE 0 END), 0) AS employees_meeting_target, "
            "coalesce(sum(m.target_jp), 0) AS target_jp, coalesce(sum(m.verified_jp), 0) AS verified_jp "
            f"FROM {_progress_rows(dialect, 'm')} WHERE m.active AND m.id IN (SELECT id FROM training_scope)) {{t}}")


def training_scope(scopes: frozenset[str], _column: str) -> tuple[list[str], str]:
    """The employees whose training the reader may read, as the CTE ``training_scope`` that totals
    over several employees read from."""
    ctes, condition = scope_sql(scopes, "e.id")
    return ctes + ["training_scope(id) AS (SELECT e.id FROM employee e WHERE e.tenant_id = {tenant} "
                   f"AND {condition})"], "TRUE"


READ_TRAINING_OF_EMPLOYEE = employee_rows("training", "read")


@sql.table(source=sql.Dialects(_progress_rows("postgres", "{t}"), _progress_rows("sqlite", "{t}")),
           access=READ_TRAINING_OF_EMPLOYEE,
           description="Verified JP of one employee against the yearly JP of his or her employment type: a PNS "
                       "target per calendar year (20 JP), a PPPK cap per contract year (24 JP), unless the tenant "
                       "says otherwise.")
class TrainingProgress:
    employee: Employee = sql.join("id")
    year: int
    rule: JpRule = strawberry.field(description="Aturan JP: a target per calendar year (PNS) or a cap per contract "
                                                "year (PPPK).")
    starts_on: dt.date = strawberry.field(description="Awal: the first day whose verified JP count (1 January, or "
                                                      "the contract anniversary in the year for PPPK).")
    ends_on: dt.date = strawberry.field(description="Akhir: the last day whose verified JP count.")
    target_jp: int = strawberry.field(description="Target (PNS) or cap (PPPK) in JP.")
    verified_jp: int = strawberry.field(description="JP of verified records in the window.")
    remaining_jp: int = strawberry.field(description="Sisa: JP missing from the target, or the allowance left "
                                                     "under the cap.")


@sql.table(source=sql.Dialects(_unit_rows("postgres"), _unit_rows("sqlite")),
           access=sql.Access("training", "read", rows=training_scope), order=("year",),
           description="JP progress of the employees of a unit subtree (or of the tenant) within the viewer's scope.")
class UnitTrainingProgress:
    year: int
    employees: int
    employees_meeting_target: int
    target_jp: int
    verified_jp: int
    below_target: list[TrainingProgress] = sql.rows(
        where=(sql.where("{t}.active AND {t}.shortfall_jp > 0"),), order=("-shortfall_jp", "name", "id"), access=True,
        description="Employees below their target, most JP missing first (a PPPK cap is no target).")


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
    def from_model(cls, m: RuleModel) -> RecommendationRule:
        return cls(trigger=m.trigger, topic=m.topic)


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
        return sql.Row(where=(sql.eq("id", employee),), values=(year, None), access=True,
                       missing=lambda: NotFound("Employee not found", field="employeeId"))

    @sql.builder(description="JP progress of a unit subtree (or the tenant when orgUnitId is omitted), "
                             "within the viewer's scope.")
    def unit_training_progress(self, year: int, org_unit_id: strawberry.ID | None = None) -> UnitTrainingProgress:
        unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
        guard = sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                           access=False) if unit is not None else None
        return sql.Row(values=(year, unit), access=True, guard=guard)

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
