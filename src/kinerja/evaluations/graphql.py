"""GraphQL of evaluations: ratings and the predicate, unit performance, the distribution guide,
credit points.

Reads are described for the compiler (``graph/sql.py``); values that are not columns are computed by
``evaluations/rules.py`` from rows the same statement returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import orjson
import strawberry
from strawberry.types import Info

from kinerja.core.errors import Forbidden, NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.evaluations import rules, service
from kinerja.evaluations.models import Evaluation as EvaluationModel
from kinerja.evaluations.models import UnitPerformance as UnitPerformanceModel
from kinerja.evaluations.rules import EvaluationStatus, GuideBound, Predicate, Rating, UnitRating
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.scoping import employee_rows, unit_rows
from kinerja.plans.graphql import BerakhlakValue  # registered as a GraphQL enum there

described(Rating, "Rating hasil kerja (results) or perilaku kerja (behaviour) against the expectation "
                  "(PermenPANRB 6/2022).", {
    "DI_ATAS_EKSPEKTASI": "Di atas ekspektasi: above expectation.",
    "SESUAI_EKSPEKTASI": "Sesuai ekspektasi: as expected.",
    "DI_BAWAH_EKSPEKTASI": "Di bawah ekspektasi: below expectation.",
})
described(Predicate, "Predikat kinerja pegawai: the employee's predicate, the cell of the rating matrix (results "
                     "rating x behaviour rating).", {
    "SANGAT_BAIK": "Sangat Baik: very good (results and behaviour above expectation).",
    "BAIK": "Baik: good (results and behaviour at least as expected).",
    "BUTUH_PERBAIKAN": "Butuh Perbaikan: needs improvement (results below expectation, behaviour not).",
    "KURANG_MISCONDUCT": "Kurang/Misconduct: poor (behaviour below expectation, results not).",
    "SANGAT_KURANG": "Sangat Kurang: very poor (results and behaviour below expectation).",
})
described(UnitRating, "Predikat kinerja organisasi: capaian kinerja organisasi, a unit's achievement in a period, "
                      "set by the leader above it (SE MenPANRB 3/2023).", {
    "ISTIMEWA": "Istimewa: outstanding.",
    "BAIK": "Baik: good.",
    "BUTUH_PERBAIKAN": "Butuh Perbaikan: needs improvement.",
    "KURANG": "Kurang: poor.",
    "SANGAT_KURANG": "Sangat Kurang: very poor.",
})
described(EvaluationStatus, "Status penilaian: where one version of an evaluation is.", {
    "DRAFT": "Draf: written by the assessor, may still change.",
    "FINAL": "Final: locked; it changes only through a correction (a new version).",
    "CORRECTED": "Dikoreksi: a final version replaced by a newer, corrected one; kept in the history.",
})
described(GuideBound, "Jenis batas pedoman distribusi: the kind of bound of the distribution guide (kurva "
                      "distribusi) that is departed from.", {
    "MAX": "Paling banyak: the predicates' share is above the guide's maximum.",
    "MIN": "Paling sedikit: the predicates' share is below the guide's minimum.",
    "SOME": "Ada: the guide expects some of these predicates and there are none.",
}, name="GuideBreachKind")


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
    return sql.Input(sql.Dialects(sql.dialect_text(listed.sql, "postgres"),
                                  f"json({sql.dialect_text(listed.sql, 'sqlite')})"))


def json_value(select: str) -> sql.Input:
    """A JSON column's value as one input among several."""
    return sql.Input(sql.Dialects(select, f"json({select})"))


def loaded(value):
    """A JSON input as Python (a backend may hand a nested document over as text)."""
    return orjson.loads(value) if isinstance(value, str) else value


@strawberry.type(description="Catatan perilaku kerja: the assessor's note on one BerAKHLAK value.")
class BehaviourNote:
    value: BerakhlakValue = strawberry.field(description="Nilai BerAKHLAK: the core value the note is about.")
    note: str = strawberry.field(description="Catatan: the assessor's note.")


