"""GraphQL of evaluations: ratings and the predicate, unit performance, the distribution guide,
credit points, dashboards."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import strawberry
from strawberry.types import Info

from kinerja.graph import sql
from kinerja.graph.loaders import loader
from kinerja.graph.relay import Connection, Node, UserError, connection_from_page, run_mutation
from kinerja.citizen.graphql import IkmValue
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.evaluations import rules, service
from kinerja.evaluations.models import Evaluation as EvaluationModel
from kinerja.evaluations.models import UnitPerformance as UnitPerformanceModel
from kinerja.evaluations.rules import EvaluationStatus, Predicate, Rating, UnitRating
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.service import employees_by_id, periods_by_id, positions_by_id
from kinerja.plans.graphql import PerformancePlan
from kinerja.plans.rules import BerakhlakValue, PlanStatus

strawberry.enum(Rating, description="Rating of results (hasil kerja) or behaviour (perilaku kerja).")
strawberry.enum(Predicate, description="Predikat kinerja pegawai, the cell of the rating matrix.")
strawberry.enum(UnitRating, description="Capaian kinerja organisasi (SE MenPANRB 3/2023).")
strawberry.enum(EvaluationStatus, description="DRAFT, FINAL (locked) or CORRECTED (replaced by a newer version).")



@strawberry.type
class BehaviourNote:
    value: BerakhlakValue
    note: str


@strawberry.type
class PredicateCount:
    predicate: Predicate
    label: str
    count: int
    percent: float


@strawberry.type(description="A departure from the distribution guide: a warning, not a block.")
class GuideBreach:
    message: str
    kind: str = strawberry.field(description="max, min or some")
    limit_percent: float
    actual_percent: float
    predicates: list[Predicate]


@strawberry.type(description="The employees' predicates in a unit and period against the guide for the unit's rating.")
class UnitDistribution:
    org_unit: OrgUnit
    period: Period
    unit_rating: UnitRating | None
    total: int
    final: int
    counts: list[PredicateCount]
    breaches: list[GuideBreach]
    sheet_path: str = strawberry.field(description="GET with the same Bearer token: the unit's predicate sheet (CSV).")


def _counts(counts: dict[Predicate, int]) -> list[PredicateCount]:
    total = sum(counts.values())
    return [PredicateCount(predicate=p, label=rules.LABELS[p], count=counts.get(p, 0),
                           percent=round(100 * counts.get(p, 0) / total, 1) if total else 0.0) for p in Predicate]


def _distribution(d: service.Distribution) -> UnitDistribution:
    return UnitDistribution(
        org_unit=sql.ref("OrgUnit", d.org_unit.id), period=sql.ref("Period", d.period.id), unit_rating=d.unit_rating,
        total=d.total, final=d.final, counts=_counts(d.counts),
        sheet_path=f"/documents/units/{to_global_id('OrgUnit', d.org_unit.id)}/predicates.csv"
                   f"?periodId={to_global_id('Period', d.period.id)}",
        breaches=[GuideBreach(message=b.message, kind=b.kind, limit_percent=b.limit, actual_percent=b.actual,
                              predicates=list(b.predicates)) for b in d.breaches])


@strawberry.type(description="Penilaian kinerja of an employee for a period (one version).")
class Evaluation(Node):
    version: int
    status: EvaluationStatus
    results_rating: Rating
    behaviour_rating: Rating
    results_from_unit: bool = strawberry.field(
        description="True for the head of a unit: the results rating is the unit's achievement.")
    predicate: Predicate
    predicate_label: str
    correction_reason: str | None
    finalized_at: dt.datetime | None
    _model: strawberry.Private[EvaluationModel]

    @classmethod
    def from_model(cls, m: EvaluationModel) -> "Evaluation":
        return cls(id=to_global_id("Evaluation", m.id), version=m.version, status=m.status,
                   results_rating=m.results_rating, behaviour_rating=m.behaviour_rating,
                   results_from_unit=m.results_from_unit, predicate=m.predicate,
                   predicate_label=rules.LABELS[m.predicate], correction_reason=m.correction_reason,
                   finalized_at=m.finalized_at, _model=m)

    @strawberry.field
    def employee(self) -> Employee:
        return sql.ref("Employee", self._model.employee_id)

    @strawberry.field(description="Pejabat penilai.")
    def assessor(self) -> Employee:
        return sql.ref("Employee", self._model.assessor_id)

    @strawberry.field
    def period(self) -> Period:
        return sql.ref("Period", self._model.period_id)

    @strawberry.field(description="Notes per BerAKHLAK value.")
    def notes(self) -> list[BehaviourNote]:
        return [BehaviourNote(value=BerakhlakValue(k), note=v) for k, v in (self._model.notes or {}).items()]

    @strawberry.field(description="Angka kredit for functional positions with a yearly coefficient, pro rata by month.")
    async def credit_points(self, info: Info) -> Decimal | None:
        ctx = info.context
        employee = await loader(ctx, "employee", employees_by_id).load(self._model.employee_id)
        if employee.position_id is None:
            return None
        position = await loader(ctx, "position", positions_by_id).load(employee.position_id)
        period = await loader(ctx, "period", periods_by_id).load(self._model.period_id)
        rule = await loader(ctx, "evaluation_rule", service.rules_by_year).load(period.year)
        return service.credit_points(self._model, position, period, rule)

    @strawberry.field(description="The distribution guide of the employee's rated unit, to read before finalizing.")
    async def guide(self, info: Info) -> UnitDistribution | None:
        d = await service.distribution_for_employee(info.context, self._model)
        return _distribution(d) if d else None

    @strawberry.field(description="GET with the same Bearer token: the Dokumen Evaluasi Kinerja Pegawai (PDF).")
    def document_path(self) -> str:
        return f"/documents/evaluations/{self.id}.pdf"

    @strawberry.field(description="Every version, oldest first.")
    async def history(self, info: Info) -> list[Evaluation]:
        return [Evaluation.from_model(e) for e in await service.history(info.context, self._model)]


@strawberry.type
class UnitPerformance:
    rating: UnitRating
    notes: str
    updated_at: dt.datetime

    @classmethod
    def from_model(cls, m: UnitPerformanceModel) -> "UnitPerformance":
        return cls(rating=m.rating, notes=m.notes, updated_at=m.updated_at)


@strawberry.type
class StatusCount:
    status: PlanStatus
    count: int


@strawberry.type(description="Citizen feedback on the unit's services in the period.")
class ComplaintHandling:
    received: int
    answered: int
    overdue: int


@strawberry.type(description="A unit's period at a glance.")
class UnitDashboard:
    org_unit: OrgUnit
    period: Period
    unit_rating: UnitRating | None
    employees: int
    plans_by_status: list[StatusCount]
    indicators: int = strawberry.field(description="Indicators of approved plans.")
    indicators_realised: int = strawberry.field(description="Of those, realised in the period.")
    evaluations_final: int
    evaluations_draft: int
    evaluations_due: int = strawberry.field(description="Employees without a final evaluation for the period.")
    predicate_counts: list[PredicateCount]
    ikm: IkmValue | None = strawberry.field(
        default=None, description="Citizen satisfaction (IKM) of the unit's services in the period: evidence for "
                                  "the organisation's rating.")
    complaints: ComplaintHandling | None = None


@strawberry.type
class TeamMemberOverview:
    employee: Employee
    plan: PerformancePlan | None
    evaluation: Evaluation | None = strawberry.field(description="The evaluation of the asked period (draft or final).")
    latest_evaluation: Evaluation | None = strawberry.field(
        description="The final evaluation of the latest evaluated period, whatever it is (the current predicate).")
    training_jp: int = strawberry.field(description="Verified training hours (JP) in the period's year.")


@strawberry.type
class TeamOverview:
    period: Period
    members: list[TeamMemberOverview]


@strawberry.input
class EvaluationFilter:
    period_id: strawberry.ID | None = None
    employee_id: strawberry.ID | None = None
    status: EvaluationStatus | None = None
    predicate: Predicate | None = None
    include_history: bool = False


@strawberry.input
class BehaviourNoteInput:
    value: BerakhlakValue
    note: str


@strawberry.input
class EvaluateEmployeeInput:
    employee_id: strawberry.ID
    period_id: strawberry.ID
    results_rating: Rating | None = strawberry.field(
        default=None, description="Ignored for the head of a rated unit (the unit's achievement is used).")
    behaviour_rating: Rating
    notes: list[BehaviourNoteInput] | None = None


@strawberry.input
class EvaluationIdInput:
    id: strawberry.ID


@strawberry.input
class CorrectEvaluationInput:
    id: strawberry.ID
    reason: str
    results_rating: Rating | None = None
    behaviour_rating: Rating | None = None
    notes: list[BehaviourNoteInput] | None = None


@strawberry.input
class SetUnitPerformanceInput:
    org_unit_id: strawberry.ID
    period_id: strawberry.ID
    rating: UnitRating
    notes: str | None = None


@strawberry.type
class EvaluationPayload:
    evaluation: Evaluation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnitPerformancePayload:
    unit_performance: UnitPerformance | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _dashboard(d: service.UnitDashboard) -> UnitDashboard:
    return UnitDashboard(org_unit=sql.ref("OrgUnit", d.org_unit.id), period=sql.ref("Period", d.period.id),
                         unit_rating=d.unit_rating, employees=d.employees,
                         plans_by_status=[StatusCount(status=PlanStatus(k), count=v) for k, v in d.plans_by_status.items()],
                         indicators=d.indicators, indicators_realised=d.indicators_realised,
                         evaluations_final=d.evaluations_final, evaluations_draft=d.evaluations_draft,
                         evaluations_due=d.employees - d.evaluations_final,
                         predicate_counts=_counts(d.predicate_counts),
                         ikm=IkmValue.build(d.ikm) if d.ikm else None,
                         complaints=ComplaintHandling(received=d.complaints.received, answered=d.complaints.answered,
                                                      overdue=d.complaints.overdue) if d.complaints else None)


def _notes(items):
    return None if items is None else [(i.value, i.note) for i in items]


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="Evaluations the viewer may see, newest first (current versions unless includeHistory).")
    async def evaluations(self, info: Info, first: int | None = 20, after: str | None = None,
                          filter: EvaluationFilter | None = None) -> Connection[Evaluation]:
        f = filter or EvaluationFilter()
        flt = service.EvaluationFilter(period_id=parse_input_id(f.period_id, "Period", "periodId"),
                                       employee_id=parse_input_id(f.employee_id, "Employee", "employeeId"),
                                       status=f.status, predicate=f.predicate, include_history=f.include_history)
        page = await service.list_evaluations(info.context, flt, first, after)
        return Connection[Evaluation](**connection_from_page(page, Evaluation.from_model))

    @strawberry.field
    async def unit_distribution(self, info: Info, org_unit_id: strawberry.ID, period_id: strawberry.ID) -> UnitDistribution:
        return _distribution(await service.unit_distribution(
            info.context, parse_input_id(org_unit_id, "OrgUnit", "orgUnitId"), parse_input_id(period_id, "Period", "periodId")))

    @strawberry.field(description="A unit's period: plans, realisation, evaluations, predicates.")
    async def unit_dashboard(self, info: Info, org_unit_id: strawberry.ID, period_id: strawberry.ID) -> UnitDashboard:
        return _dashboard(await service.unit_dashboard(info.context, parse_input_id(org_unit_id, "OrgUnit", "orgUnitId"),
                                                       parse_input_id(period_id, "Period", "periodId")))

    @strawberry.field(description="The tenant summary: one dashboard per top-level unit (perangkat daerah).")
    async def tenant_dashboard(self, info: Info, period_id: strawberry.ID) -> list[UnitDashboard]:
        _period, rows = await service.tenant_dashboard(info.context, parse_input_id(period_id, "Period", "periodId"))
        return [_dashboard(d) for d in rows]

    @strawberry.field(description="The viewer's team (all subordinates) with plan and evaluation for a period.")
    async def team_overview(self, info: Info, period_id: strawberry.ID) -> TeamOverview:
        period, members = await service.team_overview(info.context, parse_input_id(period_id, "Period", "periodId"))
        return TeamOverview(period=sql.ref("Period", period.id), members=[
            TeamMemberOverview(employee=sql.ref("Employee", m.employee.id),
                               plan=sql.ref("PerformancePlan", m.plan.id) if m.plan else None,
                               evaluation=Evaluation.from_model(m.evaluation) if m.evaluation else None,
                               latest_evaluation=Evaluation.from_model(m.latest_evaluation)
                               if m.latest_evaluation else None,
                               training_jp=m.training_jp)
            for m in members])

    @strawberry.field(description="Recognition list: the unit's best final annual predicates of a year.")
    async def top_performers(self, info: Info, org_unit_id: strawberry.ID, year: int, limit: int = 10) -> list[Evaluation]:
        rows = await service.top_performers(info.context, parse_input_id(org_unit_id, "OrgUnit", "orgUnitId"), year, limit)
        return [Evaluation.from_model(e) for e in rows]


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation(description="Rate an employee's results and behaviour for a period (a draft until finalized); "
                                     "the predicate follows from the tenant's matrix for the year.")
    async def evaluate_employee(self, info: Info, input: EvaluateEmployeeInput) -> EvaluationPayload:
        async def work():
            row = await service.evaluate_employee(
                info.context, parse_input_id(input.employee_id, "Employee", "employeeId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.results_rating, input.behaviour_rating,
                _notes(input.notes))
            return {"evaluation": Evaluation.from_model(row)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Lock a draft evaluation (check `guide` first).")
    async def finalize_evaluation(self, info: Info, input: EvaluationIdInput) -> EvaluationPayload:
        async def work():
            return {"evaluation": Evaluation.from_model(
                await service.finalize_evaluation(info.context, parse_input_id(input.id, "Evaluation", "id")))}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Correct a final evaluation: a new final version with a reason; the old one stays in history.")
    async def correct_evaluation(self, info: Info, input: CorrectEvaluationInput) -> EvaluationPayload:
        async def work():
            return {"evaluation": Evaluation.from_model(await service.correct_evaluation(
                info.context, parse_input_id(input.id, "Evaluation", "id"), input.reason, input.results_rating,
                input.behaviour_rating, _notes(input.notes)))}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Set a unit's performance rating for a period (its head, or HR).")
    async def set_unit_performance(self, info: Info, input: SetUnitPerformanceInput) -> UnitPerformancePayload:
        async def work():
            row = await service.set_unit_performance(info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                     parse_input_id(input.period_id, "Period", "periodId"), input.rating, input.notes)
            return {"unit_performance": UnitPerformance.from_model(row)}
        return await run_mutation(info, UnitPerformancePayload, work)


async def _latest_visible(ctx, tenant_id: uuid.UUID, employee_ids: list[uuid.UUID]) -> list[EvaluationModel | None]:
    latest = await service.latest_final_evaluations(tenant_id, employee_ids)
    readable = set(await (await service.visible_evaluations(ctx)).filter(
        id__in=[e.id for e in latest.values()]).values_list("id", flat=True)) if latest else set()
    return [latest[e] if e in latest and latest[e].id in readable else None for e in employee_ids]


@sql.implements("Employee", "latestEvaluation")
async def latest_evaluation_of(employee_id, info: Info) -> Evaluation | None:
    """Employee.latestEvaluation: the final evaluation of the latest evaluated period, when the viewer
    may read it (FORBIDDEN without any evaluation read permission)."""
    ctx = info.context
    await ctx.require("evaluation", "read")
    batch = loader(ctx, "latest_final_evaluation", lambda tenant_id, ids: _latest_visible(ctx, tenant_id, ids))
    found = await batch.load(uuid.UUID(str(employee_id)))
    return Evaluation.from_model(found) if found else None


async def resolve_evaluation_node(ctx, object_id: uuid.UUID) -> Evaluation:
    return Evaluation.from_model(await service.get_evaluation(ctx, object_id))


NODE_RESOLVERS = {"Evaluation": resolve_evaluation_node}
