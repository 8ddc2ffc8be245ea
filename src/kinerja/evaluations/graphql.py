"""GraphQL of evaluations: ratings and the predicate, unit performance, the distribution guide,
credit points.

Reads are described for the compiler (``graph/sql.py``); values that are not columns are computed by
``evaluations/rules.py`` from rows the same statement returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import strawberry
from strawberry.types import Info

from kinerja.core.errors import Forbidden, NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.evaluations import rules, service
from kinerja.evaluations.models import Evaluation as EvaluationModel
from kinerja.evaluations.models import UnitPerformance as UnitPerformanceModel
from kinerja.evaluations.rules import EvaluationStatus, Predicate, Rating, UnitRating
from kinerja.goals import achievement as iku_figures
from kinerja.graph import sql
from kinerja.graph.relay import Connection, Node, UserError, run_mutation
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.scoping import employee_rows, unit_rows
from kinerja.plans.graphql import BerakhlakValue  # registered as a GraphQL enum there

strawberry.enum(Rating, description="Rating of results (hasil kerja) or behaviour (perilaku kerja).")
strawberry.enum(Predicate, description="Predikat kinerja pegawai, the cell of the rating matrix.")
strawberry.enum(UnitRating, description="Capaian kinerja organisasi (SE MenPANRB 3/2023).")
strawberry.enum(EvaluationStatus, description="DRAFT, FINAL (locked) or CORRECTED (replaced by a newer version).")


READ_EVALUATIONS = employee_rows("evaluation", "read", "employee_id")
# Org units within reach of the dashboard scopes: all with tenant scope, the own unit subtree with unit scope.
DASHBOARD_UNITS = unit_rows("dashboard", "read")
LIVE = "{t}.status IN ('DRAFT', 'FINAL')"  # versions not replaced by a correction

# One row per org unit and period of the tenant: what a unit's distribution or dashboard is about.
UNIT_PERIODS = ("(SELECT u.id, u.tenant_id, u.code, u.parent_id, pr.id AS period_id, pr.year, pr.starts_on, "
                "pr.ends_on FROM org_unit u JOIN period pr ON pr.tenant_id = u.tenant_id WHERE u.tenant_id = {tenant}) {t}")
# The org unit {t}.id and every unit below it.
SUBTREE = ("(WITH RECURSIVE subtree(id) AS (SELECT {t}.id UNION SELECT o.id FROM org_unit o JOIN subtree s "
           "ON o.parent_id = s.id WHERE o.tenant_id = {tenant}) SELECT id FROM subtree)")
# The active employees of that subtree.
MEMBERS = "(SELECT e.id FROM employee e WHERE e.tenant_id = {tenant} AND e.active AND e.org_unit_id IN %s)" % SUBTREE
# The latest period first; of two ending together (Q4 and the year), the longer; then the latest finalized.
WITH_PERIOD = "JOIN period {j} ON {j}.tenant_id = {t}.tenant_id AND {j}.id = {t}.period_id"
LATEST_FINAL_ORDER = ("-{j}.ends_on", "{j}.starts_on", "-{t}.finalized_at", "-{t}.id")


def json_input(select: list[str], from_: str, where: str, order: list[str]) -> sql.Input:
    """``sql.json_list`` as one input among several (SQLite keeps a subquery's JSON only through json())."""
    listed = sql.json_list(select, from_, where, order)
    return sql.Input(sql.Dialects(listed.sql.pg, f"json({listed.sql.sqlite})"))


def json_value(select: str) -> sql.Input:
    """A JSON column's value as one input among several."""
    return sql.Input(sql.Dialects(select, f"json({select})"))


def loaded(value):
    """A JSON input as Python (a backend may hand a nested document over as text)."""
    return orjson.loads(value) if isinstance(value, str) else value


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


def predicate_counts(counts: dict[Predicate, int]) -> list[PredicateCount]:
    total = sum(counts.values())
    return [PredicateCount(predicate=p, label=rules.LABELS[p], count=counts.get(p, 0),
                           percent=round(100 * counts.get(p, 0) / total, 1) if total else 0.0) for p in Predicate]


def _counted(evaluations) -> tuple[dict[Predicate, int], int]:
    """Predicate counts and finals of the (predicate, status) pairs of current evaluations."""
    pairs = loaded(evaluations) or []
    counts = {p: 0 for p in Predicate}
    for predicate, _status in pairs:
        counts[Predicate(predicate)] += 1
    return counts, sum(1 for _p, status in pairs if status == EvaluationStatus.FINAL.value)


def _total(evaluations) -> int:
    return len(loaded(evaluations) or [])


def _final(evaluations) -> int:
    return _counted(evaluations)[1]


def current_predicate_counts(evaluations) -> list[PredicateCount]:
    return predicate_counts(_counted(evaluations)[0])


def _breaches(evaluations, rating, guide) -> list[GuideBreach]:
    if rating is None:
        return []
    found = rules.distribution_breaches(loaded(guide) or rules.DEFAULT_GUIDE, UnitRating(rating),
                                        _counted(evaluations)[0])
    return [GuideBreach(message=b.message, kind=b.kind, limit_percent=b.limit, actual_percent=b.actual,
                        predicates=list(b.predicates)) for b in found]


def _sheet_path(unit_id, period_id) -> str:
    return (f"/documents/units/{to_global_id('OrgUnit', unit_id)}/predicates.csv"
            f"?periodId={to_global_id('Period', period_id)}")


# The current (draft and final) evaluations of the unit subtree's active employees in the period.
CURRENT_EVALUATIONS = json_input(
    ["v.predicate", "v.status"], "evaluation v",
    "v.tenant_id = {tenant} AND v.period_id = {t}.period_id AND v.status IN ('DRAFT', 'FINAL') "
    "AND v.employee_id IN " + MEMBERS, ["v.id"])
UNIT_RATING = ("(SELECT r.rating FROM unit_performance r WHERE r.tenant_id = {tenant} AND r.org_unit_id = {t}.id "
               "AND r.period_id = {t}.period_id)")
GUIDE_OF_YEAR = json_value(
    "(SELECT g.distribution_guide FROM evaluation_rule g WHERE g.tenant_id = {tenant} AND g.year = {t}.year)")


@sql.table(OrgUnitModel, source=UNIT_PERIODS, access=DASHBOARD_UNITS,
           description="The employees' predicates in a unit and period against the guide for the unit's rating.")
class UnitDistribution:
    # Rows: one org unit in one period (UNIT_PERIODS); the model names the table of the key.
    org_unit: OrgUnit = sql.join("id")
    period: Period = sql.join("period_id")
    unit_rating: UnitRating | None = sql.expression(UNIT_RATING)
    total: int = sql.derived(_total, CURRENT_EVALUATIONS)
    final: int = sql.derived(_final, CURRENT_EVALUATIONS)
    counts: list[PredicateCount] = sql.derived(current_predicate_counts, CURRENT_EVALUATIONS)
    breaches: list[GuideBreach] = sql.derived(_breaches, CURRENT_EVALUATIONS, sql.Input(UNIT_RATING), GUIDE_OF_YEAR)
    sheet_path: str = sql.derived(
        _sheet_path, "id", "period_id",
        description="GET with the same Bearer token: the unit's predicate sheet (CSV).")


def _document_path(evaluation_id) -> str:
    return f"/documents/evaluations/{to_global_id('Evaluation', evaluation_id)}.pdf"


def _label(predicate) -> str:
    return rules.LABELS[Predicate(predicate)]


def _behaviour_notes(notes) -> list[BehaviourNote]:
    return [BehaviourNote(value=BerakhlakValue(k), note=v) for k, v in (loaded(notes) or {}).items()]


def _credit_points(predicate, status, facts) -> str | None:
    """Angka kredit from the position's coefficient, the period's months and the year's credit shares."""
    if facts is None or status == EvaluationStatus.CORRECTED.value:
        return None
    coefficient, starts_on, ends_on, shares = loaded(facts)
    if coefficient is None:
        return None
    start, end = dt.date.fromisoformat(str(starts_on)[:10]), dt.date.fromisoformat(str(ends_on)[:10])
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    points = rules.credit_points(loaded(shares) or rules.DEFAULT_CREDIT_SHARES, Predicate(predicate),
                                 Decimal(str(coefficient)), months)
    return str(points)  # as the Decimal scalar writes it


_CREDIT_FROM = ("FROM employee e JOIN period pe ON pe.tenant_id = e.tenant_id AND pe.id = {t}.period_id "
                "JOIN position po ON po.tenant_id = e.tenant_id AND po.id = e.position_id "
                "LEFT JOIN evaluation_rule g ON g.tenant_id = e.tenant_id AND g.year = pe.year "
                "WHERE e.tenant_id = {tenant} AND e.id = {t}.employee_id")
CREDIT_FACTS = sql.Input(sql.Dialects(
    "(SELECT json_build_array(CAST(po.credit_coefficient AS TEXT), pe.starts_on, pe.ends_on, g.credit_shares) "
    + _CREDIT_FROM + ")",
    "(SELECT json_array(CAST(po.credit_coefficient AS TEXT), pe.starts_on, pe.ends_on, json(g.credit_shares)) "
    + _CREDIT_FROM + ")"))

# The unit whose rating guides an evaluation: the employee's unit or the nearest one up the tree rated
# for the evaluation's period.
NEAREST_RATED_UNIT = (
    "(WITH RECURSIVE up(id, parent_id, depth) AS ("
    "SELECT o.id, o.parent_id, 0 FROM org_unit o JOIN employee e ON e.tenant_id = o.tenant_id "
    "AND e.org_unit_id = o.id WHERE o.tenant_id = {tenant} AND e.id = {p}.employee_id "
    "UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id "
    "WHERE o.tenant_id = {tenant}) "
    "SELECT up.id FROM up WHERE EXISTS (SELECT 1 FROM unit_performance r WHERE r.tenant_id = {tenant} "
    "AND r.org_unit_id = up.id AND r.period_id = {p}.period_id) ORDER BY up.depth LIMIT 1)")


@sql.table(EvaluationModel, access=READ_EVALUATIONS, node=True,
           not_found=lambda: NotFound("Evaluation not found", field="id"),
           description="Penilaian kinerja of an employee for a period (one version).")
class Evaluation(Node):
    version: int
    status: EvaluationStatus
    results_rating: Rating
    behaviour_rating: Rating
    results_from_unit: bool = strawberry.field(
        description="True for the head of a unit: the results rating is the unit's achievement.")
    predicate: Predicate
    predicate_label: str = sql.derived(_label, "predicate")
    correction_reason: str | None
    finalized_at: dt.datetime | None
    employee: Employee = sql.join("employee_id")
    assessor: Employee = sql.join("assessor_id", description="Pejabat penilai.")
    period: Period = sql.join("period_id")
    notes: list[BehaviourNote] = sql.derived(_behaviour_notes, "notes", description="Notes per BerAKHLAK value.")
    credit_points: Decimal | None = sql.derived(
        _credit_points, "predicate", "status", CREDIT_FACTS,
        description="Angka kredit for functional positions with a yearly coefficient, pro rata by month.")
    guide: UnitDistribution | None = sql.row(
        on={"period_id": "period_id", "id": NEAREST_RATED_UNIT},
        description="The distribution guide of the employee's rated unit, to read before finalizing.")
    document_path: str = sql.derived(
        _document_path, "id",
        description="GET with the same Bearer token: the Dokumen Evaluasi Kinerja Pegawai (PDF).")
    history: list[Evaluation] = sql.rows(on={"employee_id": "employee_id", "period_id": "period_id"},
                                         order=("version",), access=True, description="Every version, oldest first.")


_PERIOD_OF_ROW = "(SELECT pr.{column} FROM period pr WHERE pr.tenant_id = {{tenant}} AND pr.id = {{t}}.period_id)"


@sql.table(UnitPerformanceModel)
class UnitPerformance:
    rating: UnitRating
    notes: str
    updated_at: dt.datetime
    suggested_rating: UnitRating | None = sql.derived(
        iku_figures.suggested_rating,
        iku_figures.unit_indicators_sql("{t}.org_unit_id", _PERIOD_OF_ROW.format(column="year")),
        iku_figures.rules_sql(_PERIOD_OF_ROW.format(column="year")), "period_id",
        sql.Input(_PERIOD_OF_ROW.format(column="kind")),
        description="Predikat yang disarankan: the rating the unit's IKU achievement gives under the tenant's "
                    "thresholds (null without IKU achievement); `rating` stays the human decision.")


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


def _notes(items):
    return None if items is None else [(i.value, i.note) for i in items]


def _in_reach(org_unit_id: strawberry.ID) -> tuple:
    """The guards of a read about one org unit: it exists (NOT_FOUND), and the viewer's dashboard
    scopes reach it (FORBIDDEN)."""
    unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
    return unit, (sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                             access=False),
                  sql.Exists("UnitDistribution", (sql.eq("id", unit), sql.where("{t}.tenant_id = {tenant}")),
                             lambda: Forbidden("This org unit is outside your reach", field="orgUnitId")))