@strawberry.type(description="Jumlah per predikat: how many evaluations have one predicate, and their share.")
class PredicateCount:
    predicate: Predicate = strawberry.field(description="Predikat kinerja pegawai.")
    label: str = strawberry.field(description="Label predikat: the predicate as printed, e.g. `Butuh Perbaikan`.")
    count: int = strawberry.field(description="Jumlah: evaluations with this predicate.")
    percent: float = strawberry.field(description="Persentase: their share of the evaluations counted, in percent "
                                                  "(1 decimal; 0 when there are none).")


@strawberry.type(description="Penyimpangan dari pedoman distribusi: a departure from the distribution guide (kurva "
                             "distribusi) for the unit's rating; a warning to the assessor, not a block.")
class GuideBreach:
    message: str = strawberry.field(description="Keterangan: the departure in words, e.g. `80 % Sangat Baik, guide "
                                                "allows at most 70 %`.")
    kind: GuideBound = strawberry.field(description="Jenis batas: the kind of bound departed from (at most, at "
                                                    "least, some).")
    limit_percent: float = strawberry.field(description="Batas: the guide's bound, in percent (0 for SOME).")
    actual_percent: float = strawberry.field(description="Realisasi: the actual share of these predicates, in "
                                                         "percent (1 decimal).")
    predicates: list[Predicate] = strawberry.field(description="Predikat: the predicates the bound counts together.")


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
           description="Distribusi predikat kinerja pegawai: the employees' predicates in a unit (its sub-units "
                       "included) and period against the distribution guide for the unit's rating.")
class UnitDistribution:
    # Rows: one org unit in one period (UNIT_PERIODS); the model names the table of the key.
    org_unit: OrgUnit = sql.join("id", description="Unit organisasi: the unit (its sub-units included).")
    period: Period = sql.join("period_id", description="Periode penilaian: the assessment period.")
    unit_rating: UnitRating | None = sql.expression(
        UNIT_RATING, description="Predikat kinerja organisasi: the unit's rating for the period; null until it is "
                                 "set (then no guide applies).")
    total: int = sql.derived(_total, CURRENT_EVALUATIONS, description="Jumlah penilaian: current (draft and final) "
                                                                      "evaluations of the unit's active employees.")
    final: int = sql.derived(_final, CURRENT_EVALUATIONS, description="Penilaian final: of those, the final ones.")
    counts: list[PredicateCount] = sql.derived(
        current_predicate_counts, CURRENT_EVALUATIONS,
        description="Sebaran predikat: those evaluations by predicate (every predicate, best first).")
    breaches: list[GuideBreach] = sql.derived(
        _breaches, CURRENT_EVALUATIONS, sql.Input(UNIT_RATING), GUIDE_OF_YEAR,
        description="Penyimpangan: departures from the guide for the unit's rating; empty when there are none or "
                    "the unit is not rated.")
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
           description="Penilaian kinerja pegawai: an employee's evaluation for a period (one version).")
class Evaluation(Node):
    version: int = strawberry.field(description="Versi: 1 for the first evaluation, one more with each correction.")
    status: EvaluationStatus = strawberry.field(description="Status penilaian: draft, final or corrected.")
    results_rating: Rating = strawberry.field(description="Rating hasil kerja: the results rating.")
    behaviour_rating: Rating = strawberry.field(description="Rating perilaku kerja: the behaviour rating.")
    results_from_unit: bool = strawberry.field(
        description="Hasil kerja dari capaian organisasi: true for the head of a unit, whose results rating is the "
                    "unit's achievement.")
    predicate: Predicate = strawberry.field(description="Predikat kinerja pegawai: the matrix cell of the two "
                                                        "ratings (the tenant's matrix for the year).")
    predicate_label: str = sql.derived(_label, "predicate", description="Label predikat: the predicate as printed, "
                                                                        "e.g. `Sangat Baik`.")
    correction_reason: str | None = strawberry.field(description="Alasan koreksi: why this version corrects the "
                                                                 "previous one; null for the first version.")
    finalized_at: dt.datetime | None = strawberry.field(description="When it was finalized; null for a draft.")
    employee: Employee = sql.join("employee_id", description="Pegawai: the employee evaluated.")
    assessor: Employee = sql.join("assessor_id", description="Pejabat penilai kinerja: the assessor.")
    period: Period = sql.join("period_id", description="Periode penilaian: the period evaluated.")
    notes: list[BehaviourNote] = sql.derived(_behaviour_notes, "notes",
                                             description="Catatan perilaku kerja: notes per BerAKHLAK value.")
    credit_points: Decimal | None = sql.derived(
        _credit_points, "predicate", "status", CREDIT_FACTS,
        description="Angka kredit: credit points for functional positions with a yearly coefficient (predicate "
                    "share x coefficient, pro rata by month); null otherwise and for corrected versions.")
    guide: UnitDistribution | None = sql.row(
        on={"period_id": "period_id", "id": NEAREST_RATED_UNIT},
        description="Pedoman distribusi: the distribution of the employee's nearest rated unit (the own unit or "
                    "one above it) against its guide, to read before finalizing; null when no unit is rated.")
    document_path: str = sql.derived(
        _document_path, "id",
        description="Dokumen Evaluasi Kinerja Pegawai: GET this path with the same Bearer token for the PDF.")
    history: list[Evaluation] = sql.rows(on={"employee_id": "employee_id", "period_id": "period_id"},
                                         order=("version",), access=True,
                                         description="Riwayat: every version of this evaluation, oldest first.")


