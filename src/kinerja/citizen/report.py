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


def report_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The moments a report of ``year`` counts survey responses between (BAD_USER_INPUT outside the
    years a report covers)."""
    if problem := rules.report_year_problem(year):
        raise BadUserInput(problem, field="year")
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)


def service_unit_line(name: str, population: int | None, row: dict | None, weighting,
                      follow_up: list[PublishedAction]) -> ServiceUnitLine:
    """A service unit's line: its respondents (``row``: ``element_sums``), withheld under five, and
    the IKM of those shown."""
    shown = rules.suppress(int(row["n"] or 0) if row else 0, MIN_CELL)
    return ServiceUnitLine(name, shown, ikm_of(row, weighting, population) if shown else None, follow_up)


def org_unit_lines(units: list[tuple], employees: list[tuple], approved: list, graded: list[tuple]) -> list[OrgUnitLine]:
    """Lines per perangkat daerah (top-level org unit), from every org unit (id, parent id, name), the
    active employees (id, org unit id), the employee of each approved or closed plan of the year, and
    (employee, predicate) of each final annual evaluation of the year."""
    top = top_level_units({unit_id: parent_id for unit_id, parent_id, _name in units})
    home = {employee_id: top[unit_id] for employee_id, unit_id in employees}
    plans_of = Counter(home.get(employee_id) for employee_id in approved)
    predicates: dict = defaultdict(Counter)
    for employee_id, predicate in graded:
        predicates[home.get(employee_id)][Predicate(predicate)] += 1
    staff = Counter(home.values())
    lines = []
    for unit_id, _parent, name in sorted((u for u in units if u[1] is None), key=lambda u: u[2]):
        employees_shown = rules.suppress(staff[unit_id], MIN_CELL)
        plans = rules.suppress(plans_of[unit_id], MIN_CELL)
        completion = round(100 * plans_of[unit_id] / staff[unit_id], 1) if employees_shown and plans else None
        lines.append(OrgUnitLine(name, employees_shown, plans, completion,
                                 {p: rules.suppress(predicates[unit_id][p], MIN_CELL) for p in Predicate}))
    return lines


async def public_report(ctx: RequestContext, slug: str, year: int) -> PublicReport:
    """The report as the CSV download reads it (the GraphQL field is described for the compiler)."""
    start, end = report_range(year)
    tenant, settings = await public_tenant(ctx, slug)
    rows = await element_sums(SurveyResponse.filter(tenant_id=tenant.id, created_at__gte=start, created_at__lt=end),
                              "service_unit_id")
    sums = {r["service_unit_id"]: r for r in rows}
    follow_up = await published_actions(tenant.id, year)
    service_units = [service_unit_line(unit.name, unit.population, sums.get(unit.id), settings.ikm_weighting,
                                       follow_up.get(unit.id, []))
                     for unit in await ServiceUnit.filter(tenant_id=tenant.id).order_by("name", "id")]
    figures = await goals.year_figures(tenant.id, year)
    names = dict(await OrgUnit.filter(tenant_id=tenant.id).values_list("id", "name"))
    iku, iku_units = iku_lines([(names.get(f.org_unit_id, ""), f.name, f.unit_of_measure, f.target, f.year_to_date,
                                 f.achievement) for f in figures])
    return PublicReport(tenant, year, service_units, await _org_unit_lines(tenant.id, year), iku, iku_units)


def iku_lines(figures: list[tuple[str, str, str, Decimal | None, Decimal | None, Decimal | None]]
              ) -> tuple[list[IkuLine], list[IkuUnitLine]]:
    """The report's IKU lines, by unit and name, and each unit's achievement (the mean of its IKU's), from
    (unit, name, unit of measure, target, year to date, achievement) of every IKU of the year."""
    lines = [IkuLine(unit, name, unit_of_measure, tidy(target), tidy(to_date), tidy(achievement))
             for unit, name, unit_of_measure, target, to_date, achievement in sorted(figures, key=lambda f: (f[0], f[1]))]
    by_unit: dict[str, list[Decimal | None]] = defaultdict(list)
    for line in lines:
        by_unit[line.unit].append(line.achievement)
    return lines, [IkuUnitLine(unit, tidy(goal_rules.unit_achievement(found))) for unit, found in by_unit.items()]


async def _org_unit_lines(tenant_id: uuid.UUID, year: int) -> list[OrgUnitLine]:
    units = await OrgUnit.filter(tenant_id=tenant_id).values_list("id", "parent_id", "name")
    employees = await Employee.filter(tenant_id=tenant_id, active=True).values_list("id", "org_unit_id")
    approved = await PerformancePlan.filter(tenant_id=tenant_id, year=year, status__in=[
        PlanStatus.APPROVED, PlanStatus.CLOSED]).values_list("employee_id", flat=True)
    annual = await Period.filter(tenant_id=tenant_id, year=year, kind="ANNUAL").values_list("id", flat=True)
    graded = await Evaluation.filter(tenant_id=tenant_id, period_id__in=annual,
                                     status=EvaluationStatus.FINAL).values_list("employee_id", "predicate")
    return org_unit_lines(list(units), list(employees), list(approved), list(graded))


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
    for org_line in report.org_units:
        rows.append(["Kinerja", org_line.name, "", "", "",
                     org_line.employees if org_line.employees is not None else blank,
                     org_line.plans_approved if org_line.plans_approved is not None else blank,
                     org_line.completion_percent if org_line.completion_percent is not None else "",
                     *[v if v is not None else blank for v in org_line.predicates.values()], *follow_blank, *iku_blank])
    empty = ["", "", "", "", "", "", *[""] * len(Predicate), *follow_blank]
    for iku in report.iku:
        rows.append(["IKU", iku.unit, *empty, iku.name, iku.unit_of_measure, _text(iku.target),
                     _text(iku.realisation), _text(iku.achievement)])
    for unit in report.iku_units:
        rows.append(["Capaian IKU", unit.unit, *empty, "", "", "", "", _text(unit.achievement)])
    return write_csv(rows)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
