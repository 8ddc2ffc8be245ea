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
from kinerja.evaluations.models import ActingAssessor as ActingAssessorModel
from kinerja.evaluations.models import CreditAssessment as CreditAssessmentModel
from kinerja.evaluations.models import CreditEntry as CreditEntryModel
from kinerja.evaluations.models import Evaluation as EvaluationModel
from kinerja.evaluations.models import EvaluationObjection as ObjectionModel
from kinerja.evaluations.models import PlanWaiver as PlanWaiverModel
from kinerja.evaluations.models import UnitPerformance as UnitPerformanceModel
from kinerja.evaluations.rules import (
    ActingKind,
    EvaluationStatus,
    GuideBound,
    ObjectionDecision,
    ObjectionStatus,
    Predicate,
    Rating,
    UnitRating,
)
from kinerja.goals import achievement as iku_figures
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.org.rules import FunctionalLevel
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
    "MAJORITY": "Sebagian besar: the guide expects most employees (more than the bound) to have these predicates "
                "and fewer do.",
}, name="GuideBreachKind")
described(ObjectionStatus, "Status keberatan: the state of an objection (PP 30/2019 art. 59).", {
    "FILED": "Diajukan: waiting for the decision of the assessor's superior.",
    "ACCEPTED": "Diterima: the superior changed the result (a corrected version).",
    "REJECTED": "Ditolak: the superior kept the result, with a reason.",
})
described(ObjectionDecision, "Keputusan atas keberatan: the superior's decision on an objection.", {
    "ACCEPT": "Terima: change the result (a new final version linked to the objection).",
    "REJECT": "Tolak: keep the result, with a reason.",
})
described(ActingKind, "Jenis pejabat penilai pengganti: the kind of acting assessor's appointment.", {
    "PLT": "Pelaksana Tugas (Plt): acting official while the post is vacant.",
    "PLH": "Pelaksana Harian (Plh): acting official while the official is temporarily absent.",
})


READ_EVALUATIONS = employee_rows("evaluation", "read", "employee_id")
# An objection is seen by whoever sees the employee's evaluations: herself (own), the assessor and the
# superior (team), HR (tenant).
READ_OBJECTIONS = employee_rows("evaluation", "read", "employee_id")
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
                                                    "least, some, most).")
    rule: str = strawberry.field(description="Aturan: the row of the distribution guide departed from, with its source "
                                             "(SE MenPANRB 3/2023).")
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
    return [GuideBreach(message=b.message, kind=b.kind, rule=b.rule, limit_percent=b.limit, actual_percent=b.actual,
                        predicates=list(b.predicates)) for b in found]


def _predicates_document_path(unit_id, period_id) -> str:
    return (f"/documents/units/{to_global_id('OrgUnit', unit_id)}/predicates.pdf"
            f"?periodId={to_global_id('Period', period_id)}")


def _credit_document_path(employee_id, year) -> str:
    return f"/documents/employees/{to_global_id('Employee', employee_id)}/credit-points/{year}.pdf"


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
    document_path: str = sql.derived(
        _predicates_document_path, "id", "period_id",
        description="Penetapan predikat kinerja pegawai (SE MenPANRB 3/2023): GET with the same Bearer token for "
                    "the signed PDF.")


def _document_path(evaluation_id) -> str:
    return f"/documents/evaluations/{to_global_id('Evaluation', evaluation_id)}.pdf"


def _label(predicate) -> str:
    return rules.LABELS[Predicate(predicate)]


def _behaviour_notes(notes) -> list[BehaviourNote]:
    return [BehaviourNote(value=BerakhlakValue(k), note=v) for k, v in (loaded(notes) or {}).items()]


def _credit_points(predicate, status, facts) -> str | None:
    """Angka kredit from the jenjang's yearly coefficient (rule data of the year), the period's months and
    the year's credit shares."""
    if facts is None or status == EvaluationStatus.CORRECTED.value:
        return None
    level, starts_on, ends_on, shares, coefficients = loaded(facts)
    coefficient = rules.coefficient_for(loaded(coefficients), level)
    if coefficient is None:
        return None
    start, end = dt.date.fromisoformat(str(starts_on)[:10]), dt.date.fromisoformat(str(ends_on)[:10])
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    points = rules.credit_points(loaded(shares) or rules.DEFAULT_CREDIT_SHARES, Predicate(predicate),
                                 coefficient, months)
    return str(points)  # as the Decimal scalar writes it