@sql.table(UnitPerformanceModel, description="Capaian kinerja organisasi: a unit's performance rating for a period "
                                             "(SE MenPANRB 3/2023).")
class UnitPerformance:
    rating: UnitRating = strawberry.field(description="Predikat kinerja organisasi: the unit's rating.")
    notes: str = strawberry.field(description="Catatan: the grounds of the rating (empty when none were given).")
    updated_at: dt.datetime = strawberry.field(description="When the rating was last set.")


@strawberry.input(description="Which evaluations to list; all conditions apply.")
class EvaluationFilter:
    period_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this period (global id).")
    employee_id: strawberry.ID | None = strawberry.field(default=None,
                                                         description="Only of this employee (global id).")
    status: EvaluationStatus | None = strawberry.field(default=None, description="Only in this status.")
    predicate: Predicate | None = strawberry.field(default=None, description="Only with this predicate.")
    include_history: bool = strawberry.field(default=False, description="Also the versions replaced by a "
                                                                        "correction (CORRECTED).")


@strawberry.input(description="Catatan perilaku kerja: a note on one BerAKHLAK value.")
class BehaviourNoteInput:
    value: BerakhlakValue = strawberry.field(description="Nilai BerAKHLAK: the core value the note is about.")
    note: str = strawberry.field(description="Catatan: the note.")


@strawberry.input(description="Penilaian kinerja: the ratings of an employee for a period.")
class EvaluateEmployeeInput:
    employee_id: strawberry.ID = strawberry.field(description="Pegawai: global id of the employee evaluated.")
    period_id: strawberry.ID = strawberry.field(description="Periode penilaian: global id of the period.")
    results_rating: Rating | None = strawberry.field(
        default=None, description="Rating hasil kerja; ignored for the head of a rated unit (the unit's achievement "
                                  "is used).")
    behaviour_rating: Rating = strawberry.field(description="Rating perilaku kerja.")
    notes: list[BehaviourNoteInput] | None = strawberry.field(
        default=None, description="Catatan perilaku kerja per BerAKHLAK value, if any.")


@strawberry.input(description="The evaluation to act on.")
class EvaluationIdInput:
    id: strawberry.ID = strawberry.field(description="Global id of the evaluation.")


@strawberry.input(description="Koreksi penilaian: a correction of a final evaluation, with its reason.")
class CorrectEvaluationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the final evaluation corrected.")
    reason: str = strawberry.field(description="Alasan koreksi: why it is corrected.")
    results_rating: Rating | None = strawberry.field(
        default=None, description="Rating hasil kerja; left out: unchanged (ignored for the head of a rated unit).")
    behaviour_rating: Rating | None = strawberry.field(default=None,
                                                       description="Rating perilaku kerja; left out: unchanged.")
    notes: list[BehaviourNoteInput] | None = strawberry.field(
        default=None, description="Catatan perilaku kerja, replacing the notes; left out: unchanged.")


