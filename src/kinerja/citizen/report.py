"""The public transparency report of a tenant and year: IKM per service unit, plan completion and
predicate distribution per perangkat daerah, as counts with every cell under five people withheld, and
the IKU achievement per unit (figures of the organisation)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from kinerja.citizen import rules
from kinerja.citizen.followup import PublishedAction, published_actions
from kinerja.citizen.models import ServiceUnit, SurveyResponse
from kinerja.citizen.service import element_sums, ikm_of, public_tenant
from kinerja.core.context import RequestContext
from kinerja.core.csvexport import write_csv
from kinerja.core.errors import BadUserInput
from kinerja.core.numbers import tidy
from kinerja.evaluations.models import Evaluation
from kinerja.evaluations.rules import LABELS, EvaluationStatus, Predicate
from kinerja.goals import rules as goal_rules
from kinerja.goals import service as goals
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.org.rules import top_level_units
from kinerja.plans.models import PerformancePlan
from kinerja.plans.rules import PlanStatus
from kinerja.tenancy.models import Tenant

MIN_CELL = 5


@dataclass(frozen=True)
class ServiceUnitLine:
    name: str
    respondents: int | None
    ikm: rules.Ikm | None  # None when withheld or without responses
    follow_up: list[PublishedAction]


@dataclass(frozen=True)
class OrgUnitLine:
    name: str
    employees: int | None
    plans_approved: int | None
    completion_percent: float | None
    predicates: dict[Predicate, int | None]


@dataclass(frozen=True)
class IkuLine:
    """An IKU of a unit and its year to date: figures of the organisation, never of a person."""

    unit: str
    name: str
    unit_of_measure: str
    target: Decimal | None
    realisation: Decimal | None
    achievement: Decimal | None


@dataclass(frozen=True)
class IkuUnitLine:
    unit: str
    achievement: Decimal | None  # the mean of its IKU's achievements


@dataclass(frozen=True)
class PublicReport:
    tenant: Tenant
    year: int
    service_units: list[ServiceUnitLine]
    org_units: list[OrgUnitLine]
    iku: list[IkuLine] = field(default_factory=list)
    iku_units: list[IkuUnitLine] = field(default_factory=list)


async def public_report(ctx: RequestContext, slug: str, year: int) -> PublicReport:
    if problem := rules.report_year_problem(year):
        raise BadUserInput(problem, field="year")
    tenant, settings = await public_tenant(ctx, slug)
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    rows = await element_sums(SurveyResponse.filter(tenant_id=tenant.id, created_at__gte=start, created_at__lt=end),
                              "service_unit_id")
    sums = {r["service_unit_id"]: r for r in rows}
    follow_up = await published_actions(tenant.id, year)
    service_units = []
    for unit in await ServiceUnit.filter(tenant_id=tenant.id).order_by("name"):
        row = sums.get(unit.id)
        shown = rules.suppress(int(row["n"]) if row else 0, MIN_CELL)
        service_units.append(ServiceUnitLine(unit.name, shown, ikm_of(row, settings.ikm_weighting, unit.population)
                                             if shown else None, follow_up.get(unit.id, [])))
    iku, iku_units = await _iku_lines(tenant.id, year)
    return PublicReport(tenant, year, service_units, await _org_unit_lines(tenant.id, year), iku, iku_units)


async def _iku_lines(tenant_id: uuid.UUID, year: int) -> tuple[list[IkuLine], list[IkuUnitLine]]:
    names = dict(await OrgUnit.filter(tenant_id=tenant_id).values_list("id", "name"))
    figures = sorted(await goals.year_figures(tenant_id, year), key=lambda f: (names.get(f.org_unit_id, ""), f.name))
    lines = [IkuLine(names.get(f.org_unit_id, ""), f.name, f.unit_of_measure, tidy(f.target), tidy(f.year_to_date),
                     tidy(f.achievement)) for f in figures]
    by_unit: dict[str, list] = defaultdict(list)
    for line in lines:
        by_unit[line.unit].append(line.achievement)
    return lines, [IkuUnitLine(unit, tidy(goal_rules.unit_achievement(found))) for unit, found in by_unit.items()]


async def _org_unit_lines(tenant_id: uuid.UUID, year: int) -> list[OrgUnitLine]:
    units = await OrgUnit.filter(tenant_id=tenant_id)
    top = top_level_units({u.id: u.parent_id for u in units})
    home = {eid: top[uid] for eid, uid in await Employee.filter(tenant_id=tenant_id, active=True)
            .values_list("id", "org_unit_id")}
    approved = Counter(home.get(eid) for eid in await PerformancePlan.filter(
        tenant_id=tenant_id, year=year, status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED]
    ).values_list("employee_id", flat=True))
    annual = await Period.filter(tenant_id=tenant_id, year=year, kind="ANNUAL").values_list("id", flat=True)
    predicates: dict = defaultdict(Counter)
    for eid, predicate in await Evaluation.filter(tenant_id=tenant_id, period_id__in=annual,
                                                  status=EvaluationStatus.FINAL).values_list("employee_id", "predicate"):
        predicates[home.get(eid)][predicate] += 1
    staff = Counter(home.values())
    lines = []
    for unit in sorted((u for u in units if u.parent_id is None), key=lambda u: u.name):
        employees = rules.suppress(staff[unit.id], MIN_CELL)
        plans = rules.suppress(approved[unit.id], MIN_CELL)
        completion = round(100 * approved[unit.id] / staff[unit.id], 1) if employees and plans else None
        lines.append(OrgUnitLine(unit.name, employees, plans, completion,
                                 {p: rules.suppress(predicates[unit.id][p], MIN_CELL) for p in Predicate}))
    return lines


FOLLOW_UP_COLUMNS = ["unsur", "tindak_lanjut", "penanggung_jawab", "batas_waktu", "status_tindak_lanjut"]
IKU_COLUMNS = ["iku", "satuan_iku", "target_iku", "realisasi_iku", "capaian_iku_persen"]


def report_csv(report: PublicReport) -> str:
    """One table: IKM rows per service unit, each followed by its follow-up actions (rencana tindak
    lanjut), then performance rows per perangkat daerah; columns a row has no value for stay empty."""
    blank = "<5"
    follow_blank = [""] * len(FOLLOW_UP_COLUMNS)
    rows: list[list[object]] = [["bagian", "unit", "responden", "ikm", "kategori", "pegawai", "skp_disetujui",
                                 "persen_skp", *[LABELS[p] for p in Predicate], *FOLLOW_UP_COLUMNS, *IKU_COLUMNS]]
    iku_blank = [""] * len(IKU_COLUMNS)
    for line in report.service_units:
        rows.append(["IKM", line.name, line.respondents if line.respondents is not None else blank,
                     line.ikm.converted if line.ikm else "", f"{line.ikm.category.value} {line.ikm.label}"
                     if line.ikm else "", "", "", "", *[""] * len(Predicate), *follow_blank, *iku_blank])
        for action in line.follow_up:
            rows.append(["Tindak lanjut", line.name, "", "", "", "", "", "", *[""] * len(Predicate),
                         f"{action.element} {action.element_name}", action.action, action.owner or "",
                         action.due_on.isoformat(), action.status.value, *iku_blank])
    for line in report.org_units:
        rows.append(["Kinerja", line.name, "", "", "",
                     line.employees if line.employees is not None else blank,
                     line.plans_approved if line.plans_approved is not None else blank,
                     line.completion_percent if line.completion_percent is not None else "",
                     *[v if v is not None else blank for v in line.predicates.values()], *follow_blank, *iku_blank])
    empty = ["", "", "", "", "", "", *[""] * len(Predicate), *follow_blank]
    for iku in report.iku:
        rows.append(["IKU", iku.unit, *empty, iku.name, iku.unit_of_measure, _text(iku.target),
                     _text(iku.realisation), _text(iku.achievement)])
    for unit in report.iku_units:
        rows.append(["Capaian IKU", unit.unit, *empty, "", "", "", "", _text(unit.achievement)])
    return write_csv(rows)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
