"""GraphQL of performance plans (SKP): types, queries, mutations and live subscriptions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from decimal import Decimal

import strawberry
from strawberry.types import Info

from kinerja.core.db import tenant_transaction
from kinerja.core.errors import NotFound
from kinerja.core.events import hub
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.core.numbers import tidy
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee, Period
from kinerja.org.scoping import employee_rows
from kinerja.plans import realisation, service
from kinerja.plans.evidence import download_path
from kinerja.plans.models import Evidence as EvidenceModel
from kinerja.plans.models import Feedback as FeedbackModel
from kinerja.plans.models import Indicator as IndicatorModel
from kinerja.plans.models import PerformancePlan as PlanModel
from kinerja.plans.models import Realisation as RealisationModel
from kinerja.plans.models import ResultTarget as ResultModel
from kinerja.plans.rules import Approach, Aspect, BerakhlakValue, PlanStatus, ResultKind

strawberry.enum(PlanStatus, description="SKP workflow state.")
strawberry.enum(Approach, description="Pendekatan SKP: kuantitatif or kualitatif.")
strawberry.enum(ResultKind, description="RHK utama (main) or tambahan (additional).")
strawberry.enum(Aspect, description="Aspek indikator: kuantitas, kualitas, waktu, biaya.")
strawberry.enum(BerakhlakValue, description="The seven BerAKHLAK core values (perilaku kerja).")


READ_PLANS = employee_rows("plan", "read", "employee_id")
# Realisations in the order of their periods.
WITH_PERIOD = "JOIN period {j} ON {j}.tenant_id = {t}.tenant_id AND {j}.id = {t}.period_id"
PERIOD_ORDER = ("{j}.starts_on", "{j}.ends_on", "{t}.id")


@sql.table(EvidenceModel, description="Bukti dukung: a link or a stored file with its SHA-256.")
class Evidence:
    id: strawberry.ID
    url: str | None
    file_name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    download_path: str | None = sql.derived(
        download_path, "id", "sha256",
        description="For files: GET this path with the same Bearer token to download the file.")


@sql.table(RealisationModel, description="Realisasi of one indicator in one period.")
class Realisation(Node):
    value: Decimal | None
    narrative: str
    updated_at: dt.datetime
    period: Period = sql.join("period_id")
    evidence: list[Evidence] = sql.rows(on={"realisation_id": "id"}, order=("created_at", "id"))


@sql.table(IndicatorModel, description="Indikator kinerja individu with aspect and target.")
class Indicator(Node):
    aspect: Aspect
    description: str
    target_value: Decimal | None
    target_unit: str | None
    target_text: str | None = strawberry.field(description="Qualitative target, when there is no value.")
    realisations: list[Realisation] = sql.rows(on={"indicator_id": "id"}, joins=WITH_PERIOD, order=PERIOD_ORDER,
                                               description="Realisations in period order.")
    latest_realisation: Realisation | None = sql.row(
        on={"indicator_id": "id"}, joins=WITH_PERIOD, order=tuple("-" + key for key in PERIOD_ORDER),
        description="The realisation of the latest period reported.")


@sql.table(ResultModel, description="RHK (rencana hasil kerja); `parent` is the supervisor's RHK it contributes to.")
class ResultTarget(Node):
    kind: ResultKind
    description: str
    position: int
    indicators: list[Indicator] = sql.rows(on={"result_id": "id"}, order=("position", "id"))
    parent: ResultTarget | None = sql.join("parent_id", description="Intervensi: the supervisor's RHK this one "
                                                                    "contributes to.")


@strawberry.type(description="Ekspektasi khusus pimpinan for one BerAKHLAK value.")
class BehaviourExpectation:
    value: BerakhlakValue
    expectation: str | None


def behaviour_expectations(stored: dict | None) -> list[BehaviourExpectation]:
    """All seven BerAKHLAK values, with the leader's expectation where one is set."""
    stored = stored or {}
    return [BehaviourExpectation(value=v, expectation=stored.get(v.value)) for v in BerakhlakValue]


@strawberry.type(description="Progress of a plan in one period.")
class PlanProgress:
    indicators: int
    realised: int = strawberry.field(description="Indicators with a realisation in the period.")
    share_realised: Decimal = strawberry.field(description="realised / indicators, 0..1")
    achievement: Decimal | None = strawberry.field(
        description="Mean share of target reached over indicators with a numeric target, 0..1 "
                    "(for WAKTU and BIAYA the target is a ceiling).")


