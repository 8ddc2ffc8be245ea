"""GraphQL of organisation performance (SAKIP): the RPJMD goal tree, IKU with their targets, the
Perjanjian Kinerja."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import orjson
import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.core.ids import to_global_id
from kinerja.core.numbers import decimal_text, tidy
from kinerja.goals import achievement as figures_sql
from kinerja.goals import rules, service
from kinerja.goals.downloads import download_path
from kinerja.goals.models import PerformanceAgreement as AgreementModel
from kinerja.goals.models import StrategicGoal as GoalModel
from kinerja.goals.models import UnitIndicator as IndicatorModel
from kinerja.goals.models import UnitIndicatorRealisation as RealisationModel
from kinerja.goals.models import UnitIndicatorTarget as TargetModel
from kinerja.goals.rules import AgreementSide, AgreementStatus, Direction, GoalLevel, IndicatorKind
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee, OrgUnit, Period
from kinerja.org.models import OrgUnit as OrgUnitModel
from kinerja.plans.graphql import Aggregation  # registered as a GraphQL enum there

if TYPE_CHECKING:  # for the type checker only: at run time strawberry.lazy imports them
    from kinerja.evaluations.graphql import UnitRating
    from kinerja.plans.graphql import ResultTarget

described(GoalLevel, "Tingkat tujuan RPJMD: the level of a regional goal.", {
    "TUJUAN": "Tujuan: a goal of the regional plan (RPJMD).",
    "SASARAN": "Sasaran: a target serving a tujuan; IKU serve a sasaran.",
})
described(IndicatorKind, "Jenis indikator: the kind of value an IKU measures.", {
    "PERCENTAGE": "Persentase: a percentage.",
    "COUNT": "Jumlah: a count.",
    "INDEX": "Indeks: an index.",
    "RATIO": "Rasio: a ratio.",
    "PUBLIC_SATISFACTION": "Kepuasan masyarakat: public satisfaction (may be taken from the unit's IKM).",
})
described(Direction, "Arah indikator: whether a higher or a lower value is better.", {
    "HIGHER_IS_BETTER": "Semakin tinggi semakin baik: higher is better.",
    "LOWER_IS_BETTER": "Semakin rendah semakin baik: lower is better (achievement is target / realisation).",
})
described(AgreementStatus, "Status perjanjian kinerja: where a performance agreement is.", {
    "DRAFT": "Draf: not yet signed by both parties.",
    "SIGNED": "Ditandatangani: signed by the head and the superior; in force.",
    "REVISED": "Direvisi: replaced by a later version (PK perubahan); kept as it was signed.",
})
described(AgreementSide, "Pihak: on which side a signature is given.", {
    "HEAD": "Pihak pertama: the head of the unit, who commits to the targets.",
    "SUPERIOR": "Pihak kedua: the head's superior.",
})

READ_IKU = sql.requires("iku", "read")
LazyResultTarget = Annotated["ResultTarget", strawberry.lazy("kinerja.plans.graphql")]
LazyUnitRating = Annotated["UnitRating", strawberry.lazy("kinerja.evaluations.graphql")]
WITH_PERIOD = "JOIN period {j} ON {j}.tenant_id = {t}.tenant_id AND {j}.id = {t}.period_id"
PERIOD_ORDER = ("{j}.starts_on", "{j}.ends_on", "{t}.id")


@strawberry.type(description="Indikator tujuan/sasaran: an indicator of a regional goal.")
class GoalIndicator:
    name: str = strawberry.field(description="Nama indikator: the indicator's name.")
    unit_of_measure: str = strawberry.field(description="Satuan: unit of measure.")
    baseline: Decimal | None = strawberry.field(description="Kondisi awal: baseline value.")
    target: Decimal | None = strawberry.field(description="Target akhir: the target at the end of the span.")


def goal_indicators(stored) -> list[GoalIndicator]:
    if isinstance(stored, str):  # a backend may hand a JSON column over as text
        stored = orjson.loads(stored)
    return [GoalIndicator(name=i["name"], unit_of_measure=i.get("unit_of_measure", ""),
                          baseline=None if i.get("baseline") is None else Decimal(i["baseline"]),
                          target=None if i.get("target") is None else Decimal(i["target"]))
            for i in stored or []]


@sql.table(GoalModel, access=READ_IKU, node=True, not_found=lambda: NotFound("Strategic goal not found"),
           description="Tujuan atau sasaran RPJMD: a goal or target of the regional plan over a span of years.")
class StrategicGoal(Node):
    level: GoalLevel = strawberry.field(description="Tingkat: TUJUAN or SASARAN.")
    code: str = strawberry.field(description="Kode: the goal's code, unique in the tenant for its span.")
    name: str = strawberry.field(description="Uraian: the goal's statement.")
    start_year: int = strawberry.field(description="Tahun awal: first year of the span.")
    end_year: int = strawberry.field(description="Tahun akhir: last year of the span.")
    indicators: list[GoalIndicator] = sql.derived(goal_indicators, "indicators",
                                                  description="Indikator: the goal's indicators.")
    parent: StrategicGoal | None = sql.join("parent_id", description="Tujuan: the goal a sasaran serves; "
                                                                     "null for a tujuan.")
    children: list[StrategicGoal] = sql.rows(on={"parent_id": "id"}, order=("code", "id"),
                                             description="Sasaran: the targets serving this tujuan, by code.")


@sql.table(TargetModel, description="Target periode: an IKU's target for one period.")
class UnitIndicatorTarget:
    value: Decimal = strawberry.field(description="Target: the value to reach in the period.")
    period: Period = sql.join("period_id", description="Periode: the period.")


@sql.table(RealisationModel, description="Realisasi IKU: an IKU's value reached in one period, with its evidence.")
class UnitIndicatorRealisation:
    value: Decimal = strawberry.field(description="Realisasi: the value reached in the period.")
    narrative: str = strawberry.field(description="Uraian: what was done.")
    evidence_url: str | None = strawberry.field(description="Bukti dukung (tautan): the evidence link, if any.")
    evidence_file_name: str | None = strawberry.field(description="Bukti dukung (berkas): the file's name, if any.")
    evidence_sha256: str | None = strawberry.field(description="SHA-256 of the evidence file (hex), if any.")
    evidence_download_path: str | None = sql.derived(
        download_path, "id", "evidence_sha256",
        description="For a file: GET this path with the same Bearer token to download it.")
    updated_at: dt.datetime = strawberry.field(description="When it was last reported.")
    period: Period = sql.join("period_id", description="Periode: the period it reports.")


@strawberry.type(description="Capaian IKU per periode: an IKU's target, realisation and achievement in one period.")
class UnitIndicatorPeriod:
    period_id: strawberry.ID = strawberry.field(description="Global id of the period.")
    name: str = strawberry.field(description="Nama periode, e.g. `Triwulan I 2026`.")
    sequence: int = strawberry.field(description="Its place in the year (1 = Q1).")
    target: Decimal | None = strawberry.field(
        description="Target periode: the period's own target, else the year's where periods are not summed.")
    realisation: Decimal | None = strawberry.field(description="Realisasi: null when not reported.")
    achievement: Decimal | None = strawberry.field(description="Capaian (%): realisation against the target, "
                                                               "inverted when lower is better, capped by the rule.")
    late: bool = strawberry.field(description="Terlambat: the period ended without a realisation.")


def _progress(kind, aggregation, direction, target, figures, rules_json):
    return figures_sql.progress_of(kind, aggregation, direction, target, figures, rules_json)


# Derived leaves are returned as their scalar writes them (the Decimal scalar: text; an enum: its value).

def effective_aggregation(kind, aggregation, direction, target, figures, rules_json) -> str:
    return _progress(kind, aggregation, direction, target, figures, rules_json).aggregation.value


def year_to_date(kind, aggregation, direction, target, figures, rules_json) -> str | None:
    return decimal_text(tidy(_progress(kind, aggregation, direction, target, figures, rules_json).year_to_date))


def year_achievement(kind, aggregation, direction, target, figures, rules_json) -> str | None:
    return decimal_text(tidy(_progress(kind, aggregation, direction, target, figures, rules_json).achievement))


def late_periods(kind, aggregation, direction, target, figures, rules_json) -> int:
    return sum(1 for _f, _a, late in _progress(kind, aggregation, direction, target, figures, rules_json).periods
               if late)


def period_rows(kind, aggregation, direction, target, figures, rules_json) -> list[UnitIndicatorPeriod]:
    p = _progress(kind, aggregation, direction, target, figures, rules_json)
    year_target = figures_sql.number(target)
    return [UnitIndicatorPeriod(period_id=strawberry.ID(figures_sql.period_global_id(f.period_id)), name=f.name,
                                sequence=f.sequence, target=tidy(rules.period_target(f.target, year_target,
                                                                                     p.aggregation)),
                                realisation=tidy(f.realisation), achievement=tidy(a), late=late)
            for f, a, late in p.periods]


PROGRESS_INPUTS = ("kind", "aggregation", "direction", figures_sql.TARGET, figures_sql.FIGURES, figures_sql.RULES)


@sql.table(IndicatorModel, access=READ_IKU, node=True, not_found=lambda: NotFound("Unit indicator not found"),
           description="IKU (Indikator Kinerja Utama): a key performance indicator of an org unit for one year.")
class UnitIndicator(Node):
    year: int = strawberry.field(description="Tahun: the IKU's year.")
    name: str = strawberry.field(description="Nama indikator: the IKU's name.")
    definition: str = strawberry.field(description="Definisi operasional: what is measured.")
    formula: str = strawberry.field(description="Formula: how it is computed.")
    kind: IndicatorKind = strawberry.field(description="Jenis: percentage, count, index, ratio or satisfaction.")
    direction: Direction = strawberry.field(description="Arah: higher or lower is better.")
    unit_of_measure: str = strawberry.field(description="Satuan: unit of measure.")
    data_source: str = strawberry.field(description="Sumber data: where the values come from.")
    responsible_position: str = strawberry.field(description="Penanggung jawab: the responsible position.")
    baseline: Decimal | None = strawberry.field(description="Kondisi awal (baseline): the value before the year.")
    target: Decimal | None = strawberry.field(description="Target tahunan: the year's target.")
    aggregation: Aggregation | None = strawberry.field(
        description="Cara agregasi: the IKU's own aggregation; null when the tenant's default for its kind applies.")
    org_unit: OrgUnit = sql.join("org_unit_id", description="Unit kerja: the unit the IKU belongs to.")
    goal: StrategicGoal = sql.join("goal_id", description="Sasaran: the regional target the IKU serves.")
    targets: list[UnitIndicatorTarget] = sql.rows(on={"indicator_id": "id"}, joins=WITH_PERIOD, order=PERIOD_ORDER,
                                                  description="Target per periode: targets per period, in order.")
    results: list[LazyResultTarget] = sql.rows(
        on={"unit_indicator_id": "id"}, order=("created_at", "id"),
        where=(sql.where("EXISTS (SELECT 1 FROM performance_plan pp WHERE pp.tenant_id = {tenant} "
                         "AND pp.id = {t}.plan_id AND pp.status <> 'SUPERSEDED')"),),
        description="RHK yang mengintervensi: the heads' RHK serving this IKU (plans not superseded); follow "
                    "their `contributions` down to the staff.")
    realisations: list[UnitIndicatorRealisation] = sql.rows(
        on={"indicator_id": "id"}, joins=WITH_PERIOD, order=PERIOD_ORDER,
        description="Realisasi per periode: realisations reported, in period order.")
    effective_aggregation: Aggregation = sql.derived(
        effective_aggregation, *PROGRESS_INPUTS,
        description="Cara agregasi yang berlaku: the IKU's own, else the tenant's default for its kind and year.")
    year_to_date: Decimal | None = sql.derived(
        year_to_date, *PROGRESS_INPUTS,
        description="Realisasi s.d. periode ini (year to date): the periodic realisations aggregated; null "
                    "before the first report.")
    achievement: Decimal | None = sql.derived(
        year_achievement, *PROGRESS_INPUTS,
        description="Capaian tahunan (%): the year-to-date value against the year's target, inverted when lower "
                    "is better, capped by the tenant's rule.")
    late_periods: int = sql.derived(late_periods, *PROGRESS_INPUTS,
                                    description="Periode terlambat: periods ended without a realisation.")
    periods: list[UnitIndicatorPeriod] = sql.derived(
        period_rows, *PROGRESS_INPUTS,
        description="Capaian per periode: every periodic period of the year with target, realisation, achievement "
                    "and the late flag.")


@strawberry.type(description="Capaian IKU dalam periode: one IKU's figures in the period asked for (for the annual "
                             "period: year to date).")
class IndicatorAchievement:
    unit_indicator_id: strawberry.ID = strawberry.field(description="Global id of the IKU.")
    name: str = strawberry.field(description="Nama indikator.")
    target: Decimal | None = strawberry.field(description="Target of the period (or the year).")
    realisation: Decimal | None = strawberry.field(description="Realisasi; null when not reported.")
    achievement: Decimal | None = strawberry.field(description="Capaian (%), capped by the tenant's rule.")
    late: bool = strawberry.field(description="Terlambat: a period ended without a realisation.")


def _indicators_in_period(stored, rules_json, period_id, period_kind) -> list[IndicatorAchievement]:
    return [IndicatorAchievement(unit_indicator_id=strawberry.ID(to_global_id("UnitIndicator", i.indicator_id)),
                                 name=i.name, target=tidy(i.target), realisation=tidy(i.realisation),
                                 achievement=tidy(i.achievement), late=i.late)
            for i in figures_sql.unit_in_period(stored, rules_json, period_id, period_kind)]


def _unit_achievement(stored, rules_json, period_id, period_kind) -> str | None:
    return decimal_text(tidy(figures_sql.unit_achievement(stored, rules_json, period_id, period_kind)))


# One row per org unit and period of the tenant: what a unit's achievement is about.
UNIT_PERIODS = ("(SELECT u.id, u.tenant_id, pr.id AS period_id, pr.year, pr.kind AS period_kind FROM org_unit u "
                "JOIN period pr ON pr.tenant_id = u.tenant_id WHERE u.tenant_id = {tenant}) {t}")
UNIT_IKU = figures_sql.unit_indicators_sql("{t}.id", "{t}.year")
UNIT_RULES = figures_sql.rules_sql("{t}.year")
UNIT_INPUTS = (UNIT_IKU, UNIT_RULES, "period_id", "period_kind")


def _iku_report_path(unit_id, year) -> str:
    return f"/documents/units/{to_global_id('OrgUnit', unit_id)}/iku/{year}.pdf"


@sql.table(OrgUnitModel, source=UNIT_PERIODS, access=READ_IKU,
           description="Capaian kinerja unit: a unit's achievement in a period, from its IKU, with the suggested "
                       "rating and the rating decided.")
class UnitAchievement:
    org_unit: OrgUnit = sql.join("id", description="Unit kerja.")
    period: Period = sql.join("period_id", description="Periode.")
    achievement: Decimal | None = sql.derived(
        _unit_achievement, *UNIT_INPUTS,
        description="Capaian unit (%): the mean of its IKU's achievements in the period (year to date for the "
                    "annual period); null when none has one.")
    suggested_rating: LazyUnitRating | None = sql.derived(
        figures_sql.suggested_rating, *UNIT_INPUTS,
        description="Predikat yang disarankan: the rating the tenant's thresholds give the achievement.")
    rating: LazyUnitRating | None = sql.expression(
        "(SELECT r.rating FROM unit_performance r WHERE r.tenant_id = {tenant} AND r.org_unit_id = {t}.id "
        "AND r.period_id = {t}.period_id)",
        description="Predikat yang ditetapkan: the rating decided with setUnitPerformance; null until then.")
    indicators: list[IndicatorAchievement] = sql.derived(
        _indicators_in_period, *UNIT_INPUTS, description="IKU: each IKU's figures in the period, by name.")
    iku_report_path: str = sql.derived(
        _iku_report_path, "id", "year",
        description="Laporan capaian IKU of the unit and the period's year: GET this path with the same Bearer "
                    "token for the signed PDF.")


@strawberry.type(description="Target yang diperjanjikan: one IKU target committed by an agreement, as signed.")
class AgreementCommitment:
    unit_indicator_id: strawberry.ID = strawberry.field(description="Global id of the IKU committed.")
    name: str = strawberry.field(description="Nama indikator, as signed.")
    unit_of_measure: str = strawberry.field(description="Satuan, as signed.")
    target: Decimal | None = strawberry.field(description="Target tahunan, as signed.")


def commitments(stored) -> list[AgreementCommitment]:
    if isinstance(stored, str):
        stored = orjson.loads(stored)
    return [AgreementCommitment(unit_indicator_id=strawberry.ID(to_global_id("UnitIndicator", c["indicator_id"])),
                                name=c["name"], unit_of_measure=c.get("unit_of_measure", ""),
                                target=None if c.get("target") is None else Decimal(c["target"]))
            for c in stored or []]


@sql.table(AgreementModel, access=READ_IKU, node=True, not_found=lambda: NotFound("Performance agreement not found"),
           description="Perjanjian Kinerja (PK): a unit head's commitment to the year's IKU targets, signed with "
                       "the superior; each revision (PK perubahan) is a new version.")
class PerformanceAgreement(Node):
    year: int = strawberry.field(description="Tahun: the agreement's year.")
    version: int = strawberry.field(description="Versi: 1 for the first agreement, then one per revision.")
    status: AgreementStatus = strawberry.field(description="Status: draft, signed or revised.")
    revision_reason: str | None = strawberry.field(description="Alasan perubahan: why this version revises the last.")
    commitments: list[AgreementCommitment] = sql.derived(
        commitments, "commitments", description="Target yang diperjanjikan: the IKU targets committed, by name.")
    head: Employee | None = sql.join("head_id", description="Pihak pertama: the head who signed.")
    head_signed_at: dt.datetime | None = strawberry.field(description="When the head signed.")
    superior: Employee | None = sql.join("superior_id", description="Pihak kedua: the superior who signed.")
    superior_signed_at: dt.datetime | None = strawberry.field(description="When the superior signed.")
    org_unit: OrgUnit = sql.join("org_unit_id", description="Unit kerja: the unit the agreement is of.")
    history: list[PerformanceAgreement] = sql.rows(
        on={"org_unit_id": "org_unit_id", "year": "year"}, order=("version",),
        description="Riwayat: every version of the unit's agreement of the year, oldest first.")


# --- inputs and payloads ---------------------------------------------------------------------------

@strawberry.input(description="Indikator tujuan/sasaran: an indicator of a regional goal.")
class GoalIndicatorInput:
    name: str = strawberry.field(description="Nama indikator: the indicator's name.")
    unit_of_measure: str = strawberry.field(default="", description="Satuan: unit of measure.")
    baseline: Decimal | None = strawberry.field(default=None, description="Kondisi awal: baseline value.")
    target: Decimal | None = strawberry.field(default=None, description="Target akhir: target at the span's end.")


@strawberry.input(description="Tujuan atau sasaran RPJMD to create (no id) or replace (with its id).")
class SaveStrategicGoalInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the goal to replace; "
                                                                          "omit to create one.")
    level: GoalLevel = strawberry.field(description="Tingkat: TUJUAN or SASARAN (cannot change).")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="Tujuan: the tujuan a sasaran "
                                                                                 "serves; omit for a tujuan.")
    code: str = strawberry.field(description="Kode: unique in the tenant for the span's first year.")
    name: str = strawberry.field(description="Uraian: the goal's statement.")
    start_year: int = strawberry.field(description="Tahun awal: first year of the span.")
    end_year: int = strawberry.field(description="Tahun akhir: last year of the span.")
    indicators: list[GoalIndicatorInput] = strawberry.field(default_factory=list,
                                                            description="Indikator: replaces the goal's indicators.")


@strawberry.input(description="A new IKU of an org unit for a year.")
class CreateUnitIndicatorInput:
    org_unit_id: strawberry.ID = strawberry.field(description="Unit kerja: global id of the org unit.")
    year: int = strawberry.field(description="Tahun: the IKU's year.")
    goal_id: strawberry.ID = strawberry.field(description="Sasaran: global id of the sasaran it serves.")
    name: str = strawberry.field(description="Nama indikator: unique in the unit and year.")
    definition: str = strawberry.field(default="", description="Definisi operasional: what is measured.")
    formula: str = strawberry.field(default="", description="Formula: how it is computed.")
    kind: IndicatorKind = strawberry.field(description="Jenis: the kind of value.")
    direction: Direction = strawberry.field(default=Direction.HIGHER_IS_BETTER, description="Arah: which way is better.")
    unit_of_measure: str = strawberry.field(default="", description="Satuan: unit of measure.")
    data_source: str = strawberry.field(default="", description="Sumber data: where the values come from.")
    responsible_position: str = strawberry.field(default="", description="Penanggung jawab: the responsible position.")
    baseline: Decimal | None = strawberry.field(default=None, description="Kondisi awal: baseline value.")
    target: Decimal | None = strawberry.field(default=None, description="Target tahunan: the year's target.")
    aggregation: Aggregation | None = strawberry.field(
        default=None, description="Cara agregasi: omit for the tenant's default for the kind.")


@strawberry.input(description="Changes to an IKU: omitted fields stay as they are.")
class UpdateUnitIndicatorInput:
    id: strawberry.ID = strawberry.field(description="Global id of the IKU.")
    goal_id: strawberry.ID | None = strawberry.field(default=None, description="Sasaran: the sasaran it serves.")
    name: str | None = strawberry.field(default=None, description="Nama indikator.")
    definition: str | None = strawberry.field(default=None, description="Definisi operasional.")
    formula: str | None = strawberry.field(default=None, description="Formula.")
    kind: IndicatorKind | None = strawberry.field(default=None, description="Jenis indikator.")
    direction: Direction | None = strawberry.field(default=None, description="Arah indikator.")
    unit_of_measure: str | None = strawberry.field(default=None, description="Satuan.")
    data_source: str | None = strawberry.field(default=None, description="Sumber data.")
    responsible_position: str | None = strawberry.field(default=None, description="Penanggung jawab.")
    baseline: Decimal | None = strawberry.field(default=None, description="Kondisi awal (baseline).")
    aggregation: Aggregation | None = strawberry.field(default=None, description="Cara agregasi.")
    default_aggregation: bool = strawberry.field(
        default=False, description="True: use the tenant's default aggregation for the kind again.")


@strawberry.input(description="Target IKU: the year's target (no period) or one period's target.")
class SetUnitIndicatorTargetInput:
    unit_indicator_id: strawberry.ID = strawberry.field(description="Global id of the IKU.")
    period_id: strawberry.ID | None = strawberry.field(
        default=None, description="Periode: a periodic period of the IKU's year; omit for the year's target.")
    value: Decimal | None = strawberry.field(description="Target; null removes a period's target.")


@strawberry.input(description="Bukti dukung: a link, or a file (name, media type and base64 content).")
class UnitEvidenceInput:
    url: str | None = strawberry.field(default=None, description="A link (http or https).")
    file_name: str | None = strawberry.field(default=None, description="The file's name.")
    content_type: str | None = strawberry.field(default=None, description="The file's media type, e.g. "
                                                                          "`application/pdf`.")
    content_base64: str | None = strawberry.field(default=None, description="The file's content, base64.")


@strawberry.input(description="Realisasi IKU of one period (a second report replaces it).")
class RecordUnitIndicatorRealisationInput:
    unit_indicator_id: strawberry.ID = strawberry.field(description="Global id of the IKU.")
    period_id: strawberry.ID = strawberry.field(description="Periode: a periodic period of the IKU's year, not "
                                                            "closed.")
    value: Decimal | None = strawberry.field(default=None, description="Realisasi: the value reached in the "
                                                                       "period (omit with fromIkm).")
    from_ikm: bool = strawberry.field(default=False, description="Dari IKM: take the value from the unit's IKM of "
                                                                 "the period (IKU of kind PUBLIC_SATISFACTION).")
    narrative: str | None = strawberry.field(default=None, description="Uraian: what was done (at most 4000 "
                                                                       "characters).")
    evidence: UnitEvidenceInput | None = strawberry.field(
        default=None, description="Bukti dukung; omitted on a second report, the earlier evidence stays.")


@strawberry.type(description="The outcome of reporting an IKU's realisation.")
class UnitIndicatorRealisationPayload:
    unit_indicator: UnitIndicator | None = strawberry.field(default=None, description="The IKU with its figures; "
                                                                                      "null on failure.")
    realisation: UnitIndicatorRealisation | None = strawberry.field(default=None, description="The realisation "
                                                                                              "as recorded.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of saving a regional goal.")
class StrategicGoalPayload:
    strategic_goal: StrategicGoal | None = strawberry.field(default=None, description="The goal as saved; "
                                                                                      "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of a change to an IKU.")
class UnitIndicatorPayload:
    unit_indicator: UnitIndicator | None = strawberry.field(default=None, description="The IKU as it is now; "
                                                                                      "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Tanda tangan perjanjian kinerja: one party signs a unit's agreement of a year.")
class SignPerformanceAgreementInput:
    org_unit_id: strawberry.ID = strawberry.field(description="Unit kerja: global id of the org unit.")
    year: int = strawberry.field(description="Tahun: the agreement's year.")
    side: AgreementSide = strawberry.field(description="Pihak: HEAD signs first, then SUPERIOR.")


@strawberry.input(description="PK perubahan: revise a signed agreement, with the reason.")
class RevisePerformanceAgreementInput:
    org_unit_id: strawberry.ID = strawberry.field(description="Unit kerja: global id of the org unit.")
    year: int = strawberry.field(description="Tahun: the agreement's year.")
    reason: str = strawberry.field(description="Alasan perubahan: why the agreement is revised (1-2000 characters).")


@strawberry.type(description="The outcome of signing or revising a performance agreement.")
class PerformanceAgreementPayload:
    performance_agreement: PerformanceAgreement | None = strawberry.field(
        default=None, description="The agreement's current version; null on failure.")
    user_errors: list[UserError] = user_errors_field()


def _fields(i, goal_field: str) -> service.IndicatorFields:
    return service.IndicatorFields(
        goal_id=parse_input_id(i.goal_id, "StrategicGoal", goal_field), name=i.name, definition=i.definition,
        formula=i.formula, kind=i.kind, direction=i.direction, unit_of_measure=i.unit_of_measure,
        data_source=i.data_source, responsible_position=i.responsible_position, baseline=i.baseline,
        aggregation=i.aggregation)


@strawberry.type
class GoalQuery:
    @sql.builder(description="Tujuan RPJMD whose span holds the year, by code, with their sasaran as `children`.")
    def strategic_goals(self, year: Annotated[int, strawberry.argument(description="Tahun: a year of the span.")]
                        ) -> list[StrategicGoal]:
        return sql.Rows(where=(sql.eq("level", GoalLevel.TUJUAN), sql.lte("start_year", year),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                               sql.gte("end_year", year)), order=("code", "id"), access=True)

    @sql.builder(description="IKU of an org unit in a year, by name.")
    def unit_indicators(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                            description="Unit kerja: global id of the org unit.")],
                        year: Annotated[int, strawberry.argument(description="Tahun: the IKU's year.")]
                        ) -> list[UnitIndicator]:
        unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
        guard = sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                           access=False)
        return sql.Rows(where=(sql.eq("org_unit_id", unit), sql.eq("year", year)), order=("name", "id"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        access=True, guard=guard)

    @sql.builder(description="Capaian kinerja unit: a unit's achievement in a period, from its IKU.")
    def unit_achievement(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                             description="Unit kerja: global id of the org unit.")],
                         period_id: Annotated[strawberry.ID, strawberry.argument(
                             description="Periode: global id of a period (annual: year to date).")]
                         ) -> UnitAchievement:
        unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
        period = parse_input_id(period_id, "Period", "periodId")
        guard = sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                           access=False)
        return sql.Row(where=(sql.eq("id", unit), sql.eq("period_id", period)), access=True, guard=guard,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: NotFound("Period not found", field="periodId"))

    @sql.builder(description="The Perjanjian Kinerja of an org unit for a year: its latest version (null "
                             "before the head signs).")
    def performance_agreement(self, org_unit_id: Annotated[strawberry.ID, strawberry.argument(
                                  description="Unit kerja: global id of the org unit.")],
                              year: Annotated[int, strawberry.argument(description="Tahun: the agreement's year.")]
                              ) -> PerformanceAgreement | None:
        unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
        guard = sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                           access=False)
        return sql.Row(where=(sql.eq("org_unit_id", unit), sql.eq("year", year)), order=("-version",),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       access=True, guard=guard)


def _indicator(row) -> dict:
    return {"unit_indicator": sql.ref("UnitIndicator", row.id)}


@strawberry.type
class GoalMutation:
    @strawberry.mutation(description="Create or replace a tujuan or sasaran of the RPJMD (tenant-wide IKU managers).")
    async def save_strategic_goal(self, info: Info, input: Annotated[SaveStrategicGoalInput, INPUT]
                                  ) -> StrategicGoalPayload:
        async def work():
            indicators = [service.GoalIndicatorData(i.name, i.unit_of_measure, i.baseline, i.target)
                          for i in input.indicators]
            goal = await service.save_strategic_goal(
                info.context, parse_input_id(input.id, "StrategicGoal", "id"), input.level,
                parse_input_id(input.parent_id, "StrategicGoal", "parentId"), input.code, input.name,
                input.start_year, input.end_year, indicators)
            return {"strategic_goal": sql.ref("StrategicGoal", goal.id)}
        return await run_mutation(info, StrategicGoalPayload, work)

    @strawberry.mutation(description="Create an IKU of an org unit for a year (HR, or the unit's head).")
    async def create_unit_indicator(self, info: Info, input: Annotated[CreateUnitIndicatorInput, INPUT]
                                    ) -> UnitIndicatorPayload:
        async def work():
            return _indicator(await service.create_unit_indicator(
                info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"), input.year, input.target,
                _fields(input, "goalId")))
        return await run_mutation(info, UnitIndicatorPayload, work)

    @strawberry.mutation(description="Change an IKU's describing fields.")
    async def update_unit_indicator(self, info: Info, input: Annotated[UpdateUnitIndicatorInput, INPUT]
                                    ) -> UnitIndicatorPayload:
        async def work():
            return _indicator(await service.update_unit_indicator(
                info.context, parse_input_id(input.id, "UnitIndicator", "id"), _fields(input, "goalId"),
                input.default_aggregation))
        return await run_mutation(info, UnitIndicatorPayload, work)

    @strawberry.mutation(description="Set an IKU's target for its year or for one period.")
    async def set_unit_indicator_target(self, info: Info, input: Annotated[SetUnitIndicatorTargetInput, INPUT]
                                        ) -> UnitIndicatorPayload:
        async def work():
            return _indicator(await service.set_unit_indicator_target(
                info.context, parse_input_id(input.unit_indicator_id, "UnitIndicator", "unitIndicatorId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.value))
        return await run_mutation(info, UnitIndicatorPayload, work)


    @strawberry.mutation(description="Sign a unit's Perjanjian Kinerja of a year: the head first (committing the "
                                     "IKU targets), then the head's superior.")
    async def sign_performance_agreement(self, info: Info, input: Annotated[SignPerformanceAgreementInput, INPUT]
                                         ) -> PerformanceAgreementPayload:
        async def work():
            row = await service.sign_agreement(info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                               input.year, input.side)
            return {"performance_agreement": sql.ref("PerformanceAgreement", row.id)}
        return await run_mutation(info, PerformanceAgreementPayload, work)

    @strawberry.mutation(description="PK perubahan: the head revises the signed agreement with a reason; the "
                                     "signed version is kept and a new draft is signed again.")
    async def revise_performance_agreement(self, info: Info, input: Annotated[RevisePerformanceAgreementInput, INPUT]
                                           ) -> PerformanceAgreementPayload:
        async def work():
            row = await service.revise_agreement(
                info.context, parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"), input.year, input.reason)
            return {"performance_agreement": sql.ref("PerformanceAgreement", row.id)}
        return await run_mutation(info, PerformanceAgreementPayload, work)

    @strawberry.mutation(description="Report an IKU's realisation of a period, with evidence (a closed period "
                                     "refuses it).")
    async def record_unit_indicator_realisation(
            self, info: Info, input: Annotated[RecordUnitIndicatorRealisationInput, INPUT]
    ) -> UnitIndicatorRealisationPayload:
        async def work():
            evidence = input.evidence
            row = await service.record_realisation(
                info.context, parse_input_id(input.unit_indicator_id, "UnitIndicator", "unitIndicatorId"),
                parse_input_id(input.period_id, "Period", "periodId"), input.value, input.narrative,
                None if evidence is None else service.EvidenceData(evidence.url, evidence.file_name,
                                                                   evidence.content_type, evidence.content_base64),
                from_ikm=input.from_ikm)
            return {"unit_indicator": sql.ref("UnitIndicator", row.indicator_id),
                    "realisation": sql.ref("UnitIndicatorRealisation", row.id)}
        return await run_mutation(info, UnitIndicatorRealisationPayload, work)