@strawberry.input(description="Capaian kinerja organisasi: a unit's rating for a period.")
class SetUnitPerformanceInput:
    org_unit_id: strawberry.ID = strawberry.field(description="Unit organisasi: global id of the unit rated.")
    period_id: strawberry.ID = strawberry.field(description="Periode penilaian: global id of the period.")
    rating: UnitRating = strawberry.field(description="Predikat kinerja organisasi.")
    notes: str | None = strawberry.field(default=None, description="Catatan: the grounds of the rating; left out: "
                                                                   "unchanged.")


@strawberry.type(description="The outcome of a change to an evaluation.")
class EvaluationPayload:
    evaluation: Evaluation | None = strawberry.field(
        default=None, description="The evaluation as it is now (a correction: the new version); null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of setting a unit's rating.")
class UnitPerformancePayload:
    unit_performance: UnitPerformance | None = strawberry.field(
        default=None, description="The unit's rating as it is now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


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
    def evaluations(self, first: First = 20, after: After = None,
                    filter: Annotated[EvaluationFilter | None, strawberry.argument(
                        description="Which evaluations.")] = None) -> Connection[Evaluation]:
        f = filter or EvaluationFilter()
        period = parse_input_id(f.period_id, "Period", "periodId")
        employee = parse_input_id(f.employee_id, "Employee", "employeeId")
        where = [] if f.include_history else [sql.where(LIVE)]
        for column, value in (("period_id", period), ("employee_id", employee), ("status", f.status),
                              ("predicate", f.predicate)):
            if value is not None:
                where.append(sql.eq(column, value))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-created_at", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Distribusi predikat kinerja pegawai: a unit's predicates in a period against the "
                             "distribution guide for its rating.")
    def unit_distribution(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                              description="Unit organisasi: the unit (its sub-units included).")],
                          period_id: Annotated[strawberry.ID, strawberry.argument(
                              description="Periode penilaian: the period.")]) -> UnitDistribution:
        return unit_in_period(org_unit_id, period_id)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Recognition list: the unit's best final annual predicates of a year.")
    def top_performers(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                           description="Unit organisasi: the unit (its sub-units included).")],
                       year: Annotated[int, strawberry.argument(description="Tahun (the evaluations' year).")],
                       limit: Annotated[int, strawberry.argument(
                           description="At most this many (1 to 100).")] = 10) -> list[Evaluation]:
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
        return sql.Rows(where=(best,), order=(_RANKED, "coalesce({t}.finalized_at, {t}.created_at)", "id"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        access=sql.requires("dashboard", "read"), guard=guards)


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation(description="Rate an employee's results and behaviour for a period (a draft until finalized); "
                                     "the predicate follows from the tenant's matrix for the year.")
    async def evaluate_employee(self, info: Info, input: Annotated[EvaluateEmployeeInput, INPUT]) -> EvaluationPayload:
        async def work():
            row = await service.evaluate_employee(
                info.context, parse_input_id(input.employee_id, "Employee", "employeeId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.results_rating, input.behaviour_rating,
                _notes(input.notes))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Lock a draft evaluation (check `guide` first).")
    async def finalize_evaluation(self, info: Info, input: Annotated[EvaluationIdInput, INPUT]) -> EvaluationPayload:
        async def work():
            row = await service.finalize_evaluation(info.context, parse_input_id(input.id, "Evaluation", "id"))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Correct a final evaluation: a new final version with a reason; the old one stays in history.")
    async def correct_evaluation(self, info: Info, input: Annotated[CorrectEvaluationInput, INPUT]) -> EvaluationPayload:
        async def work():
            row = await service.correct_evaluation(
                info.context, parse_input_id(input.id, "Evaluation", "id"), input.reason, input.results_rating,
                input.behaviour_rating, _notes(input.notes))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Set a unit's performance rating for a period (its head, or HR).")
    async def set_unit_performance(self, info: Info, input: Annotated[SetUnitPerformanceInput, INPUT]) -> UnitPerformancePayload:
        async def work():
            row = await service.set_unit_performance(info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                     parse_input_id(input.period_id, "Period", "periodId"), input.rating, input.notes)
            return {"unit_performance": sql.ref("UnitPerformance", row.id)}
        return await run_mutation(info, UnitPerformancePayload, work)
