"""GraphQL of performance plans (SKP): types, queries, mutations and live subscriptions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import orjson
import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.events import hub
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.core.numbers import decimal_text, tidy
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee, Period
from kinerja.org.scoping import employee_rows
from kinerja.plans import realisation, rules, service
from kinerja.plans.evidence import download_path
from kinerja.plans.models import Evidence as EvidenceModel
from kinerja.plans.models import Feedback as FeedbackModel
from kinerja.plans.models import Indicator as IndicatorModel
from kinerja.plans.models import PerformancePlan as PlanModel
from kinerja.plans.models import Realisation as RealisationModel
from kinerja.plans.models import ResultTarget as ResultModel
from kinerja.plans.rules import Aggregation, Approach, Aspect, BerakhlakValue, PlanEventKind, PlanStatus, ResultKind

if TYPE_CHECKING:  # for the type checker only: at run time strawberry.lazy imports them
    from kinerja.goals.graphql import StrategicGoal, UnitIndicator

described(PlanStatus, "SKP workflow state.", {
    "DRAFT": "Draf: being written by the employee.",
    "SUBMITTED": "Diajukan: waiting for the approver's decision.",
    "RETURNED": "Dikembalikan: sent back by the approver with a reason; edited like a draft.",
    "APPROVED": "Disetujui: in force; realisation is reported against it.",
    "SUPERSEDED": "Digantikan: an approved plan replaced by the approval of a newer revision.",
    "CLOSED": "Ditutup: closed at year end.",
})
described(Approach, "Pendekatan SKP: kuantitatif or kualitatif.", {
    "KUANTITATIF": "Kuantitatif: targets are measured values.",
    "KUALITATIF": "Kualitatif: targets are described qualitatively.",
})
described(ResultKind, "RHK utama (main) or tambahan (additional).", {
    "UTAMA": "RHK utama: a main work result of the position.",
    "TAMBAHAN": "RHK tambahan: an additional work result.",
})
described(Aspect, "Aspek indikator: kuantitas, kualitas, waktu, biaya.", {
    "KUANTITAS": "Kuantitas: quantity (how many).",
    "KUALITAS": "Kualitas: quality (how well).",
    "WAKTU": "Waktu: time (how long; the target is a ceiling).",
    "BIAYA": "Biaya: cost (how much; the target is a ceiling).",
})
described(Aggregation, "Cara agregasi: how periodic realisations make an indicator's year to date.", {
    "SUM": "Jumlah: the sum of the periods.",
    "LAST": "Terakhir: the latest period reported.",
    "AVERAGE": "Rata-rata: the mean of the periods reported.",
    "MAX": "Tertinggi: the highest period.",
})
described(BerakhlakValue, "The seven BerAKHLAK core values (perilaku kerja).", {
    "BERORIENTASI_PELAYANAN": "Berorientasi Pelayanan: service-oriented.",
    "AKUNTABEL": "Akuntabel: accountable.",
    "KOMPETEN": "Kompeten: competent.",
    "HARMONIS": "Harmonis: harmonious.",
    "LOYAL": "Loyal: loyal.",
    "ADAPTIF": "Adaptif: adaptive.",
    "KOLABORATIF": "Kolaboratif: collaborative.",
})
described(PlanEventKind, "What a live event of a plan reports.", {
    "PLAN_CREATED": "SKP dibuat: a plan was drafted (or copied).",
    "PLAN_SUBMITTED": "SKP diajukan: the employee submitted the plan to the approver.",
    "PLAN_APPROVED": "SKP disetujui: the approver approved the plan.",
    "PLAN_RETURNED": "SKP dikembalikan: the approver returned the plan with a reason.",
    "PLAN_REVISED": "Revisi SKP: a revision (a new draft) of an approved plan was started.",
    "REALISATION_RECORDED": "Realisasi dilaporkan: a realisation was reported for a period.",
    "REALISATION_UPDATED": "Realisasi diperbarui: a reported realisation was changed.",
    "FEEDBACK_GIVEN": "Umpan balik: feedback was given on the plan or a realisation.",
})


READ_PLANS = employee_rows("plan", "read", "employee_id")
# Realisations in the order of their periods.
WITH_PERIOD = "JOIN period {j} ON {j}.tenant_id = {t}.tenant_id AND {j}.id = {t}.period_id"
PERIOD_ORDER = ("{j}.starts_on", "{j}.ends_on", "{t}.id")


# Types of the areas above, named lazily (their modules import this one).
LazyUnitIndicator = Annotated["UnitIndicator", strawberry.lazy("kinerja.goals.graphql")]
LazyStrategicGoal = Annotated["StrategicGoal", strawberry.lazy("kinerja.goals.graphql")]
# A contributing RHK counts while its plan is not superseded.
NOT_SUPERSEDED = sql.where("EXISTS (SELECT 1 FROM performance_plan pp WHERE pp.tenant_id = {tenant} "
                           "AND pp.id = {t}.plan_id AND pp.status <> 'SUPERSEDED')")


@sql.table(EvidenceModel, description="Bukti dukung: a link or a stored file with its SHA-256.")
class Evidence:
    id: strawberry.ID = strawberry.field(description='Global id of the evidence.')
    url: str | None = strawberry.field(description='The link, for link evidence.')
    file_name: str | None = strawberry.field(description="The file's name as uploaded, for files.")
    content_type: str | None = strawberry.field(description="The file's media type, for files.")
    size: int | None = strawberry.field(description="The file's size in bytes, for files.")
    sha256: str | None = strawberry.field(description="SHA-256 of the file's content (hex), for files.")
    download_path: str | None = sql.derived(
        download_path, "id", "sha256",
        description="For files: GET this path with the same Bearer token to download the file.")


@sql.table(RealisationModel, description="Realisasi of one indicator in one period.")
class Realisation(Node):
    value: Decimal | None = strawberry.field(description='Nilai realisasi: the value reached (numeric indicators).')
    narrative: str = strawberry.field(description="Uraian: what was done, in the employee's words.")
    updated_at: dt.datetime = strawberry.field(description='When it was last reported.')
    period: Period = sql.join("period_id", description='Periode: the period it reports.')
    evidence: list[Evidence] = sql.rows(on={"realisation_id": "id"}, order=("created_at", "id"), description='Bukti dukung, oldest first.')


# The values reported for an indicator ({t}) in the periodic periods, in period order.
_PERIODIC_FROM = ("FROM realisation r2 JOIN period p2 ON p2.tenant_id = r2.tenant_id AND p2.id = r2.period_id "
                  "WHERE r2.tenant_id = {t}.tenant_id AND r2.indicator_id = {t}.id AND p2.kind <> 'ANNUAL' "
                  "AND r2.value IS NOT NULL")
PERIODIC_VALUES = sql.Input(sql.Dialects(
    "(SELECT coalesce(json_agg(CAST(r2.value AS TEXT) ORDER BY p2.starts_on, p2.id), '[]'::json) "
    + _PERIODIC_FROM + ")",
    "json((SELECT json_group_array(x.v) FROM (SELECT CAST(r2.value AS TEXT) AS v " + _PERIODIC_FROM
    + " ORDER BY p2.starts_on, p2.id) x))"))


_LATE = ("(SELECT count(*) FROM period pe WHERE pe.tenant_id = {t}.tenant_id AND pe.kind <> 'ANNUAL' "
         "AND pe.year = (SELECT pp.year FROM result_target rt JOIN performance_plan pp ON pp.tenant_id = rt.tenant_id "
         "AND pp.id = rt.plan_id WHERE rt.tenant_id = {t}.tenant_id AND rt.id = {t}.result_id) AND pe.ends_on < %s "
         "AND NOT EXISTS (SELECT 1 FROM realisation r WHERE r.tenant_id = {t}.tenant_id AND r.indicator_id = {t}.id "
         "AND r.period_id = pe.id))")
LATE_PERIODS = sql.Dialects(_LATE % "CURRENT_DATE", _LATE % "date('now')")


def _values(stored) -> list[Decimal]:
    stored = orjson.loads(stored) if isinstance(stored, str) else stored
    return [Decimal(str(v)) for v in stored or []]


def year_to_date(aspect, chosen, stored) -> str | None:
    """As the Decimal scalar writes it (a derived leaf)."""
    how = rules.indicator_aggregation(Aspect(aspect), Aggregation(chosen) if chosen else None)
    return decimal_text(tidy(rules.aggregate(_values(stored), how)))


@sql.table(IndicatorModel, description="Indikator kinerja individu with aspect and target.")
class Indicator(Node):
    aspect: Aspect = strawberry.field(description='Aspek: kuantitas, kualitas, waktu or biaya.')
    description: str = strawberry.field(description='Uraian indikator.')
    target_value: Decimal | None = strawberry.field(description='Target (value), for numeric targets.')
    target_unit: str | None = strawberry.field(description='Satuan target, e.g. `dokumen`, `%`.')
    target_text: str | None = strawberry.field(description="Qualitative target, when there is no value.")
    aggregation: Aggregation | None = strawberry.field(
        description="Cara agregasi: the indicator's own rule; null when the default of its aspect applies.")
    effective_aggregation: Aggregation = sql.derived(
        lambda aspect, chosen: rules.indicator_aggregation(Aspect(aspect), Aggregation(chosen) if chosen else None
                                                           ).value, "aspect", "aggregation",
        description="Cara agregasi yang berlaku: its own, else the aspect's default (kuantitas and biaya: SUM, "
                    "kualitas and waktu: AVERAGE).")
    late_periods: int = sql.expression(
        LATE_PERIODS, description="Periode terlambat: periodic periods of the plan's year that ended without a "
                                  "realisation of this indicator.")
    year_to_date: Decimal | None = sql.derived(
        lambda aspect, chosen, values: year_to_date(aspect, chosen, values), "aspect", "aggregation", PERIODIC_VALUES,
        description="Realisasi s.d. periode ini (year to date): the realisations of the periodic periods "
                    "aggregated by the rule; null before the first report.")
    realisations: list[Realisation] = sql.rows(on={"indicator_id": "id"}, joins=WITH_PERIOD, order=PERIOD_ORDER,
                                               description="Realisations in period order.")
    latest_realisation: Realisation | None = sql.row(
        on={"indicator_id": "id"}, joins=WITH_PERIOD, order=tuple("-" + key for key in PERIOD_ORDER),
        description="The realisation of the latest period reported.")


@sql.table(ResultModel, description="RHK (rencana hasil kerja); `parent` is the supervisor's RHK it contributes to.")
class ResultTarget(Node):
    kind: ResultKind = strawberry.field(description='RHK utama (main) or tambahan (additional).')
    description: str = strawberry.field(description='Uraian RHK.')
    position: int = strawberry.field(description='Order within the plan (1 first).')
    indicators: list[Indicator] = sql.rows(on={"result_id": "id"}, order=("position", "id"), description='Indikator kinerja individu of this RHK, in order.')
    parent: ResultTarget | None = sql.join("parent_id", description="Intervensi: the supervisor's RHK this one "
                                                                    "contributes to.")
    unit_indicator: LazyUnitIndicator | None = sql.join(
        "unit_indicator_id", description="IKU yang diintervensi: the unit's IKU a head's RHK serves (its `goal` is "
                                         "the sasaran).")
    goal: LazyStrategicGoal | None = sql.join(
        "goal_id", description="Sasaran yang diintervensi: the sasaran a head's RHK serves directly (without an IKU).")
    contributions: list[Contribution] = sql.rows(
        on={"parent_id": "id"}, order=("created_at", "id"), where=(NOT_SUPERSEDED,),
        description="Subordinates' RHK contributing to this one (plans not superseded): the next link of the chain.")


@strawberry.type(description="Ekspektasi khusus pimpinan for one BerAKHLAK value.")
class BehaviourExpectation:
    value: BerakhlakValue = strawberry.field(description='The BerAKHLAK value.')
    expectation: str | None = strawberry.field(description='Ekspektasi khusus pimpinan; null when none is set.')


def document_path(plan_id) -> str:
    return f"/documents/plans/{to_global_id('PerformancePlan', plan_id)}.pdf"


def behaviour_expectations(stored: dict | None) -> list[BehaviourExpectation]:
    """All seven BerAKHLAK values, with the leader's expectation where one is set."""
    stored = stored or {}
    return [BehaviourExpectation(value=v, expectation=stored.get(v.value)) for v in BerakhlakValue]