def unit_in_period(org_unit_id: strawberry.ID, period_id: strawberry.ID) -> sql.Row:
    """The row of an org unit in a period (UNIT_PERIODS), for a viewer with dashboard access that
    reaches the unit: NOT_FOUND for an unknown unit, FORBIDDEN out of reach, NOT_FOUND for an unknown period."""
    unit, guards = _in_reach(org_unit_id)
    period = parse_input_id(period_id, "Period", "periodId")
    return sql.Row(where=(sql.eq("id", unit), sql.eq("period_id", period)), access=sql.requires("dashboard", "read"),
                   guard=guards, missing=lambda: NotFound("Period not found", field="periodId"))


# Recognition: the best predicates first, then the earliest finalized.
_RANKED = ("CASE {t}.predicate " + " ".join(f"WHEN '{p.value}' THEN {i}" for i, p in enumerate(Predicate))
           + " END")


@strawberry.type
class EvaluationQuery:
    @sql.builder(description="Evaluations the viewer may see, newest first (current versions unless includeHistory).")
    def evaluations(self, first: int | None = 20, after: str | None = None,
                    filter: EvaluationFilter | None = None) -> Connection[Evaluation]:
        f = filter or EvaluationFilter()
        period = parse_input_id(f.period_id, "Period", "periodId")
        employee = parse_input_id(f.employee_id, "Employee", "employeeId")
        where = [] if f.include_history else [sql.where(LIVE)]
        for column, value in (("period_id", period), ("employee_id", employee), ("status", f.status),
                              ("predicate", f.predicate)):
            if value is not None:
                where.append(sql.eq(column, value))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-created_at", "id"), access=True)

    @sql.builder
    def unit_distribution(self, org_unit_id: strawberry.ID, period_id: strawberry.ID) -> UnitDistribution:
        return unit_in_period(org_unit_id, period_id)

    @sql.builder(description="Recognition list: the unit's best final annual predicates of a year.")
    def top_performers(self, org_unit_id: strawberry.ID, year: int, limit: int = 10) -> list[Evaluation]:
        unit, guards = _in_reach(org_unit_id)
        best = sql.where(
            "{t}.id IN (SELECT v.id FROM evaluation v JOIN period pr ON pr.tenant_id = v.tenant_id "
            "AND pr.id = v.period_id WHERE v.tenant_id = {tenant} AND pr.year = {1} AND pr.kind = 'ANNUAL' "
            "AND v.status = 'FINAL' AND v.predicate IN ('SANGAT_BAIK', 'BAIK') AND v.employee_id IN "
            "(SELECT e.id FROM employee e WHERE e.tenant_id = {tenant} AND e.active AND e.org_unit_id IN "
            "(WITH RECURSIVE subtree(id) AS (SELECT o.id FROM org_unit o WHERE o.tenant_id = {tenant} AND o.id = {0} "
            "UNION SELECT o.id FROM org_unit o JOIN subtree s ON o.parent_id = s.id WHERE o.tenant_id = {tenant}) "
            "SELECT id FROM subtree)) "
            "ORDER BY " + _RANKED.replace("{t}", "v") + ", coalesce(v.finalized_at, v.created_at), v.id LIMIT {2})",
            unit, year, max(1, min(limit, 100)))
        return sql.Rows(where=(best,), order=(_RANKED, "coalesce({t}.finalized_at, {t}.created_at)", "id"),
                        access=sql.requires("dashboard", "read"), guard=guards)


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
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Lock a draft evaluation (check `guide` first).")
    async def finalize_evaluation(self, info: Info, input: EvaluationIdInput) -> EvaluationPayload:
        async def work():
            row = await service.finalize_evaluation(info.context, parse_input_id(input.id, "Evaluation", "id"))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Correct a final evaluation: a new final version with a reason; the old one stays in history.")
    async def correct_evaluation(self, info: Info, input: CorrectEvaluationInput) -> EvaluationPayload:
        async def work():
            row = await service.correct_evaluation(
                info.context, parse_input_id(input.id, "Evaluation", "id"), input.reason, input.results_rating,
                input.behaviour_rating, _notes(input.notes))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Set a unit's performance rating for a period (its head, or HR).")
    async def set_unit_performance(self, info: Info, input: SetUnitPerformanceInput) -> UnitPerformancePayload:
        async def work():
            row = await service.set_unit_performance(info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                     parse_input_id(input.period_id, "Period", "periodId"), input.rating, input.notes)
            return {"unit_performance": sql.ref("UnitPerformance", row.id)}
        return await run_mutation(info, UnitPerformancePayload, work)