def plan_progress(rows: list) -> PlanProgress:
    p = realisation.progress_of_rows(rows)
    return PlanProgress(indicators=p.indicators, realised=p.realised, share_realised=tidy(p.share_realised),
                        achievement=tidy(p.achievement))


@sql.table(FeedbackModel, description="Umpan balik on a plan or one of its realisations.")
class Feedback(Node):
    body: str
    created_at: dt.datetime
    author: Employee | None = sql.join("author_employee_id")
    realisation_id: strawberry.ID | None = sql.global_id("Realisation", "realisation_id")
    reply_to_id: strawberry.ID | None = sql.global_id("Feedback", "reply_to_id")


@sql.table(PlanModel, access=READ_PLANS, node=True, not_found=lambda: NotFound("Performance plan not found", field="id"),
           description="SKP (Sasaran Kinerja Pegawai): one employee's performance plan for a year.")
class PerformancePlan(Node):
    year: int
    revision: int
    approach: Approach
    status: PlanStatus
    return_reason: str | None
    resource_support: str = strawberry.field(description="Lampiran: dukungan sumber daya.")
    accountability_scheme: str = strawberry.field(description="Lampiran: skema pertanggungjawaban.")
    consequences: str = strawberry.field(description="Lampiran: konsekuensi.")
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    employee: Employee = sql.join("employee_id")
    approver: Employee | None = sql.join("approver_id", description="The direct supervisor who decides on the "
                                                                    "submitted plan.")
    behaviour_expectations: list[BehaviourExpectation] = sql.derived(
        behaviour_expectations, "behaviour_expectations",
        description="Perilaku kerja: all seven BerAKHLAK values with the leader's expectations.")
    results: list[ResultTarget] = sql.rows(on={"plan_id": "id"}, order=("position", "id"),
                                           description="RHK of this plan, in order.")
    feedback: list[Feedback] = sql.rows(on={"plan_id": "id"}, order=("created_at", "id"),
                                        description="Feedback threads, oldest first.")
    history: list[PerformancePlan] = sql.rows(on={"employee_id": "employee_id", "year": "year"}, order=("revision",),
                                              access=True, description="Every revision of this plan, oldest first.")

    @sql.builder(description="Progress in one period.")
    def progress(self, period_id: strawberry.ID) -> PlanProgress:
        period = parse_input_id(period_id, "Period", "periodId")
        return sql.Value(plan_progress, (sql.json_list(
            ["i.id", "i.aspect", "CAST(i.target_value AS TEXT)", "CAST(r.value AS TEXT)", "r.id IS NOT NULL"],
            "result_target rt JOIN indicator i ON i.tenant_id = rt.tenant_id AND i.result_id = rt.id "
            "LEFT JOIN realisation r ON r.tenant_id = rt.tenant_id AND r.indicator_id = i.id AND r.period_id = {0}",
            "rt.tenant_id = {tenant} AND rt.plan_id = {t}.id", ["rt.position", "rt.id", "i.position", "i.id"],
            period),))


@sql.table(ResultModel, description="One subordinate RHK contributing to a supervisor's RHK.")
class Contribution:
    result: ResultTarget = sql.join("id")
    plan: PerformancePlan = sql.join("plan_id")
    employee: Employee = sql.join(
        "(SELECT pp.employee_id FROM performance_plan pp WHERE pp.tenant_id = {tenant} AND pp.id = {p}.plan_id)")


@sql.table(ResultModel, description="Matriks peran hasil: an RHK and who contributes to it.")
class ResultMatrixRow:
    result: ResultTarget = sql.join("id")
    contributions: list[Contribution] = sql.rows(
        on={"parent_id": "id"}, order=("created_at", "id"),
        where=(sql.where("EXISTS (SELECT 1 FROM performance_plan pp WHERE pp.tenant_id = {tenant} "
                         "AND pp.id = {t}.plan_id AND pp.status <> 'SUPERSEDED')"),))


@strawberry.input
class PlanFilter:
    employee_id: strawberry.ID | None = None
    year: int | None = None
    status: PlanStatus | None = None
    awaiting_my_decision: bool = strawberry.field(
        default=False, description="Only plans whose approver is me (combine with status: SUBMITTED).")