@strawberry.type(description="Progress of a plan in one period.")
class PlanProgress:
    indicators: int = strawberry.field(description='Indicators of the plan.')
    realised: int = strawberry.field(description="Indicators with a realisation in the period.")
    share_realised: Decimal = strawberry.field(description="realised / indicators, 0..1")
    achievement: Decimal | None = strawberry.field(
        description="Mean share of target reached over indicators with a numeric target, 0..1 "
                    "(for WAKTU and BIAYA the target is a ceiling).")


def _periodic_values(alias: str, dialect: str) -> str:
    """The values reported for the indicator ``alias`` in the periodic periods, in period order (JSON)."""
    from_ = _PERIODIC_FROM.replace("{t}", alias)
    if dialect == "postgres":
        return f"(SELECT coalesce(json_agg(CAST(r2.value AS TEXT) ORDER BY p2.starts_on, p2.id), '[]'::json) {from_})"
    return (f"json((SELECT json_group_array(x.v) FROM (SELECT CAST(r2.value AS TEXT) AS v {from_} "
            f"ORDER BY p2.starts_on, p2.id) x))")


# The plan's ({t}) indicators in plan order with their realisation of the period {0} and their periodic values.
_PROGRESS_COLUMNS = ("i.id, i.aspect, CAST(i.target_value AS TEXT), CAST(r.value AS TEXT), r.id IS NOT NULL, "
                     "i.aggregation, {values}")