_CREDIT_FROM = ("FROM employee e JOIN period pe ON pe.tenant_id = e.tenant_id AND pe.id = {t}.period_id "
                "JOIN position po ON po.tenant_id = e.tenant_id AND po.id = e.position_id "
                "LEFT JOIN evaluation_rule g ON g.tenant_id = e.tenant_id AND g.year = pe.year "
                "WHERE e.tenant_id = {tenant} AND e.id = {t}.employee_id")
CREDIT_FACTS = sql.Input(sql.Dialects(
    "(SELECT json_build_array(po.level, pe.starts_on, pe.ends_on, g.credit_shares, g.credit_coefficients) "
    + _CREDIT_FROM + ")",
    "(SELECT json_array(po.level, pe.starts_on, pe.ends_on, json(g.credit_shares), json(g.credit_coefficients)) "
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
    acknowledged_at: dt.datetime | None = strawberry.field(
        description="Tanggal diterima: when the employee acknowledged the final evaluation (her read receipt).")
    objection: Objection | None = sql.row(
        on={"evaluation_id": "id"}, description="Keberatan: the employee's objection to this version, if any.")
    employee: Employee = sql.join("employee_id", description="Pegawai: the employee evaluated.")
    assessor: Employee = sql.join("assessor_id", description="Pejabat penilai kinerja: the assessor.")
    period: Period = sql.join("period_id", description="Periode penilaian: the period evaluated.")
    notes: list[BehaviourNote] = sql.derived(_behaviour_notes, "notes",
                                             description="Catatan perilaku kerja: notes per BerAKHLAK value.")
    credit_points: Decimal | None = sql.derived(
        _credit_points, "predicate", "status", CREDIT_FACTS,
        description="Angka kredit: the yearly coefficient of the position's jenjang (Peraturan BKN 3/2023) x the "
                    "predicate's share, pro rata by month; null without a jenjang.")
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


@sql.table(ObjectionModel, access=READ_OBJECTIONS, node=True,
           not_found=lambda: NotFound("Objection not found", field="id"),
           description="Keberatan (PP 30/2019 art. 59): an employee's objection to a final evaluation, decided by "
                       "the assessor's superior. Visible to the employee, the assessor, the superior and HR.")
class Objection(Node):
    reason: str = strawberry.field(description="Alasan keberatan: the employee's reasons.")
    status: ObjectionStatus = strawberry.field(description="Filed, accepted or rejected.")
    filed_at: dt.datetime = sql.expression("created_at", description="Tanggal pengajuan: when it was filed.")
    decision_reason: str | None = strawberry.field(description="Alasan keputusan: the superior's reason.")
    decided_at: dt.datetime | None = strawberry.field(description="Tanggal keputusan: when it was decided.")
    evaluation: Evaluation = sql.join("evaluation_id", description="The evaluation objected to.")
    employee: Employee = sql.join("employee_id", description="Pegawai yang dinilai: who objects.")
    reviewer: Employee = sql.join("reviewer_id", description="Atasan pejabat penilai: who decides.")
    correction: Evaluation | None = sql.join(
        "correction_id", description="Versi koreksi: the corrected version an accepted objection led to.")


def _running_total(total) -> str:
    return str(Decimal(str(total)).quantize(Decimal("0.001")))


@sql.table(CreditEntryModel, access=READ_EVALUATIONS,
           description="Buku angka kredit: one booking of an employee's credit points (a final annual evaluation "
                       "of a functional position, or its reversal when corrected).")
class CreditEntry:
    year: int = strawberry.field(description="Tahun: the year of the evaluation.")
    level: FunctionalLevel = strawberry.field(description="Jenjang jabatan fungsional at the time.")
    coefficient: Decimal = strawberry.field(description="Koefisien: the yearly coefficient of the jenjang.")
    points: Decimal = strawberry.field(description="Angka kredit booked; negative for a reversal.")
    reversal: bool = strawberry.field(description="True when it reverses a corrected evaluation's booking.")
    created_at: dt.datetime = strawberry.field(description="Waktu: when it was booked.")
    running_total: Decimal = sql.derived(_running_total, sql.Input(
        "(SELECT sum(c.points) FROM credit_entry c WHERE c.tenant_id = {tenant} AND c.employee_id = {t}.employee_id "
        "AND (c.created_at < {t}.created_at OR (c.created_at = {t}.created_at AND c.id <= {t}.id)))"),
        description="Jumlah angka kredit kumulatif: the accumulated total after this booking.")
    evaluation: Evaluation = sql.join("evaluation_id", description="The evaluation booked.")
    employee: Employee = sql.join("employee_id", description="Pegawai.")


@sql.table(CreditAssessmentModel, access=READ_EVALUATIONS,
           description="Penetapan Angka Kredit (PAK) of an employee for a year (Peraturan BKN 3/2023).")
class CreditAssessment:
    year: int = strawberry.field(description="Tahun.")
    level: FunctionalLevel | None = strawberry.field(description="Jenjang jabatan fungsional of the year.")
    points: Decimal = strawberry.field(description="Angka kredit of the year.")
    total: Decimal = strawberry.field(description="Jumlah angka kredit kumulatif up to and with the year.")
    created_at: dt.datetime = strawberry.field(description="Tanggal penetapan: when HR issued it.")
    employee: Employee = sql.join("employee_id", description="Pegawai.")
    document_path: str = sql.derived(
        _credit_document_path, "employee_id", "year",
        description="PAK statement: GET this path with the same Bearer token for the signed PDF.")


@strawberry.input(description="Penetapan Angka Kredit: issue the PAK of an employee for a year.")
class IssueCreditAssessmentInput:
    employee_id: strawberry.ID = strawberry.field(description="Pegawai.")
    year: int = strawberry.field(description="Tahun.")


@strawberry.type(description="Hasil penetapan angka kredit: the PAK, or why it was refused.")
class CreditAssessmentPayload:
    credit_assessment: CreditAssessment | None = strawberry.field(default=None, description="The PAK.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


_PERIOD_OF_ROW = "(SELECT pr.{column} FROM period pr WHERE pr.tenant_id = {{tenant}} AND pr.id = {{t}}.period_id)"


@sql.table(UnitPerformanceModel, description="Capaian kinerja organisasi: a unit's performance rating for a period "
                                             "(SE MenPANRB 3/2023).")
class UnitPerformance:
    rating: UnitRating = strawberry.field(description="Predikat kinerja organisasi: the unit's rating.")
    notes: str = strawberry.field(description="Catatan: the grounds of the rating (empty when none were given).")
    updated_at: dt.datetime = strawberry.field(description="When the rating was last set.")
    suggested_rating: UnitRating | None = sql.derived(
        iku_figures.suggested_rating,
        iku_figures.unit_indicators_sql("{t}.org_unit_id", _PERIOD_OF_ROW.format(column="year")),
        iku_figures.rules_sql(_PERIOD_OF_ROW.format(column="year")), "period_id",
        sql.Input(_PERIOD_OF_ROW.format(column="kind")),
        description="Predikat yang disarankan: the rating the unit's IKU achievement gives under the tenant's "
                    "thresholds (null without IKU achievement); `rating` stays the human decision.")


@sql.table(ActingAssessorModel, description="Pejabat penilai pengganti (Plt/Plh): an acting assessor HR assigned "
                                             "to assess an official's direct subordinates for a date range.")
class ActingAssessor:
    kind: ActingKind = strawberry.field(description="Plt or Plh.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: the first day of the assignment.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: the last day of the assignment.")
    official: Employee = sql.join("official_id", description="Pejabat definitif: the official acted for.")
    acting: Employee = sql.join("acting_id", description="Pejabat Plt/Plh: the employee who assesses in his place.")


@sql.table(PlanWaiverModel, description="Pengecualian SKP: HR's waiver of the approved-SKP precondition of an "
                                        "evaluation for one employee and year.")
class PlanWaiver:
    year: int = strawberry.field(description="Tahun: the year of the waived SKP.")
    reason: str = strawberry.field(description="Alasan: why HR waived the requirement.")
    created_at: dt.datetime = strawberry.field(description="Waktu: when the waiver was granted.")
    employee: Employee = sql.join("employee_id", description="Pegawai: the employee concerned.")


@strawberry.input(description="Penugasan Plt/Plh sebagai pejabat penilai: assign an acting assessor.")
class AssignActingAssessorInput:
    official_id: strawberry.ID = strawberry.field(description="Pejabat definitif: the official acted for.")
    acting_id: strawberry.ID = strawberry.field(description="Pegawai Plt/Plh: the acting assessor.")
    kind: ActingKind = strawberry.field(description="Plt or Plh.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: the first day.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: the last day (inclusive).")


@strawberry.input(description="Pengecualian SKP: waive the approved-SKP requirement for one employee and year.")
class WaiveApprovedPlanInput:
    employee_id: strawberry.ID = strawberry.field(description="Pegawai: the employee to evaluate.")
    year: int = strawberry.field(description="Tahun: the year of the periods to evaluate.")
    reason: str = strawberry.field(description="Alasan (1-2000 characters): why the SKP requirement is waived.")


@strawberry.type(description="Hasil penugasan Plt/Plh: the assignment, or why it was refused.")
class ActingAssessorPayload:
    acting_assessor: ActingAssessor | None = strawberry.field(default=None, description="The new assignment.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.type(description="Hasil pengecualian SKP: the waiver, or why it was refused.")
class PlanWaiverPayload:
    plan_waiver: PlanWaiver | None = strawberry.field(default=None, description="The waiver.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


@strawberry.input(description="Filter of objections (keberatan).")
class ObjectionFilter:
    status: ObjectionStatus | None = strawberry.field(default=None, description="Only objections in this state.")
    evaluation_id: strawberry.ID | None = strawberry.field(default=None, description="Only those of this evaluation.")
    to_decide: bool = strawberry.field(default=False, description="Only those the viewer decides (as the superior).")


@strawberry.input(description="Keberatan: object to a final evaluation, with reasons.")
class FileObjectionInput:
    evaluation_id: strawberry.ID = strawberry.field(description="The final evaluation objected to.")
    reason: str = strawberry.field(description="Alasan (1-2000 characters).")


@strawberry.input(description="Keputusan atas keberatan by the assessor's superior.")
class DecideObjectionInput:
    id: strawberry.ID = strawberry.field(description="The objection.")
    decision: ObjectionDecision = strawberry.field(description="Accept (change the result) or reject.")
    reason: str = strawberry.field(description="Alasan keputusan (1-2000 characters).")
    results_rating: Rating | None = strawberry.field(default=None, description="On accept: the new results rating.")
    behaviour_rating: Rating | None = strawberry.field(
        default=None, description="On accept: the new behaviour rating.")


@strawberry.type(description="Hasil keberatan: the objection, or why the request was refused.")
class ObjectionPayload:
    objection: Objection | None = strawberry.field(default=None, description="The objection.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description="Why it was refused.")


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
        default=None, description="Rating hasil kerja; refused for the head of a rated unit: the unit's achievement "
                                  "is the results rating (SE MenPANRB 3/2023).")
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

    @sql.builder(description="Keberatan: objections the viewer may see (the employee's own, her assessor's and "
                             "superior's, HR's), newest first.")
    def objections(self, first: First = 20, after: After = None,
                   filter: Annotated[ObjectionFilter | None, strawberry.argument(
                       description="Which objections; all conditions apply.")] = None) -> Connection[Objection]:
        f = filter or ObjectionFilter()
        evaluation = parse_input_id(f.evaluation_id, "Evaluation", "evaluationId")
        where = []
        if f.status is not None:
            where.append(sql.eq("status", f.status))
        if evaluation is not None:
            where.append(sql.eq("evaluation_id", evaluation))
        if f.to_decide:
            where.append(sql.is_me("reviewer_id"))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-created_at", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Buku angka kredit: an employee's credit bookings, oldest first, each with the "
                             "running total.")
    def credit_ledger(self, employee_id: Annotated[strawberry.ID, strawberry.argument(
                          description="Pegawai: global id of the employee.")],
                      first: First = 50, after: After = None) -> Connection[CreditEntry]:
        employee = parse_input_id(employee_id, "Employee", "employeeId")
        return sql.Page(first=first, after=after, where=(sql.eq("employee_id", employee),),
                        order=("created_at", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Penetapan Angka Kredit (PAK) of an employee, by year.")
    def credit_assessments(self, employee_id: Annotated[strawberry.ID, strawberry.argument(
                               description="Pegawai: global id of the employee.")]) -> list[CreditAssessment]:
        employee = parse_input_id(employee_id, "Employee", "employeeId")
        return sql.Rows(where=(sql.eq("employee_id", employee),), order=("year",), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

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

    @strawberry.mutation(description="Tanda terima: the employee acknowledges a final evaluation (a read receipt "
                                     "with its time), once.")
    async def acknowledge_evaluation(self, info: Info, input: Annotated[EvaluationIdInput, INPUT]) -> EvaluationPayload:
        async def work():
            row = await service.acknowledge_evaluation(info.context, parse_input_id(input.id, "Evaluation", "id"))
            return {"evaluation": sql.ref("Evaluation", row.id)}
        return await run_mutation(info, EvaluationPayload, work)

    @strawberry.mutation(description="Keberatan (PP 30/2019 art. 59): the employee objects to a final evaluation "
                                     "within the tenant's objection period; it goes to the assessor's superior.")
    async def file_objection(self, info: Info, input: Annotated[FileObjectionInput, INPUT]) -> ObjectionPayload:
        async def work():
            row = await service.file_objection(
                info.context, parse_input_id(input.evaluation_id, "Evaluation", "evaluationId"), input.reason)
            return {"objection": sql.ref("Objection", row.id)}
        return await run_mutation(info, ObjectionPayload, work)

    @strawberry.mutation(description="The assessor's superior accepts an objection (a corrected version linked to "
                                     "it) or rejects it with a reason.")
    async def decide_objection(self, info: Info, input: Annotated[DecideObjectionInput, INPUT]) -> ObjectionPayload:
        async def work():
            row = await service.decide_objection(
                info.context, parse_input_id(input.id, "Objection", "id"), input.decision, input.reason,
                input.results_rating, input.behaviour_rating)
            return {"objection": sql.ref("Objection", row.id)}
        return await run_mutation(info, ObjectionPayload, work)

    @strawberry.mutation(description="Penetapan Angka Kredit (HR): the PAK of a year from the employee's ledger, once.")
    async def issue_credit_assessment(self, info: Info, input: Annotated[IssueCreditAssessmentInput, INPUT]) -> CreditAssessmentPayload:
        async def work():
            row = await service.issue_credit_assessment(
                info.context, parse_input_id(input.employee_id, "Employee", "employeeId"), input.year)
            return {"credit_assessment": sql.ref("CreditAssessment", row.id)}
        return await run_mutation(info, CreditAssessmentPayload, work)

    @strawberry.mutation(description="Penugasan Plt/Plh (HR): the acting employee assesses the official's direct "
                                     "subordinates from startsOn to endsOn.")
    async def assign_acting_assessor(self, info: Info, input: Annotated[AssignActingAssessorInput, INPUT]) -> ActingAssessorPayload:
        async def work():
            row = await service.assign_acting_assessor(
                info.context, parse_input_id(input.official_id, "Employee", "officialId"),
                parse_input_id(input.acting_id, "Employee", "actingId"), input.kind, input.starts_on, input.ends_on)
            return {"acting_assessor": sql.ref("ActingAssessor", row.id)}
        return await run_mutation(info, ActingAssessorPayload, work)

    @strawberry.mutation(description="Pengecualian SKP (HR): evaluate an employee's periods of a year without an "
                                     "approved SKP, with a reason (audited).")
    async def waive_approved_plan(self, info: Info, input: Annotated[WaiveApprovedPlanInput, INPUT]) -> PlanWaiverPayload:
        async def work():
            row = await service.waive_approved_plan(
                info.context, parse_input_id(input.employee_id, "Employee", "employeeId"), input.year, input.reason)
            return {"plan_waiver": sql.ref("PlanWaiver", row.id)}
        return await run_mutation(info, PlanWaiverPayload, work)

    @strawberry.mutation(description="Set a unit's performance rating for a period: by the leader of the organisation "
                                     "above it (its head's superior or the parent unit's head; for a top-level unit, "
                                     "also the regional official), never its own head (SE MenPANRB 3/2023).")
    async def set_unit_performance(self, info: Info, input: Annotated[SetUnitPerformanceInput, INPUT]
                                   ) -> UnitPerformancePayload:
        async def work():
            row = await service.set_unit_performance(info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                     parse_input_id(input.period_id, "Period", "periodId"), input.rating, input.notes)
            return {"unit_performance": sql.ref("UnitPerformance", row.id)}
        return await run_mutation(info, UnitPerformancePayload, work)