@strawberry.input
class BehaviourExpectationInput:
    value: BerakhlakValue
    expectation: str


@strawberry.input
class CreatePerformancePlanInput:
    year: int
    approach: Approach = Approach.KUANTITATIF
    behaviour_expectations: list[BehaviourExpectationInput] | None = None


@strawberry.input
class UpdatePerformancePlanInput:
    id: strawberry.ID
    approach: Approach | None = None
    behaviour_expectations: list[BehaviourExpectationInput] | None = None
    resource_support: str | None = None
    accountability_scheme: str | None = None
    consequences: str | None = None


@strawberry.input
class PlanIdInput:
    id: strawberry.ID


@strawberry.input
class ReturnPerformancePlanInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class CopyPerformancePlanInput:
    source_plan_id: strawberry.ID
    year: int


@strawberry.input
class ClosePerformancePlansInput:
    year: int


@strawberry.input
class AddResultTargetInput:
    plan_id: strawberry.ID
    kind: ResultKind
    description: str
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="The supervisor's RHK (intervensi).")


@strawberry.input
class UpdateResultTargetInput:
    id: strawberry.ID
    kind: ResultKind | None = None
    description: str | None = None
    parent_id: strawberry.ID | None = None
    clear_parent: bool = False


@strawberry.input
class AddIndicatorInput:
    result_id: strawberry.ID
    aspect: Aspect
    description: str
    target_value: Decimal | None = None
    target_unit: str | None = None
    target_text: str | None = None


@strawberry.input
class UpdateIndicatorInput:
    id: strawberry.ID
    aspect: Aspect | None = None
    description: str | None = None
    target_value: Decimal | None = None
    target_unit: str | None = None
    target_text: str | None = None


@strawberry.input(description="A link (url), or a file (fileName, contentType, contentBase64; at most 5 MB; "
                              "PDF, PNG, JPEG, DOCX or XLSX).")
class EvidenceInput:
    url: str | None = None
    file_name: str | None = None
    content_type: str | None = None
    content_base64: str | None = None


@strawberry.input
class RecordRealisationInput:
    indicator_id: strawberry.ID
    period_id: strawberry.ID
    value: Decimal | None = None
    narrative: str | None = None
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class GiveFeedbackInput:
    plan_id: strawberry.ID
    body: str
    realisation_id: strawberry.ID | None = None
    reply_to_id: strawberry.ID | None = None


@strawberry.type
class PerformancePlanPayload:
    plan: PerformancePlan | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResultTargetPayload:
    result_target: ResultTarget | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class IndicatorPayload:
    indicator: Indicator | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RemovePayload:
    removed_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RealisationPayload:
    realisation: Realisation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FeedbackPayload:
    feedback: Feedback | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ClosePerformancePlansPayload:
    closed: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)



def _expectations(items: list[BehaviourExpectationInput] | None):
    return None if items is None else [(i.value, i.expectation) for i in items]


@strawberry.type
class PlanQuery:
    @sql.builder(description="Plans the viewer may see (own, team, unit or tenant scope), newest year first.")
    def performance_plans(self, first: int | None = 20, after: str | None = None,
                          filter: PlanFilter | None = None) -> Connection[PerformancePlan]:
        where = []
        if filter is not None:
            employee = parse_input_id(filter.employee_id, "Employee", "employeeId")
            if employee is not None:
                where.append(sql.eq("employee_id", employee))
            if filter.year is not None:
                where.append(sql.eq("year", filter.year))
            if filter.status is not None:
                where.append(sql.eq("status", filter.status))
            if filter.awaiting_my_decision:
                where.append(sql.is_me("approver_id"))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-year", "id"), access=True)

    @sql.builder
    def performance_plan(self, id: strawberry.ID) -> PerformancePlan:
        plan = parse_input_id(id, "PerformancePlan", "id")
        return sql.Row(where=(sql.eq("id", plan),), access=True,
                       missing=lambda: NotFound("Performance plan not found", field="id"))

    @sql.builder(description="Matriks peran hasil of a (supervisor's) plan.")
    def result_matrix(self, plan_id: strawberry.ID) -> list[ResultMatrixRow]:
        plan = parse_input_id(plan_id, "PerformancePlan", "planId")
        return sql.Rows(where=(sql.eq("plan_id", plan),), order=("position", "id"), guard=sql.Exists(
            "PerformancePlan", (sql.eq("id", plan),), lambda: NotFound("Performance plan not found", field="planId")))