_PROGRESS_FROM = ("FROM result_target rt JOIN indicator i ON i.tenant_id = rt.tenant_id AND i.result_id = rt.id "
                  "LEFT JOIN realisation r ON r.tenant_id = rt.tenant_id AND r.indicator_id = i.id "
                  "AND r.period_id = {0} WHERE rt.tenant_id = {tenant} AND rt.plan_id = {t}.id")
_PROGRESS_ORDER = "rt.position, rt.id, i.position, i.id"
PROGRESS_ROWS = sql.Dialects(
    "(SELECT coalesce(json_agg(json_build_array(" + _PROGRESS_COLUMNS.replace("{values}", _periodic_values("i", "postgres"))
    + ") ORDER BY " + _PROGRESS_ORDER + "), '[]'::json) " + _PROGRESS_FROM + ")",
    "json((SELECT json_group_array(json(x.j)) FROM (SELECT json_array("
    + _PROGRESS_COLUMNS.replace("{values}", _periodic_values("i", "sqlite")) + ") AS j " + _PROGRESS_FROM
    + " ORDER BY " + _PROGRESS_ORDER + ") x))")


def plan_progress(rows, period_kind=None) -> PlanProgress:
    rows = orjson.loads(rows) if isinstance(rows, str) else rows
    p = realisation.progress_of_rows(rows, annual=period_kind == "ANNUAL")
    return PlanProgress(indicators=p.indicators, realised=p.realised, share_realised=tidy(p.share_realised),
                        achievement=tidy(p.achievement))


