"""GraphQL of performance plans (SKP): types, queries, mutations and live subscriptions."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from decimal import Decimal

import strawberry
from strawberry.types import Info

from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.core.db import tenant_transaction
from kinerja.core.errors import NotFound
from kinerja.core.events import hub
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.core.numbers import tidy
from kinerja.org.graphql import Employee, Period, employees_by_id
from kinerja.plans import loaders, realisation, service
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


async def _employee(info: Info, employee_id: uuid.UUID | None) -> Employee | None:
    if employee_id is None:
        return None
    row = await loader(info.context, "employee", employees_by_id).load(employee_id)
    return Employee.from_model(row) if row else None


@strawberry.type(description="Bukti dukung: a link or a stored file with its SHA-256.")
class Evidence:
    id: strawberry.ID
    url: str | None
    file_name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    download_path: str | None = strawberry.field(
        description="For files: GET this path with the same Bearer token to download the file.")

    @classmethod
    def from_model(cls, m: EvidenceModel) -> "Evidence":
        gid = to_global_id("Evidence", m.id)
        return cls(id=gid, url=m.url, file_name=m.file_name, content_type=m.content_type, size=m.size,
                   sha256=m.sha256, download_path=f"/evidence/{gid}" if m.sha256 else None)


@strawberry.type(description="Realisasi of one indicator in one period.")
class Realisation(Node):
    value: Decimal | None
    narrative: str
    updated_at: dt.datetime
    _model: strawberry.Private[RealisationModel]

    @classmethod
    def from_model(cls, m: RealisationModel) -> "Realisation":
        return cls(id=to_global_id("Realisation", m.id), value=tidy(m.value), narrative=m.narrative,
                   updated_at=m.updated_at, _model=m)

    @strawberry.field
    async def period(self, info: Info) -> Period:
        row = await loader(info.context, "period", loaders.periods_by_id).load(self._model.period_id)
        return Period.from_model(row)

    @strawberry.field
    async def evidence(self, info: Info) -> list[Evidence]:
        rows = await loader(info.context, "evidence", loaders.evidence_by_realisation).load(self._model.id)
        return [Evidence.from_model(r) for r in rows]


@strawberry.type(description="Indikator kinerja individu with aspect and target.")
class Indicator(Node):
    aspect: Aspect
    description: str
    target_value: Decimal | None
    target_unit: str | None
    target_text: str | None = strawberry.field(description="Qualitative target, when there is no value.")
    _model: strawberry.Private[IndicatorModel]

    @classmethod
    def from_model(cls, m: IndicatorModel) -> "Indicator":
        return cls(id=to_global_id("Indicator", m.id), aspect=m.aspect, description=m.description,
                   target_value=tidy(m.target_value), target_unit=m.target_unit, target_text=m.target_text, _model=m)

    async def _realisations(self, info: Info) -> list[RealisationModel]:
        return await loader(info.context, "realisations", loaders.realisations_by_indicator).load(self._model.id)

    @strawberry.field(description="Realisations in period order.")
    async def realisations(self, info: Info) -> list[Realisation]:
        return [Realisation.from_model(r) for r in await self._realisations(info)]

    @strawberry.field(description="The realisation of the latest period reported.")
    async def latest_realisation(self, info: Info) -> Realisation | None:
        rows = await self._realisations(info)
        return Realisation.from_model(rows[-1]) if rows else None


@strawberry.type(description="RHK (rencana hasil kerja); `parent` is the supervisor's RHK it contributes to.")
class ResultTarget(Node):
    kind: ResultKind
    description: str
    position: int
    _model: strawberry.Private[ResultModel]

    @classmethod
    def from_model(cls, m: ResultModel) -> "ResultTarget":
        return cls(id=to_global_id("ResultTarget", m.id), kind=m.kind, description=m.description,
                   position=m.position, _model=m)

    @strawberry.field
    async def indicators(self, info: Info) -> list[Indicator]:
        rows = await loader(info.context, "indicators", loaders.indicators_by_result).load(self._model.id)
        return [Indicator.from_model(r) for r in rows]

    @strawberry.field(description="Intervensi: the supervisor's RHK this one contributes to.")
    async def parent(self, info: Info) -> ResultTarget | None:
        if self._model.parent_id is None:
            return None
        row = await loader(info.context, "result", loaders.results_by_id).load(self._model.parent_id)
        return ResultTarget.from_model(row) if row else None


@strawberry.type(description="Ekspektasi khusus pimpinan for one BerAKHLAK value.")
class BehaviourExpectation:
    value: BerakhlakValue
    expectation: str | None


@strawberry.type(description="Progress of a plan in one period.")
class PlanProgress:
    indicators: int
    realised: int = strawberry.field(description="Indicators with a realisation in the period.")
    share_realised: Decimal = strawberry.field(description="realised / indicators, 0..1")
    achievement: Decimal | None = strawberry.field(
        description="Mean share of target reached over indicators with a numeric target, 0..1 "
                    "(for WAKTU and BIAYA the target is a ceiling).")


@strawberry.type(description="Umpan balik on a plan or one of its realisations.")
class Feedback(Node):
    body: str
    created_at: dt.datetime
    _model: strawberry.Private[FeedbackModel]

    @classmethod
    def from_model(cls, m: FeedbackModel) -> "Feedback":
        return cls(id=to_global_id("Feedback", m.id), body=m.body, created_at=m.created_at, _model=m)

    @strawberry.field
    async def author(self, info: Info) -> Employee | None:
        return await _employee(info, self._model.author_employee_id)

    @strawberry.field
    def realisation_id(self) -> strawberry.ID | None:
        return to_global_id("Realisation", self._model.realisation_id) if self._model.realisation_id else None

    @strawberry.field
    def reply_to_id(self) -> strawberry.ID | None:
        return to_global_id("Feedback", self._model.reply_to_id) if self._model.reply_to_id else None


@strawberry.type(description="SKP (Sasaran Kinerja Pegawai): one employee's performance plan for a year.")
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
    _model: strawberry.Private[PlanModel]

    @classmethod
    def from_model(cls, m: PlanModel) -> "PerformancePlan":
        return cls(id=to_global_id("PerformancePlan", m.id), year=m.year, revision=m.revision, approach=m.approach,
                   status=m.status, return_reason=m.return_reason, resource_support=m.resource_support,
                   accountability_scheme=m.accountability_scheme, consequences=m.consequences,
                   submitted_at=m.submitted_at, approved_at=m.approved_at, _model=m)

    @strawberry.field
    async def employee(self, info: Info) -> Employee:
        return await _employee(info, self._model.employee_id)

    @strawberry.field(description="The direct supervisor who decides on the submitted plan.")
    async def approver(self, info: Info) -> Employee | None:
        return await _employee(info, self._model.approver_id)

    @strawberry.field(description="Perilaku kerja: all seven BerAKHLAK values with the leader's expectations.")
    def behaviour_expectations(self) -> list[BehaviourExpectation]:
        stored = self._model.behaviour_expectations or {}
        return [BehaviourExpectation(value=v, expectation=stored.get(v.value)) for v in BerakhlakValue]

    @strawberry.field(description="RHK of this plan, in order.")
    async def results(self, info: Info) -> list[ResultTarget]:
        rows = await loader(info.context, "results", loaders.results_by_plan).load(self._model.id)
        return [ResultTarget.from_model(r) for r in rows]

    @strawberry.field(description="Feedback threads, oldest first.")
    async def feedback(self, info: Info) -> list[Feedback]:
        rows = await loader(info.context, "feedback", loaders.feedback_by_plan).load(self._model.id)
        return [Feedback.from_model(r) for r in rows]

    @strawberry.field(description="Every revision of this plan, oldest first.")
    async def history(self, info: Info) -> list[PerformancePlan]:
        return [PerformancePlan.from_model(p) for p in await service.history(info.context, self._model)]

    @strawberry.field(description="Progress in one period.")
    async def progress(self, info: Info, period_id: strawberry.ID) -> PlanProgress:
        period = parse_input_id(period_id, "Period", "periodId")
        results = await loader(info.context, "results", loaders.results_by_plan).load(self._model.id)
        per_result = await asyncio.gather(*[
            loader(info.context, "indicators", loaders.indicators_by_result).load(r.id) for r in results])
        indicators = [i for group in per_result for i in group]
        per_indicator = await asyncio.gather(*[
            loader(info.context, "realisations", loaders.realisations_by_indicator).load(i.id) for i in indicators])
        found = {i.id: r for i, rows in zip(indicators, per_indicator) for r in rows if r.period_id == period}
        p = realisation.progress_of(indicators, found)
        return PlanProgress(indicators=p.indicators, realised=p.realised, share_realised=tidy(p.share_realised),
                            achievement=tidy(p.achievement))


@strawberry.type(description="One subordinate RHK contributing to a supervisor's RHK.")
class Contribution:
    result: ResultTarget
    plan: PerformancePlan

    @strawberry.field
    async def employee(self, info: Info) -> Employee:
        return await self.plan.employee(info)


@strawberry.type(description="Matriks peran hasil: an RHK and who contributes to it.")
class ResultMatrixRow:
    result: ResultTarget
    contributions: list[Contribution]


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
    @strawberry.field(description="Plans the viewer may see (own, team, unit or tenant scope), newest year first.")
    async def performance_plans(self, info: Info, first: int | None = 20, after: str | None = None,
                                filter: PlanFilter | None = None) -> Connection[PerformancePlan]:
        flt = service.PlanFilter()
        if filter is not None:
            flt = service.PlanFilter(employee_id=parse_input_id(filter.employee_id, "Employee", "employeeId"),
                                     year=filter.year, status=filter.status,
                                     approver_is_me=filter.awaiting_my_decision)
        page = await service.list_plans(info.context, flt, first, after)
        return Connection[PerformancePlan](**connection_from_page(page, PerformancePlan.from_model))

    @strawberry.field
    async def performance_plan(self, info: Info, id: strawberry.ID) -> PerformancePlan:
        return PerformancePlan.from_model(await service.get_plan(info.context, parse_input_id(id, "PerformancePlan", "id")))

    @strawberry.field(description="Matriks peran hasil of a (supervisor's) plan.")
    async def result_matrix(self, info: Info, plan_id: strawberry.ID) -> list[ResultMatrixRow]:
        rows = await service.result_matrix(info.context, parse_input_id(plan_id, "PerformancePlan", "planId"))
        return [ResultMatrixRow(result=ResultTarget.from_model(r.result),
                                contributions=[Contribution(result=ResultTarget.from_model(c),
                                                            plan=PerformancePlan.from_model(p))
                                               for c, p in r.contributions])
                for r in rows]


def _plan_payload(plan) -> dict:
    return {"plan": PerformancePlan.from_model(plan)}


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
            return {"result_target": ResultTarget.from_model(row)}
        return await run_mutation(info, ResultTargetPayload, work)

    @strawberry.mutation
    async def update_result_target(self, info: Info, input: UpdateResultTargetInput) -> ResultTargetPayload:
        async def work():
            row = await service.update_result_target(
                info.context, parse_input_id(input.id, "ResultTarget", "id"), kind=input.kind, description=input.description,
                parent_id=parse_input_id(input.parent_id, "ResultTarget", "parentId"), clear_parent=input.clear_parent)
            return {"result_target": ResultTarget.from_model(row)}
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
            return {"indicator": Indicator.from_model(row)}
        return await run_mutation(info, IndicatorPayload, work)

    @strawberry.mutation
    async def update_indicator(self, info: Info, input: UpdateIndicatorInput) -> IndicatorPayload:
        async def work():
            row = await service.update_indicator(info.context, parse_input_id(input.id, "Indicator", "id"), aspect=input.aspect,
                                                 description=input.description, target_value=input.target_value,
                                                 target_unit=input.target_unit, target_text=input.target_text)
            return {"indicator": Indicator.from_model(row)}
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
            row = await realisation.record_realisation(
                info.context, parse_input_id(input.indicator_id, "Indicator", "indicatorId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.value, input.narrative,
                [realisation.EvidenceInput(e.url, e.file_name, e.content_type, e.content_base64)
                 for e in input.evidence])
            return {"realisation": Realisation.from_model(row)}
        return await run_mutation(info, RealisationPayload, work)

    @strawberry.mutation(description="Comment on a plan or a realisation, or reply to a comment.")
    async def give_feedback(self, info: Info, input: GiveFeedbackInput) -> FeedbackPayload:
        async def work():
            row = await realisation.give_feedback(
                info.context, parse_input_id(input.plan_id, "PerformancePlan", "planId"),
                parse_input_id(input.realisation_id, "Realisation", "realisationId"),
                parse_input_id(input.reply_to_id, "Feedback", "replyToId"), input.body)
            return {"feedback": Feedback.from_model(row)}
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


async def resolve_plan_node(ctx, object_id: uuid.UUID) -> PerformancePlan:
    return PerformancePlan.from_model(await service.get_plan(ctx, object_id))


NODE_RESOLVERS = {"PerformancePlan": resolve_plan_node}