def _plan_payload(plan) -> dict:
    return {"plan": sql.ref("PerformancePlan", plan.id)}


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="Start my plan for a year (as a DRAFT).")
    async def create_performance_plan(self, info: Info, input: CreatePerformancePlanInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.create_plan(info.context, input.year, input.approach,
                                                           _expectations(input.behaviour_expectations)))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Change a draft's approach, BerAKHLAK expectations or lampiran.")
    async def update_performance_plan(self, info: Info, input: UpdatePerformancePlanInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.update_plan(
                info.context, parse_input_id(input.id, "PerformancePlan", "id"), approach=input.approach,
                expectations=_expectations(input.behaviour_expectations), resource_support=input.resource_support,
                accountability_scheme=input.accountability_scheme, consequences=input.consequences))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation
    async def add_result_target(self, info: Info, input: AddResultTargetInput) -> ResultTargetPayload:
        async def work():
            row = await service.add_result_target(info.context, parse_input_id(input.plan_id, "PerformancePlan", "planId"),
                                                  input.kind, input.description,
                                                  parse_input_id(input.parent_id, "ResultTarget", "parentId"))
            return {"result_target": sql.ref("ResultTarget", row.id)}
        return await run_mutation(info, ResultTargetPayload, work)

    @strawberry.mutation
    async def update_result_target(self, info: Info, input: UpdateResultTargetInput) -> ResultTargetPayload:
        async def work():
            row = await service.update_result_target(
                info.context, parse_input_id(input.id, "ResultTarget", "id"), kind=input.kind, description=input.description,
                parent_id=parse_input_id(input.parent_id, "ResultTarget", "parentId"), clear_parent=input.clear_parent)
            return {"result_target": sql.ref("ResultTarget", row.id)}
        return await run_mutation(info, ResultTargetPayload, work)

    @strawberry.mutation
    async def remove_result_target(self, info: Info, input: PlanIdInput) -> RemovePayload:
        async def work():
            removed = await service.remove_result_target(info.context, parse_input_id(input.id, "ResultTarget", "id"))
            return {"removed_id": to_global_id("ResultTarget", removed)}
        return await run_mutation(info, RemovePayload, work)

    @strawberry.mutation
    async def add_indicator(self, info: Info, input: AddIndicatorInput) -> IndicatorPayload:
        async def work():
            row = await service.add_indicator(info.context, parse_input_id(input.result_id, "ResultTarget", "resultId"),
                                              input.aspect, input.description, input.target_value,
                                              input.target_unit, input.target_text)
            return {"indicator": sql.ref("Indicator", row.id)}
        return await run_mutation(info, IndicatorPayload, work)

    @strawberry.mutation
    async def update_indicator(self, info: Info, input: UpdateIndicatorInput) -> IndicatorPayload:
        async def work():
            row = await service.update_indicator(info.context, parse_input_id(input.id, "Indicator", "id"), aspect=input.aspect,
                                                 description=input.description, target_value=input.target_value,
                                                 target_unit=input.target_unit, target_text=input.target_text)
            return {"indicator": sql.ref("Indicator", row.id)}
        return await run_mutation(info, IndicatorPayload, work)

    @strawberry.mutation
    async def remove_indicator(self, info: Info, input: PlanIdInput) -> RemovePayload:
        async def work():
            removed = await service.remove_indicator(info.context, parse_input_id(input.id, "Indicator", "id"))
            return {"removed_id": to_global_id("Indicator", removed)}
        return await run_mutation(info, RemovePayload, work)

    @strawberry.mutation(description="Send my draft to my direct supervisor.")
    async def submit_performance_plan(self, info: Info, input: PlanIdInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.submit_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Approve a submitted plan (its approver only).")
    async def approve_performance_plan(self, info: Info, input: PlanIdInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.approve_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Return a submitted plan with a reason (its approver only).")
    async def return_performance_plan(self, info: Info, input: ReturnPerformancePlanInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.return_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id"),
                                                           input.reason))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Open a new revision (a draft copy) of my approved plan.")
    async def revise_performance_plan(self, info: Info, input: PlanIdInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.revise_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Start a year's plan as a copy of an earlier plan of mine.")
    async def copy_performance_plan(self, info: Info, input: CopyPerformancePlanInput) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.copy_plan(
                info.context, parse_input_id(input.source_plan_id, "PerformancePlan", "sourcePlanId"), input.year))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Close every approved plan of a year (HR, at year end).")
    async def close_performance_plans(self, info: Info, input: ClosePerformancePlansInput) -> ClosePerformancePlansPayload:
        async def work():
            return {"closed": await service.close_year(info.context, input.year)}
        return await run_mutation(info, ClosePerformancePlansPayload, work)

    @strawberry.mutation(description="Report (or correct) an indicator's realisation in a period, with evidence.")
    async def record_realisation(self, info: Info, input: RecordRealisationInput) -> RealisationPayload:
        async def work():
            realisation_id = await realisation.record_realisation(
                info.context, parse_input_id(input.indicator_id, "Indicator", "indicatorId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.value, input.narrative,
                [realisation.EvidenceInput(e.url, e.file_name, e.content_type, e.content_base64)
                 for e in input.evidence])
            return {"realisation": sql.ref("Realisation", realisation_id)}
        return await run_mutation(info, RealisationPayload, work)

    @strawberry.mutation(description="Comment on a plan or a realisation, or reply to a comment.")
    async def give_feedback(self, info: Info, input: GiveFeedbackInput) -> FeedbackPayload:
        async def work():
            row = await realisation.give_feedback(
                info.context, parse_input_id(input.plan_id, "PerformancePlan", "planId"),
                parse_input_id(input.realisation_id, "Realisation", "realisationId"),
                parse_input_id(input.reply_to_id, "Feedback", "replyToId"), input.body)
            return {"feedback": sql.ref("Feedback", row.id)}
        return await run_mutation(info, FeedbackPayload, work)


@strawberry.type(description="Something happened to a plan: a status change, a realisation or feedback.")
class PlanEvent:
    kind: str = strawberry.field(description="PLAN_CREATED, PLAN_SUBMITTED, PLAN_APPROVED, PLAN_RETURNED, "
                                             "PLAN_REVISED, REALISATION_RECORDED, REALISATION_UPDATED, FEEDBACK_GIVEN")
    plan_id: strawberry.ID
    subject_id: strawberry.ID = strawberry.field(description="The plan, realisation or feedback concerned.")
    status: str | None


def _event(event) -> PlanEvent:
    subject_type = {"REALISATION_RECORDED": "Realisation", "REALISATION_UPDATED": "Realisation",
                    "FEEDBACK_GIVEN": "Feedback"}.get(event.kind, "PerformancePlan")
    return PlanEvent(kind=event.kind, plan_id=to_global_id("PerformancePlan", event.plan_id),
                     subject_id=to_global_id(subject_type, event.subject_id), status=event.extra.get("status"))


async def _visible(ctx, plan_id: uuid.UUID) -> bool:
    """Checked afresh for every event, so a revoked permission stops delivery."""
    ctx.cache.clear()
    ctx.loaders.clear()
    async with tenant_transaction(ctx.require_tenant(), user_id=ctx.require_actor().user_id):
        return await realisation.may_see_plan(ctx, plan_id)


@strawberry.type
class PlanSubscription:
    @strawberry.subscription(description="Live events of one plan the viewer may see.")
    async def plan_events(self, info: Info, plan_id: strawberry.ID) -> AsyncGenerator[PlanEvent, None]:
        ctx = info.context
        actor = ctx.require_actor()
        wanted = parse_input_id(plan_id, "PerformancePlan", "planId")
        if not await _visible(ctx, wanted):
            raise NotFound("Performance plan not found", field="planId")
        async for event in hub.subscribe(actor.tenant_id):
            if event.plan_id != wanted:
                continue
            if not await _visible(ctx, wanted):
                return
            yield _event(event)

    @strawberry.subscription(description="Live events of my own plans and of plans I may see as a supervisor.")
    async def my_events(self, info: Info) -> AsyncGenerator[PlanEvent, None]:
        ctx = info.context
        actor = ctx.require_actor()
        async for event in hub.subscribe(actor.tenant_id):
            if event.plan_id is not None and await _visible(ctx, event.plan_id):
                yield _event(event)