@sql.table(FeedbackModel, description="Umpan balik on a plan or one of its realisations.")
class Feedback(Node):
    body: str = strawberry.field(description='Isi umpan balik (the text).')
    created_at: dt.datetime = strawberry.field(description='When it was given.')
    author: Employee | None = sql.join("author_employee_id", description='Who gave it; null for users with no employee record.')
    realisation_id: strawberry.ID | None = sql.global_id("Realisation", "realisation_id", description='Global id of the realisation it is about; null when about the plan.')
    reply_to_id: strawberry.ID | None = sql.global_id("Feedback", "reply_to_id", description='Global id of the feedback it answers; null when it starts a thread.')


@sql.table(PlanModel, access=READ_PLANS, node=True, not_found=lambda: NotFound("Performance plan not found", field="id"),
           description="SKP (Sasaran Kinerja Pegawai): one employee's performance plan for a year.")
class PerformancePlan(Node):
    year: int = strawberry.field(description="Tahun (the plan's year).")
    revision: int = strawberry.field(description='Revisi: 1 for the first plan of the year, then 2, 3, ...')
    approach: Approach = strawberry.field(description='Pendekatan: kuantitatif or kualitatif.')
    status: PlanStatus = strawberry.field(description='Where the plan is in its workflow.')
    return_reason: str | None = strawberry.field(description='Why the approver returned it (status RETURNED).')
    resource_support: str = strawberry.field(description="Lampiran: dukungan sumber daya.")
    accountability_scheme: str = strawberry.field(description="Lampiran: skema pertanggungjawaban.")
    consequences: str = strawberry.field(description="Lampiran: konsekuensi.")
    submitted_at: dt.datetime | None = strawberry.field(description='When it was last submitted.')
    approved_at: dt.datetime | None = strawberry.field(description='When it was approved.')
    employee: Employee = sql.join("employee_id", description='Pegawai: whose plan it is.')
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
    document_path: str = sql.derived(
        document_path, "id",
        description="SKP document (PermenPANRB 6/2022 annex): GET this path with the same Bearer token for the "
                    "signed PDF with its verification code.")

    @sql.builder(description="Progress in one period; in the annual period an indicator without an annual "
                             "realisation counts its year to date (its periodic realisations aggregated).")
    def progress(self, period_id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of a period of the plan's year.")]) -> PlanProgress:
        period = parse_input_id(period_id, "Period", "periodId")
        return sql.Value(plan_progress, (sql.Input(PROGRESS_ROWS, (period,)), sql.Input(  # type: ignore[return-value]  # a described read: the compiler answers its specification
            "(SELECT pk.kind FROM period pk WHERE pk.tenant_id = {t}.tenant_id AND pk.id = {0})", (period,))))


@sql.table(ResultModel, description="One subordinate RHK contributing to a supervisor's RHK.")
class Contribution:
    result: ResultTarget = sql.join("id", description="The subordinate's RHK.")
    plan: PerformancePlan = sql.join("plan_id", description="The plan holding it.")
    employee: Employee = sql.join(
        "(SELECT pp.employee_id FROM performance_plan pp WHERE pp.tenant_id = {tenant} AND pp.id = {p}.plan_id)",
        description="The subordinate (pegawai) whose RHK it is.")


@sql.table(ResultModel, description="Matriks peran hasil: an RHK and who contributes to it.")
class ResultMatrixRow:
    result: ResultTarget = sql.join("id", description="The supervisor's RHK.")
    unit_indicator: LazyUnitIndicator | None = sql.join(
        "unit_indicator_id", description="IKU yang diintervensi: for a unit head's RHK, the IKU it serves and "
                                         "through it the sasaran (the top of the chain).")
    goal: LazyStrategicGoal | None = sql.join(
        "goal_id", description="Sasaran yang diintervensi: the sasaran a head's RHK serves directly, when it names "
                               "no IKU.")
    contributions: list[Contribution] = sql.rows(
        on={"parent_id": "id"}, order=("created_at", "id"), description="Subordinates' RHK contributing to it "
                                                                         "(plans not superseded).",
        where=(NOT_SUPERSEDED,))


@strawberry.input(description='Which plans to list; all conditions apply.')
class PlanFilter:
    employee_id: strawberry.ID | None = strawberry.field(default=None, description='Only plans of this employee (global id).')
    year: int | None = strawberry.field(default=None, description='Only plans of this year.')
    status: PlanStatus | None = strawberry.field(default=None, description='Only plans in this state.')
    awaiting_my_decision: bool = strawberry.field(
        default=False, description="Only plans whose approver is me (combine with status: SUBMITTED).")


@strawberry.input(description='Ekspektasi khusus pimpinan for one BerAKHLAK value.')
class BehaviourExpectationInput:
    value: BerakhlakValue = strawberry.field(description='The BerAKHLAK value.')
    expectation: str = strawberry.field(description="The leader's expectation for it.")


@strawberry.input(description='A new SKP of mine for a year.')
class CreatePerformancePlanInput:
    year: int = strawberry.field(description="Tahun (the plan's year).")
    approach: Approach = strawberry.field(default=Approach.KUANTITATIF, description='Pendekatan: kuantitatif (default) or kualitatif.')
    behaviour_expectations: list[BehaviourExpectationInput] | None = strawberry.field(default=None, description='Ekspektasi khusus pimpinan per BerAKHLAK value, if any.')


@strawberry.input(description='Changes to a draft or returned plan; fields left null stay.')
class UpdatePerformancePlanInput:
    id: strawberry.ID = strawberry.field(description='Global id of the plan.')
    approach: Approach | None = strawberry.field(default=None, description='New approach.')
    behaviour_expectations: list[BehaviourExpectationInput] | None = strawberry.field(default=None, description="Replaces the leader's expectations.")
    resource_support: str | None = strawberry.field(default=None, description='Lampiran: dukungan sumber daya.')
    accountability_scheme: str | None = strawberry.field(default=None, description='Lampiran: skema pertanggungjawaban.')
    consequences: str | None = strawberry.field(default=None, description='Lampiran: konsekuensi.')


@strawberry.input(description='The plan to act on.')
class PlanIdInput:
    id: strawberry.ID = strawberry.field(description='Global id of the plan.')


@strawberry.input(description='A submitted plan to send back to its employee.')
class ReturnPerformancePlanInput:
    id: strawberry.ID = strawberry.field(description='Global id of the plan.')
    reason: str = strawberry.field(description='Alasan: what to change (shown to the employee).')


@strawberry.input(description='A plan to copy into a new draft for another year.')
class CopyPerformancePlanInput:
    source_plan_id: strawberry.ID = strawberry.field(description='Global id of the plan to copy.')
    year: int = strawberry.field(description="The new plan's year.")


@strawberry.input(description='The year whose approved plans are closed.')
class ClosePerformancePlansInput:
    year: int = strawberry.field(description='Tahun: approved plans of this year become CLOSED.')


@strawberry.input(description='A new RHK on a draft or returned plan.')
class AddResultTargetInput:
    plan_id: strawberry.ID = strawberry.field(description='Global id of the plan.')
    kind: ResultKind = strawberry.field(description='RHK utama or tambahan.')
    description: str = strawberry.field(description='Uraian RHK.')
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="The supervisor's RHK (intervensi).")
    unit_indicator_id: strawberry.ID | None = strawberry.field(
        default=None, description="IKU yang diintervensi: for a unit head's RHK, the IKU (global id) of the "
                                  "head's unit and the plan's year it serves.")
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="Sasaran yang diintervensi: instead of an IKU, the sasaran (global id) a unit "
                                  "head's RHK serves directly.")


@strawberry.input(description='Changes to an RHK; fields left null stay.')
class UpdateResultTargetInput:
    id: strawberry.ID = strawberry.field(description='Global id of the RHK.')
    kind: ResultKind | None = strawberry.field(default=None, description='New kind.')
    description: str | None = strawberry.field(default=None, description='New text.')
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="New intervensi: the supervisor's RHK (global id).")
    clear_parent: bool = strawberry.field(default=False, description="True removes the intervensi (the RHK then contributes to no supervisor's RHK).")
    unit_indicator_id: strawberry.ID | None = strawberry.field(
        default=None, description="IKU yang diintervensi: the IKU (global id) this head's RHK serves.")
    clear_unit_indicator: bool = strawberry.field(default=False, description="True removes the link to an IKU.")
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="Sasaran yang diintervensi: the sasaran (global id) this head's RHK serves "
                                  "directly (replaces an IKU link).")
    clear_goal: bool = strawberry.field(default=False, description="True removes the link to a sasaran.")


@strawberry.input(description='A new indicator of an RHK.')
class AddIndicatorInput:
    result_id: strawberry.ID = strawberry.field(description='Global id of the RHK.')
    aspect: Aspect = strawberry.field(description='Aspek: kuantitas, kualitas, waktu or biaya.')
    description: str = strawberry.field(description='Uraian indikator.')
    target_value: Decimal | None = strawberry.field(default=None, description='Target value (numeric targets).')
    target_unit: str | None = strawberry.field(default=None, description='Satuan target, e.g. `dokumen`.')
    target_text: str | None = strawberry.field(default=None, description='Qualitative target, when there is no value.')
    aggregation: Aggregation | None = strawberry.field(
        default=None, description="Cara agregasi of the year to date; omit for the default of the aspect.")


@strawberry.input(description='Changes to an indicator; fields left null stay.')
class UpdateIndicatorInput:
    id: strawberry.ID = strawberry.field(description='Global id of the indicator.')
    aspect: Aspect | None = strawberry.field(default=None, description='New aspect.')
    description: str | None = strawberry.field(default=None, description='New text.')
    target_value: Decimal | None = strawberry.field(default=None, description='New target value.')
    target_unit: str | None = strawberry.field(default=None, description='New unit.')
    target_text: str | None = strawberry.field(default=None, description='New qualitative target.')
    aggregation: Aggregation | None = strawberry.field(default=None, description="New cara agregasi.")


@strawberry.input(description="A link (url), or a file (fileName, contentType, contentBase64; at most 5 MB; "
                              "PDF, PNG, JPEG, DOCX or XLSX).")
class EvidenceInput:
    url: str | None = strawberry.field(default=None, description='A link (http or https).')
    file_name: str | None = strawberry.field(default=None, description="The file's name.")
    content_type: str | None = strawberry.field(default=None, description="The file's media type, e.g. `application/pdf`.")
    content_base64: str | None = strawberry.field(default=None, description="The file's content, base64.")


@strawberry.input(description='Realisasi of one indicator in one period (a second report replaces it).')
class RecordRealisationInput:
    indicator_id: strawberry.ID = strawberry.field(description='Global id of the indicator.')
    period_id: strawberry.ID = strawberry.field(description='Global id of the periodic period.')
    value: Decimal | None = strawberry.field(default=None, description='Nilai realisasi (numeric indicators).')
    narrative: str | None = strawberry.field(default=None, description='Uraian: what was done.')
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list, description='Bukti dukung: links or files (at most 10).')


@strawberry.input(description='Umpan balik on a plan, a realisation, or a reply.')
class GiveFeedbackInput:
    plan_id: strawberry.ID = strawberry.field(description='Global id of the plan.')
    body: str = strawberry.field(description='The text.')
    realisation_id: strawberry.ID | None = strawberry.field(default=None, description='Global id of the realisation it is about, if any.')
    reply_to_id: strawberry.ID | None = strawberry.field(default=None, description='Global id of the feedback it answers, if any.')


@strawberry.type(description='The outcome of a change to a plan (SKP).')
class PerformancePlanPayload:
    plan: PerformancePlan | None = strawberry.field(default=None, description='The plan as it is now; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description='The outcome of a change to an RHK.')
class ResultTargetPayload:
    result_target: ResultTarget | None = strawberry.field(default=None, description='The RHK as it is now; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description='The outcome of a change to an indicator.')
class IndicatorPayload:
    indicator: Indicator | None = strawberry.field(default=None, description='The indicator as it is now; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description='The outcome of a change to a removal.')
class RemovePayload:
    removed_id: strawberry.ID | None = strawberry.field(default=None, description='Global id of what was removed; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description='The outcome of a change to a realisation.')
class RealisationPayload:
    realisation: Realisation | None = strawberry.field(default=None, description='The realisation as it is now; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description='The outcome of a change to feedback.')
class FeedbackPayload:
    feedback: Feedback | None = strawberry.field(default=None, description='The new feedback; null on failure.')
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of closing a year's plans.")
class ClosePerformancePlansPayload:
    closed: int = strawberry.field(default=0, description='How many plans were closed.')
    user_errors: list[UserError] = user_errors_field()



def _expectations(items: list[BehaviourExpectationInput] | None):
    return None if items is None else [(i.value, i.expectation) for i in items]


@strawberry.type
class PlanQuery:
    @sql.builder(description="Plans the viewer may see (own, team, unit or tenant scope), newest year first.")
    def performance_plans(self, first: First = 20, after: After = None,
                          filter: Annotated[PlanFilter | None, strawberry.argument(description="Which plans.")] = None
                          ) -> Connection[PerformancePlan]:
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
        return sql.Page(first=first, after=after, where=tuple(where), order=("-year", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="One plan by its global id, if you may see it (NOT_FOUND otherwise).")
    def performance_plan(self, id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of the plan.")]) -> PerformancePlan:
        plan = parse_input_id(id, "PerformancePlan", "id")
        return sql.Row(where=(sql.eq("id", plan),), access=True,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: NotFound("Performance plan not found", field="id"))

    @sql.builder(description="Matriks peran hasil of a (supervisor's) plan.")
    def result_matrix(self, plan_id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of the supervisor's plan.")]) -> list[ResultMatrixRow]:
        plan = parse_input_id(plan_id, "PerformancePlan", "planId")
        return sql.Rows(where=(sql.eq("plan_id", plan),), order=("position", "id"), guard=sql.Exists(  # type: ignore[return-value]  # a described read: the compiler answers its specification
            "PerformancePlan", (sql.eq("id", plan),), lambda: NotFound("Performance plan not found", field="planId")))


def _plan_payload(plan) -> dict:
    return {"plan": sql.ref("PerformancePlan", plan.id)}


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="Start my plan for a year (as a DRAFT).")
    async def create_performance_plan(self, info: Info, input: Annotated[CreatePerformancePlanInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.create_plan(info.context, input.year, input.approach,
                                                           _expectations(input.behaviour_expectations)))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Change a draft's approach, BerAKHLAK expectations or lampiran.")
    async def update_performance_plan(self, info: Info, input: Annotated[UpdatePerformancePlanInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.update_plan(
                info.context, parse_input_id(input.id, "PerformancePlan", "id"), approach=input.approach,
                expectations=_expectations(input.behaviour_expectations), resource_support=input.resource_support,
                accountability_scheme=input.accountability_scheme, consequences=input.consequences))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description='Add an RHK to my draft or returned plan.')
    async def add_result_target(self, info: Info, input: Annotated[AddResultTargetInput, INPUT]) -> ResultTargetPayload:
        async def work():
            row = await service.add_result_target(info.context, parse_input_id(input.plan_id, "PerformancePlan", "planId"),
                                                  input.kind, input.description,
                                                  parse_input_id(input.parent_id, "ResultTarget", "parentId"),
                                                  parse_input_id(input.unit_indicator_id, "UnitIndicator",
                                                                 "unitIndicatorId"),
                                                  parse_input_id(input.goal_id, "StrategicGoal", "goalId"))
            return {"result_target": sql.ref("ResultTarget", row.id)}
        return await run_mutation(info, ResultTargetPayload, work)

    @strawberry.mutation(description='Change an RHK of my draft or returned plan.')
    async def update_result_target(self, info: Info, input: Annotated[UpdateResultTargetInput, INPUT]) -> ResultTargetPayload:
        async def work():
            row = await service.update_result_target(
                info.context, parse_input_id(input.id, "ResultTarget", "id"), kind=input.kind, description=input.description,
                parent_id=parse_input_id(input.parent_id, "ResultTarget", "parentId"), clear_parent=input.clear_parent,
                unit_indicator_id=parse_input_id(input.unit_indicator_id, "UnitIndicator", "unitIndicatorId"),
                clear_unit_indicator=input.clear_unit_indicator,
                goal_id=parse_input_id(input.goal_id, "StrategicGoal", "goalId"), clear_goal=input.clear_goal)
            return {"result_target": sql.ref("ResultTarget", row.id)}
        return await run_mutation(info, ResultTargetPayload, work)

    @strawberry.mutation(description='Remove an RHK (with its indicators) from my draft or returned plan.')
    async def remove_result_target(self, info: Info, input: Annotated[PlanIdInput, INPUT]) -> RemovePayload:
        async def work():
            removed = await service.remove_result_target(info.context, parse_input_id(input.id, "ResultTarget", "id"))
            return {"removed_id": to_global_id("ResultTarget", removed)}
        return await run_mutation(info, RemovePayload, work)

    @strawberry.mutation(description='Add an indicator to an RHK of my draft or returned plan.')
    async def add_indicator(self, info: Info, input: Annotated[AddIndicatorInput, INPUT]) -> IndicatorPayload:
        async def work():
            row = await service.add_indicator(info.context, parse_input_id(input.result_id, "ResultTarget", "resultId"),
                                              input.aspect, input.description, input.target_value,
                                              input.target_unit, input.target_text, input.aggregation)
            return {"indicator": sql.ref("Indicator", row.id)}
        return await run_mutation(info, IndicatorPayload, work)

    @strawberry.mutation(description='Change an indicator of my draft or returned plan.')
    async def update_indicator(self, info: Info, input: Annotated[UpdateIndicatorInput, INPUT]) -> IndicatorPayload:
        async def work():
            row = await service.update_indicator(info.context, parse_input_id(input.id, "Indicator", "id"), aspect=input.aspect,
                                                 description=input.description, target_value=input.target_value,
                                                 target_unit=input.target_unit, target_text=input.target_text,
                                                 aggregation=input.aggregation)
            return {"indicator": sql.ref("Indicator", row.id)}
        return await run_mutation(info, IndicatorPayload, work)

    @strawberry.mutation(description='Remove an indicator from my draft or returned plan.')
    async def remove_indicator(self, info: Info, input: Annotated[PlanIdInput, INPUT]) -> RemovePayload:
        async def work():
            removed = await service.remove_indicator(info.context, parse_input_id(input.id, "Indicator", "id"))
            return {"removed_id": to_global_id("Indicator", removed)}
        return await run_mutation(info, RemovePayload, work)

    @strawberry.mutation(description="Send my draft to my direct supervisor.")
    async def submit_performance_plan(self, info: Info, input: Annotated[PlanIdInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.submit_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Approve a submitted plan (its approver only).")
    async def approve_performance_plan(self, info: Info, input: Annotated[PlanIdInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.approve_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Return a submitted plan with a reason (its approver only).")
    async def return_performance_plan(self, info: Info, input: Annotated[ReturnPerformancePlanInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.return_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id"),
                                                           input.reason))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Open a new revision (a draft copy) of my approved plan.")
    async def revise_performance_plan(self, info: Info, input: Annotated[PlanIdInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.revise_plan(info.context, parse_input_id(input.id, "PerformancePlan", "id")))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Start a year's plan as a copy of an earlier plan of mine.")
    async def copy_performance_plan(self, info: Info, input: Annotated[CopyPerformancePlanInput, INPUT]) -> PerformancePlanPayload:
        async def work():
            return _plan_payload(await service.copy_plan(
                info.context, parse_input_id(input.source_plan_id, "PerformancePlan", "sourcePlanId"), input.year))
        return await run_mutation(info, PerformancePlanPayload, work)

    @strawberry.mutation(description="Close every approved plan of a year (HR, at year end).")
    async def close_performance_plans(self, info: Info, input: Annotated[ClosePerformancePlansInput, INPUT]) -> ClosePerformancePlansPayload:
        async def work():
            return {"closed": await service.close_year(info.context, input.year)}
        return await run_mutation(info, ClosePerformancePlansPayload, work)

    @strawberry.mutation(description="Report (or correct) an indicator's realisation in a period, with evidence.")
    async def record_realisation(self, info: Info, input: Annotated[RecordRealisationInput, INPUT]) -> RealisationPayload:
        async def work():
            realisation_id = await realisation.record_realisation(
                info.context, parse_input_id(input.indicator_id, "Indicator", "indicatorId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.value, input.narrative,
                [realisation.EvidenceInput(e.url, e.file_name, e.content_type, e.content_base64)
                 for e in input.evidence])
            return {"realisation": sql.ref("Realisation", realisation_id)}
        return await run_mutation(info, RealisationPayload, work)

    @strawberry.mutation(description="Comment on a plan or a realisation, or reply to a comment.")
    async def give_feedback(self, info: Info, input: Annotated[GiveFeedbackInput, INPUT]) -> FeedbackPayload:
        async def work():
            row = await realisation.give_feedback(
                info.context, parse_input_id(input.plan_id, "PerformancePlan", "planId"),
                parse_input_id(input.realisation_id, "Realisation", "realisationId"),
                parse_input_id(input.reply_to_id, "Feedback", "replyToId"), input.body)
            return {"feedback": sql.ref("Feedback", row.id)}
        return await run_mutation(info, FeedbackPayload, work)


@strawberry.type(description="Something happened to a plan: a status change, a realisation or feedback.")
class PlanEvent:
    kind: PlanEventKind = strawberry.field(description="What happened.")
    plan_id: strawberry.ID = strawberry.field(description="Global id of the plan.")
    subject_id: strawberry.ID = strawberry.field(description="The plan, realisation or feedback concerned.")
    status: PlanStatus | None = strawberry.field(description="The plan's state after a status change; null for "
                                                             "realisations and feedback.")


def _event(event) -> PlanEvent:
    subject_type = {"REALISATION_RECORDED": "Realisation", "REALISATION_UPDATED": "Realisation",
                    "FEEDBACK_GIVEN": "Feedback"}.get(event.kind, "PerformancePlan")
    status = event.extra.get("status")
    return PlanEvent(kind=PlanEventKind(event.kind), plan_id=strawberry.ID(to_global_id("PerformancePlan", event.plan_id)),
                     subject_id=strawberry.ID(to_global_id(subject_type, event.subject_id)),
                     status=PlanStatus(status) if status is not None else None)


async def _visible(ctx, plan_id: uuid.UUID) -> bool:
    """Checked afresh for every event, so a revoked permission stops delivery."""
    ctx.cache.clear()
    ctx.loaders.clear()
    async with ctx.actor_transaction():
        return await realisation.may_see_plan(ctx, plan_id)


@strawberry.type
class PlanSubscription:
    @strawberry.subscription(description="Live events of one plan the viewer may see.")
    async def plan_events(self, info: Info, plan_id: Annotated[strawberry.ID, strawberry.argument(
            description="Global id of the plan.")]) -> AsyncGenerator[PlanEvent, None]:
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
