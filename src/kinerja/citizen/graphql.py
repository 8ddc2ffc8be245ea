"""GraphQL of citizen feedback: public operations (by tenant slug, no login) and the staff side."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.citizen import iku as _iku  # noqa: F401 - registers the unit's IKM as an IKU realisation
from kinerja.citizen import report as reports
from kinerja.citizen import rules, service
from kinerja.citizen.models import FeedbackTicket as TicketModel
from kinerja.citizen.models import Service as ServiceModel
from kinerja.citizen.models import ServiceUnit as ServiceUnitModel
from kinerja.citizen.rules import (
    ActionStatus,
    AgeRange,
    Category,
    Education,
    Gender,
    Occupation,
    TicketKind,
    TicketStatus,
)
from kinerja.core import clock
from kinerja.core.errors import DomainError, Forbidden, NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.evaluations.graphql import Predicate  # registered as a GraphQL enum there
from kinerja.goals import achievement as iku_figures
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee
from kinerja.tenancy.rules import IkmWeighting, TenantSettings

described(TicketKind, "Jenis tiket: masukan (feedback) or pengaduan (complaint).", {
    "FEEDBACK": "Masukan: feedback or a suggestion on a service.",
    "COMPLAINT": "Pengaduan: a complaint about a service.",
})
described(TicketStatus, "Status tiket: RECEIVED -> IN_PROGRESS -> ANSWERED -> CLOSED.", {
    "RECEIVED": "Diterima: received, not handled yet.",
    "IN_PROGRESS": "Diproses: being handled (again, after the citizen replied to an answer).",
    "ANSWERED": "Dijawab: answered publicly; the citizen may reply or rate the answer.",
    "CLOSED": "Selesai: closed; final.",
})
described(ActionStatus, "Status tindak lanjut: the state of a follow-up action, PLANNED -> IN_PROGRESS -> DONE.", {
    "PLANNED": "Direncanakan: planned, not started.",
    "IN_PROGRESS": "Dalam proses: under way.",
    "DONE": "Selesai: done.",
})
described(Category, "Mutu pelayanan: the IKM's category on the converted value (PermenPANRB 14/2017).", {
    "A": "A, Sangat Baik: very good (88.31 to 100.00).",
    "B": "B, Baik: good (76.61 to 88.30).",
    "C": "C, Kurang Baik: poor (65.00 to 76.60).",
    "D": "D, Tidak Baik: bad (25.00 to 64.99).",
})
described(Gender, "Jenis kelamin: the respondent's sex (survey profile, optional).", {
    "LAKI_LAKI": "Laki-laki: male.",
    "PEREMPUAN": "Perempuan: female.",
})
described(AgeRange, "Usia: the respondent's age group (survey profile, optional).", {
    "UNDER_20": "Di bawah 20 tahun: under 20.",
    "FROM_20_TO_29": "20-29 tahun: 20 to 29.",
    "FROM_30_TO_39": "30-39 tahun: 30 to 39.",
    "FROM_40_TO_49": "40-49 tahun: 40 to 49.",
    "FROM_50": "50 tahun ke atas: 50 or older.",
})
described(Education, "Pendidikan terakhir: the respondent's highest education (survey profile, optional).", {
    "SD": "SD: primary school (or less).",
    "SMP": "SMP: junior secondary school.",
    "SMA": "SMA/SMK: senior secondary school.",
    "D1_D3": "D1-D3: diploma.",
    "S1": "S1/D4: bachelor's degree.",
    "S2_PLUS": "S2 ke atas: master's degree or higher.",
})
described(Occupation, "Pekerjaan utama: the respondent's occupation (survey profile, optional).", {
    "PNS": "PNS: civil servant.",
    "TNI_POLRI": "TNI/Polri: military or police.",
    "PEGAWAI_SWASTA": "Pegawai swasta: private-sector employee.",
    "WIRAUSAHA": "Wirausaha: self-employed.",
    "PELAJAR_MAHASISWA": "Pelajar/mahasiswa: pupil or student.",
    "LAINNYA": "Lainnya: other.",
})
described(IkmWeighting, "Pembobotan IKM: how the nine elements are weighted (a tenant setting).", {
    "EXACT": "Bobot 1/9: each element weighs exactly 1/9; only the final value is rounded (the default).",
    "PRINTED": "Bobot 0,11: each element weighs 0.11 as PermenPANRB 14/2017 prints it (a perfect survey gives "
               "99.00).",
})


def named_tenant(slug: str) -> sql.NamedTenant:
    """The tenant a public read names by its slug (``service.public_gate``)."""
    return sql.NamedTenant(slug, service.public_gate)


async def _spends_track_limit(ctx, tenant_id: uuid.UUID) -> sql.Limit:
    return sql.Limit(*await service.track_spend(ctx, tenant_id))


def tracked_tenant(slug: str) -> sql.NamedTenant:
    """The tenant a read of a ticket by its code names: ``named_tenant`` that also spends the tenant's
    limit on naming tickets (``service.track_limit``), once per operation."""
    return sql.NamedTenant(slug, service.public_gate, _spends_track_limit)


SERVICE_UNIT_NAME = ("(SELECT u.name FROM service_unit u WHERE u.tenant_id = {t}.tenant_id "
                     "AND u.id = {t}.service_unit_id)")


@sql.table(ServiceModel, description="A public service citizens can rate and comment on.")
class PublicService:
    id: strawberry.ID = sql.global_id("Service", description="Global id of the service (as `serviceId`).")
    code: str = strawberry.field(description="Kode layanan, unique in the tenant.")
    name: str = strawberry.field(description="Nama layanan (the service's name).")
    description: str = strawberry.field(description="Uraian layanan: what the service is (empty when none).")
    service_unit: str = sql.expression(SERVICE_UNIT_NAME, description="Unit penyelenggara pelayanan: the name of "
                                                                      "the unit providing it.")


@sql.table(ServiceUnitModel, description="Unit penyelenggara pelayanan: a unit providing public services, whose "
                                          "survey gives its IKM.")
class ServiceUnit:
    id: strawberry.ID = strawberry.field(description="Global id of the service unit.")
    code: str = strawberry.field(description="Kode unit, unique in the tenant.")
    name: str = strawberry.field(description="Nama unit penyelenggara (the unit's name).")
    services: list[PublicService] = sql.rows(on={"service_unit_id": "id"}, order=("name", "id"),
                                             description="Jenis layanan: its services, by name.")


@strawberry.type(description="Nilai per unsur: the score of one survey element (unsur).")
class ElementScore:
    number: int = strawberry.field(description="Nomor unsur: the element's number, 1-9.")
    element: str = strawberry.field(description="Unsur pelayanan: the element's name, e.g. `Persyaratan`.")
    nrr: Decimal = strawberry.field(description="Nilai rata-rata: sum of scores / respondents (4 decimals).")


@strawberry.type(description="Indeks Kepuasan Masyarakat (PermenPANRB 14/2017).")
class IkmValue:
    respondents: int = strawberry.field(description="Jumlah responden: the survey responses counted.")
    elements: list[ElementScore] = strawberry.field(description="Nilai per unsur: the nine elements' scores, in "
                                                                "order.")
    index: Decimal = strawberry.field(description="IKM on the 1-4 scale (4 decimals).")
    value: Decimal = strawberry.field(description="IKM x 25, on 25-100, rounded to 2 decimals.")
    category: Category = strawberry.field(description="Mutu pelayanan: the category of the value.")
    label: str = strawberry.field(description="Kinerja unit pelayanan: the category's label, e.g. `Sangat Baik`.")
    small_sample: bool = strawberry.field(description="Fewer respondents than `minimumSample`: read with care.")
    minimum_sample: int = strawberry.field(
        description="The minimum sample for the unit's population of service users (Krejcie-Morgan table, as "
                    f"PermenPANRB 14/2017 refers to it); {rules.SMALL_SAMPLE} where no population is set.")

    @classmethod
    def build(cls, ikm: rules.Ikm) -> IkmValue:
        four = Decimal("0.0001")
        return cls(respondents=ikm.respondents,
                   elements=[ElementScore(number=i + 1, element=rules.ELEMENTS[i], nrr=n.quantize(four))
                             for i, n in enumerate(ikm.nrr)],
                   index=ikm.index.quantize(four), value=ikm.converted, category=ikm.category, label=ikm.label,
                   small_sample=ikm.small_sample, minimum_sample=ikm.minimum_sample)


def _ikm(value: rules.Ikm | None) -> IkmValue | None:
    return IkmValue.build(value) if value else None


@strawberry.type(description="IKM per layanan: the IKM of one service of the unit.")
class ServiceIkm:
    service: str = strawberry.field(description="Nama layanan (the service's name).")
    ikm: IkmValue | None = strawberry.field(description="Its IKM over the range; null without responses.")


@strawberry.type(description="IKM per bulan: the unit's IKM of one month.")
class MonthIkm:
    month: str = strawberry.field(description="Bulan: the month, YYYY-MM (UTC).")
    ikm: IkmValue | None = strawberry.field(description="The IKM of the month's responses in the range.")


# A service unit with the report's range ({0} from, {1} to; {2} and {3} the moments counted between)
# and its tenant's settings (the IKM weighting).
IKM_ROWS = ("(SELECT u.id, u.tenant_id, u.name, u.org_unit_id, u.population, {0} AS date_from, {1} AS date_to, "
            "{2} AS range_start, {3} AS range_end, (SELECT n.settings FROM tenant n WHERE n.id = u.tenant_id) AS settings "
            "FROM service_unit u WHERE u.tenant_id = {tenant}) {t}")
SUMS = "count(r.id), " + ", ".join(f"sum(r.u{i})" for i in range(1, 10))
IN_RANGE = "r.created_at >= {t}.range_start AND r.created_at < {t}.range_end"
# Respondents and the nine sums: of the whole unit, per service (every service, by name), per month.
UNIT_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT json_build_array({SUMS}) FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id "
       f"AND r.service_unit_id = {{t}}.id AND {IN_RANGE})",
    sqlite=f"(SELECT json_array({SUMS}) FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id "
           f"AND r.service_unit_id = {{t}}.id AND {IN_RANGE})"))
SERVICE_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT coalesce(json_agg(json_build_array(x.name, x.sums) ORDER BY x.name, x.id), '[]'::json) FROM "
       f"(SELECT s.id, s.name, json_build_array({SUMS}) AS sums FROM public_service s LEFT JOIN survey_response r "
       f"ON r.tenant_id = s.tenant_id AND r.service_id = s.id AND {IN_RANGE} "
       f"WHERE s.tenant_id = {{t}}.tenant_id AND s.service_unit_id = {{t}}.id GROUP BY s.id, s.name) x)",
    sqlite=f"(SELECT json_group_array(json_array(x.name, json(x.sums))) FROM "
           f"(SELECT s.id, s.name, json_array({SUMS}) AS sums FROM public_service s LEFT JOIN survey_response r "
           f"ON r.tenant_id = s.tenant_id AND r.service_id = s.id AND {IN_RANGE} "
           f"WHERE s.tenant_id = {{t}}.tenant_id AND s.service_unit_id = {{t}}.id GROUP BY s.id, s.name "
           f"ORDER BY s.name, s.id) x)"))
MONTH_SUMS = sql.Input(sql.Dialects(
    pg=f"(SELECT coalesce(json_agg(json_build_array(x.month, x.sums) ORDER BY x.month), '[]'::json) FROM "
       f"(SELECT to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, json_build_array({SUMS}) AS sums "
       f"FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id AND r.service_unit_id = {{t}}.id AND {IN_RANGE} "
       f"GROUP BY 1) x)",
    sqlite=f"(SELECT json_group_array(json_array(x.month, json(x.sums))) FROM "
           f"(SELECT substr(r.created_at, 1, 7) AS month, json_array({SUMS}) AS sums "
           f"FROM survey_response r WHERE r.tenant_id = {{t}}.tenant_id AND r.service_unit_id = {{t}}.id AND {IN_RANGE} "
           f"GROUP BY 1 ORDER BY 1) x)"))


def _json(value):
    """A JSON value of the statement (SQLite hands JSON computed in a subquery over as text)."""
    return json.loads(value) if isinstance(value, str) else value


def _weighting(settings) -> IkmWeighting:
    return TenantSettings.from_dict(_json(settings) or {}).ikm_weighting


def _ikm_of_sums(sums, weighting: IkmWeighting, population: int | None = None) -> IkmValue | None:
    sums = _json(sums)
    row = {"n": sums[0], **{f"s{i}": sums[i] for i in range(1, 10)}} if sums else None
    return _ikm(service.ikm_of(row, weighting, population))


def weighting_of(settings) -> IkmWeighting:
    return _weighting(settings)


def overall_of(settings, population, sums) -> IkmValue | None:
    """The unit's IKM, flagged against the minimum sample of its population of service users."""
    return _ikm_of_sums(sums, _weighting(settings), population)


def per_service_of(settings, rows) -> list[ServiceIkm]:
    weighting = _weighting(settings)
    return [ServiceIkm(service=name, ikm=_ikm_of_sums(sums, weighting)) for name, sums in _json(rows)]


def by_month_of(settings, rows) -> list[MonthIkm]:
    weighting = _weighting(settings)
    return [MonthIkm(month=month, ikm=_ikm_of_sums(sums, weighting)) for month, sums in _json(rows)]


@sql.table(source=IKM_ROWS, access=sql.Access("ikm", "read", rows=service.service_unit_scope),
           description="Indeks Kepuasan Masyarakat of one service unit over a date range.")
class IkmReport:
    service_unit: str = sql.column("name", description="Unit penyelenggara pelayanan: the unit's name.")
    date_from: dt.date = strawberry.field(description="Dari: the range's first day.")
    date_to: dt.date = strawberry.field(description="Sampai: the range's last day (included).")
    weighting: IkmWeighting = sql.derived(weighting_of, "settings",
                                          description="Pembobotan: EXACT (1/9 per element) or PRINTED (0.11, as "
                                                      "printed), the tenant's setting.")
    overall: IkmValue | None = sql.derived(overall_of, "settings", "population", UNIT_SUMS,
                                           description="IKM unit: the unit's IKM over the range; null without "
                                                       "responses.")
    per_service: list[ServiceIkm] = sql.derived(per_service_of, "settings", SERVICE_SUMS,
                                                description="IKM per layanan: every service of the unit, by name.")
    by_month: list[MonthIkm] = sql.derived(by_month_of, "settings", MONTH_SUMS,
                                           description="IKM per bulan: the months with responses, in order.")


@sql.table(TicketModel, description="Status tiket: what a citizen sees of a ticket, never internal notes or personal "
                                     "data.")
class TicketStatusView:
    code: str = strawberry.field(description="Kode tiket: the code the citizen keeps to follow the ticket.")
    kind: TicketKind = strawberry.field(description="Jenis: masukan (feedback) or pengaduan (complaint).")
    status: TicketStatus = strawberry.field(description="Status tiket.")
    service: str | None = sql.expression("(SELECT s.name FROM public_service s WHERE s.tenant_id = {t}.tenant_id "
                                         "AND s.id = {t}.service_id)",
                                         description="Layanan: the service's name; null when none is named.")
    received_at: dt.datetime = sql.column("created_at", description="Diterima: when it was sent.")
    answered_at: dt.datetime | None = strawberry.field(description="Dijawab: when it was last answered; null "
                                                                   "before.")
    public_answer: str | None = strawberry.field(description="Jawaban: the unit's public answer; null before.")


def is_overdue(status: str, due_at: str) -> bool:
    return rules.overdue(TicketStatus(status), dt.datetime.fromisoformat(due_at), clock.now())


@sql.table(TicketModel, access=sql.Access("feedback", "read", rows=service.ticket_scope), node=True,
           not_found=lambda: NotFound("Feedback not found"),
           description="Masukan atau pengaduan masyarakat: a citizen's feedback or complaint, as staff see it.")
class CitizenFeedback(Node):
    code: str = strawberry.field(description="Kode tiket: the code the citizen follows the ticket with.")
    kind: TicketKind = strawberry.field(description="Jenis: masukan (feedback) or pengaduan (complaint).")
    status: TicketStatus = strawberry.field(description="Status tiket.")
    message: str = strawberry.field(description="Isi: the citizen's message.")
    contact: str | None = strawberry.field(description="Kontak: how to reach the citizen, if given; never public.")
    internal_note: str = strawberry.field(description="Catatan internal: staff notes the citizen never sees.")
    public_answer: str | None = strawberry.field(description="Jawaban: the public answer; null before one is given.")
    received_at: dt.datetime = sql.column("created_at", description="Diterima: when the citizen sent it.")
    due_at: dt.datetime = strawberry.field(description="Batas waktu: when it is overdue if still open (the tenant's "
                                                       "ticket deadline).")
    answered_at: dt.datetime | None = strawberry.field(description="Dijawab: when it was last answered.")
    overdue: bool = sql.derived(is_overdue, "status", "due_at", description="Terlambat: still open past its due "
                                                                            "time.")
    assigned_to: Employee | None = sql.join("assigned_to_id", description="Petugas: the employee it is assigned "
                                                                          "to, if any.")
    service_unit: str = sql.expression(SERVICE_UNIT_NAME, description="Unit penyelenggara pelayanan: the name of "
                                                                      "the unit it concerns.")


@strawberry.type(description="An action of a published follow-up plan (rencana tindak lanjut).")
class PublicFollowUpAction:
    element: int = strawberry.field(description="Nomor unsur: the element (1-9) it improves.")
    element_name: str = strawberry.field(description="Unsur pelayanan: the element's name.")
    action: str = strawberry.field(description="Tindak lanjut: the action.")
    owner: str | None = strawberry.field(description="The owning position (never a person).")
    due_on: dt.date = strawberry.field(description="Batas waktu: when it is due.")
    status: ActionStatus = strawberry.field(description="Status tindak lanjut.")


@strawberry.type(description="Baris unit pelayanan: one service unit in the public report.")
class PublicServiceUnitLine:
    name: str = strawberry.field(description="Unit penyelenggara pelayanan: the unit's name.")
    respondents: int | None = strawberry.field(description="Null when fewer than 5 (withheld).")
    ikm: IkmValue | None = strawberry.field(description="IKM of the year; null when withheld or without "
                                                        "responses.")
    follow_up: list[PublicFollowUpAction] = strawberry.field(
        default_factory=list, description="The unit's follow-up plan of the year, beside its IKM.")


@strawberry.type(description="Sel predikat: how many employees of a unit received one predicate.")
class PredicateCell:
    predicate: Predicate = strawberry.field(description="Predikat kinerja pegawai.")
    count: int | None = strawberry.field(description="Null when fewer than 5 (withheld).")


@strawberry.type(description="Baris perangkat daerah: one top-level org unit in the public report.")
class PublicOrgUnitLine:
    name: str = strawberry.field(description="Perangkat daerah: the unit's name.")
    employees: int | None = strawberry.field(description="Pegawai: active employees of the unit and its sub-units; "
                                                         "null when fewer than 5 (withheld).")
    plans_approved: int | None = strawberry.field(description="SKP disetujui: of those, with an approved (or "
                                                              "closed) plan of the year; null when fewer than 5.")
    completion_percent: float | None = strawberry.field(description="Persentase SKP: approved plans per employee, "
                                                                    "in percent; null when a count is withheld.")
    predicates: list[PredicateCell] = strawberry.field(description="Sebaran predikat: final annual predicates of the "
                                                                   "year, every predicate.")


# The tenant a public report is of, with the report's year {0} and the moments it counts between ({1}, {2}).
REPORT_ROWS = ("(SELECT n.id, n.name, n.slug, n.settings, {0} AS year, {1} AS range_start, {2} AS range_end "
               "FROM tenant n WHERE n.id = {tenant}) {t}")
ELEMENT_SUMS = ["count(r.id)", *[f"sum(r.u{i})" for i in range(1, 10)]]
# Each service unit (id, name, population) with its respondents and element sums of the year.
REPORT_UNITS = sql.json_list(
    ["u.id", "u.name", "u.population", *[f"x.{c}" for c in ["n", *[f"s{i}" for i in range(1, 10)]]]],
    "service_unit u LEFT JOIN (SELECT r.service_unit_id, "
    + ", ".join(f"{e} AS {c}" for e, c in zip(ELEMENT_SUMS, ["n", *[f"s{i}" for i in range(1, 10)]], strict=True))
    + " FROM survey_response r WHERE r.tenant_id = {t}.id AND r.created_at >= {t}.range_start "
      "AND r.created_at < {t}.range_end GROUP BY r.service_unit_id) x ON x.service_unit_id = u.id",
    "u.tenant_id = {t}.id", ["u.name", "u.id"])
# The published follow-up actions of the year, per service unit, in the plan's order.
REPORT_ACTIONS = sql.json_list(
    ["p.service_unit_id", "a.element", "a.action", "o.name", "a.due_on", "a.status"],
    "follow_up_plan p JOIN follow_up_action a ON a.tenant_id = p.tenant_id AND a.plan_id = p.id "
    "LEFT JOIN position o ON o.tenant_id = a.tenant_id AND o.id = a.owner_id",
    "p.tenant_id = {t}.id AND p.year = {t}.year", ["p.id", "a.position", "a.id"])
REPORT_UNIT_TREE = sql.json_list(["u.id", "u.parent_id", "u.name"], "org_unit u", "u.tenant_id = {t}.id", ["u.id"])
REPORT_STAFF = sql.json_list(["e.id", "e.org_unit_id"], "employee e", "e.tenant_id = {t}.id AND e.active", ["e.id"])
REPORT_APPROVED = sql.json_list(["p.employee_id"], "performance_plan p",
                                "p.tenant_id = {t}.id AND p.year = {t}.year AND p.status IN ('APPROVED', 'CLOSED')",
                                ["p.id"])
REPORT_GRADED = sql.json_list(
    ["v.employee_id", "v.predicate"], "evaluation v JOIN period d ON d.tenant_id = v.tenant_id AND d.id = v.period_id",
    "v.tenant_id = {t}.id AND d.year = {t}.year AND d.kind = 'ANNUAL' AND v.status = 'FINAL'", ["v.id"])


def report_service_units(settings, units, actions) -> list[PublicServiceUnitLine]:
    weighting = _weighting(settings)
    follow_up: dict[str, list] = {}
    for unit_id, element, action, owner, due_on, status in _json(actions):
        follow_up.setdefault(unit_id, []).append(PublicFollowUpAction(
            element=element, element_name=rules.ELEMENTS[element - 1], action=action, owner=owner,
            due_on=dt.date.fromisoformat(due_on), status=rules.ActionStatus(status)))
    lines = []
    for unit_id, name, population, n, *sums in _json(units):
        row = {"n": n, **{f"s{i}": sums[i - 1] for i in range(1, 10)}} if n else None
        line = reports.service_unit_line(name, population, row, weighting, [])
        lines.append(PublicServiceUnitLine(name=line.name, respondents=line.respondents, ikm=_ikm(line.ikm),
                                           follow_up=follow_up.get(unit_id, [])))
    return lines


def report_org_units(units, staff, approved, graded) -> list[PublicOrgUnitLine]:
    lines = reports.org_unit_lines([tuple(u) for u in _json(units)], [tuple(e) for e in _json(staff)],
                                   [p[0] for p in _json(approved)], [tuple(g) for g in _json(graded)])
    return [PublicOrgUnitLine(name=o.name, employees=o.employees, plans_approved=o.plans_approved,
                              completion_percent=o.completion_percent,
                              predicates=[PredicateCell(predicate=p, count=c) for p, c in o.predicates.items()])
            for o in lines]


def report_csv_path(slug: str, year) -> str:
    return f"/public/{slug}/report/{year}.csv"


@strawberry.type(description="Capaian IKU: an IKU of a unit and its year to date (figures of the organisation).")
class PublicIkuLine:
    unit: str = strawberry.field(description="Unit kerja: the unit the IKU belongs to.")
    name: str = strawberry.field(description="Nama IKU.")
    unit_of_measure: str = strawberry.field(description="Satuan.")
    target: Decimal | None = strawberry.field(description="Target tahunan.")
    realisation: Decimal | None = strawberry.field(description="Realisasi s.d. periode terakhir (year to date).")
    achievement: Decimal | None = strawberry.field(description="Capaian (%), capped by the tenant's rule.")


@strawberry.type(description="Capaian IKU unit: the mean achievement of a unit's IKU in the year.")
class PublicIkuUnitLine:
    unit: str = strawberry.field(description="Unit kerja.")
    achievement: Decimal | None = strawberry.field(description="Capaian unit (%); null without IKU figures.")


IKU_OF_YEAR = iku_figures.tenant_indicators_sql("{t}.year")
IKU_RULES = iku_figures.rules_sql("{t}.year")


def report_iku(indicators, year_rules) -> list[PublicIkuLine]:
    lines, _units = reports.iku_lines(iku_figures.year_lines(indicators, year_rules))
    return [PublicIkuLine(unit=i.unit, name=i.name, unit_of_measure=i.unit_of_measure, target=i.target,
                          realisation=i.realisation, achievement=i.achievement) for i in lines]


def report_iku_units(indicators, year_rules) -> list[PublicIkuUnitLine]:
    _lines, units = reports.iku_lines(iku_figures.year_lines(indicators, year_rules))
    return [PublicIkuUnitLine(unit=u.unit, achievement=u.achievement) for u in units]


@sql.table(source=REPORT_ROWS,
           description="Laporan kinerja publik: aggregates only, cells under 5 people withheld.")
class PublicReport:
    tenant: str = sql.column("name", description="Pemerintah daerah: the tenant's name.")
    year: int = strawberry.field(description="Tahun (calendar year).")
    service_units: list[PublicServiceUnitLine] = sql.derived(report_service_units, "settings", REPORT_UNITS,
                                                             REPORT_ACTIONS,
                                                             description="Unit pelayanan: every service unit, by name.")
    org_units: list[PublicOrgUnitLine] = sql.derived(report_org_units, REPORT_UNIT_TREE, REPORT_STAFF,
                                                     REPORT_APPROVED, REPORT_GRADED,
                                                     description="Perangkat daerah: every top-level org unit, by name.")
    csv_path: str = sql.derived(report_csv_path, "slug", "year",
                                description="GET this path (no login) for the same report as CSV.")
    unit_indicators: list[PublicIkuLine] = sql.derived(
        report_iku, IKU_OF_YEAR, IKU_RULES, description="IKU per unit with target, year to date and achievement.")
    unit_achievements: list[PublicIkuUnitLine] = sql.derived(
        report_iku_units, IKU_OF_YEAR, IKU_RULES,
        description="Capaian IKU per unit: the mean achievement of each unit's IKU.")


@strawberry.input(description="Profil responden: who answered, all optional (survey profile).")
class SurveyProfileInput:
    gender: Gender | None = strawberry.field(default=None, description="Jenis kelamin.")
    age_range: AgeRange | None = strawberry.field(default=None, description="Usia (age group).")
    education: Education | None = strawberry.field(default=None, description="Pendidikan terakhir.")
    occupation: Occupation | None = strawberry.field(default=None, description="Pekerjaan utama.")


@strawberry.input(description="Survei kepuasan masyarakat (SKM): one citizen's answers on a service.")
class SubmitSurveyResponseInput:
    tenant: str = strawberry.field(description="The tenant's slug.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service rated; may be left out with a `code`, which names its service.")
    scores: list[int] = strawberry.field(description="Nine scores, 1-4, in the order of the nine elements (unsur).")
    profile: SurveyProfileInput | None = strawberry.field(default=None, description="Profil responden, if the "
                                                                                    "citizen gives it.")
    kiosk_token: str | None = strawberry.field(default=None, description="Sent by a registered survey kiosk.")
    code: str | None = strawberry.field(default=None, description="A one-time survey code (from a receipt's QR).")
    suggestion: str | None = strawberry.field(default=None, description="Saran: private, seen by staff only.")


@strawberry.input(description="Masukan atau pengaduan: a citizen's feedback or complaint on a service.")
class SubmitCitizenFeedbackInput:
    tenant: str = strawberry.field(description="The tenant's slug.")
    service_id: strawberry.ID = strawberry.field(description="Layanan: global id of the service it concerns.")
    message: str = strawberry.field(description=f"Isi: the message (1 to {rules.MAX_MESSAGE} characters).")
    contact: str | None = strawberry.field(default=None, description="Optional; never shown publicly.")
    kind: TicketKind = strawberry.field(default=TicketKind.FEEDBACK, description="Jenis: masukan (the default) or "
                                                                                 "pengaduan.")


@strawberry.type(description="The outcome of a survey response.")
class SurveyResponsePayload:
    accepted: bool = strawberry.field(default=False, description="True when the response was counted.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of sending feedback or a complaint.")
class CitizenFeedbackPayload:
    ticket_code: str | None = strawberry.field(default=None, description="Kode tiket: keep it to follow the ticket; "
                                                                         "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Which tickets to list; all conditions apply.")
class CitizenFeedbackFilter:
    service_unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this service unit "
                                                                                      "(global id).")
    status: TicketStatus | None = strawberry.field(default=None, description="Only in this status.")
    overdue: bool = strawberry.field(default=False, description="Only open tickets past their due time, the most "
                                                                "overdue first.")


@strawberry.input(description="Tanggapan: a ticket moved on, answered publicly, or noted internally.")
class RespondToFeedbackInput:
    id: strawberry.ID = strawberry.field(description="Global id of the ticket.")
    status: TicketStatus | None = strawberry.field(default=None, description="Status tiket to move to (never back); "
                                                                             "left out: an answer moves it to "
                                                                             "ANSWERED.")
    public_answer: str | None = strawberry.field(default=None, description="Jawaban: the public answer, replacing "
                                                                           "the previous one.")
    internal_note: str | None = strawberry.field(default=None, description="Catatan internal, never shown to the "
                                                                           "citizen.")


@strawberry.input(description="A ticket and the employee to handle it.")
class AssignFeedbackInput:
    id: strawberry.ID = strawberry.field(description="Global id of the ticket.")
    employee_id: strawberry.ID = strawberry.field(description="Petugas: global id of the employee.")


@strawberry.type(description="The outcome of a change to a ticket.")
class FeedbackTicketPayload:
    feedback: CitizenFeedback | None = strawberry.field(default=None, description="The ticket as it is now; null on "
                                                                                 "failure.")
    user_errors: list[UserError] = user_errors_field()


def _sid(gid: str | None) -> uuid.UUID | None:
    if gid is None:
        return None
    try:
        return parse_input_id(gid, "Service", "serviceId")
    except DomainError:
        return None


@strawberry.type
class CitizenQuery:
    @sql.builder(description="Public: the services of a tenant (by slug).", tenant_argument=True)
    def public_services(self, tenant: Annotated[str, strawberry.argument(description="The tenant's slug.")]) -> list[PublicService]:
        return sql.Public(sql.Rows(where=(sql.eq("active", True),), order=("name", "id")), named_tenant(tenant))  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Public: the state of a ticket and the unit's public answer.", tenant_argument=True)
    def feedback_ticket(self, tenant: Annotated[str, strawberry.argument(description="The tenant's slug.")],
                        code: Annotated[str, strawberry.argument(description="Kode tiket.")]) -> TicketStatusView:
        return sql.Public(sql.Row(where=(sql.where("{t}.code = {0}", rules.normalise_code(code or "")),),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                                  missing=lambda: NotFound("Unknown ticket code", field="code")),
                          tracked_tenant(tenant))

    @sql.builder(description="Public: the transparency report of a tenant and year.", tenant_argument=True)
    def public_report(self, tenant: Annotated[str, strawberry.argument(description="The tenant's slug.")],
                      year: Annotated[int, strawberry.argument(description="Tahun (calendar year).")]
                      ) -> PublicReport:
        start, end = reports.report_range(year)
        return sql.Public(sql.Row(values=(year, start, end)), named_tenant(tenant))  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="IKM of a service unit for a date range, per service and by month.")
    def ikm(self, service_unit_id: Annotated[strawberry.ID, strawberry.argument(
                description="Unit penyelenggara pelayanan: global id of the service unit.")],
            date_from: Annotated[dt.date, strawberry.argument(name="from", description="Dari: the first day.")],
            date_to: Annotated[dt.date, strawberry.argument(name="to", description="Sampai: the last day (included).")]
            ) -> IkmReport:
        unit = parse_input_id(service_unit_id, "ServiceUnit", "serviceUnitId")
        start, end = service.ikm_range(date_from, date_to)
        return sql.Row(where=(sql.eq("id", unit),), values=(date_from, date_to, start, end), access=True,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       guard=sql.Exists("ServiceUnit", (sql.eq("id", unit),),
                                        lambda: NotFound("Service unit not found", field="serviceUnitId"), access=False),
                       missing=lambda: Forbidden("This service unit is outside your reach", field="serviceUnitId"))

    @sql.builder(description="Service units of this tenant with their services (for `ikm`).")
    def service_units(self) -> list[ServiceUnit]:
        return sql.Rows(order=("name", "id"), access=sql.requires("org", "read"))  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Staff: the feedback inbox (own = assigned to me, unit, tenant).")
    def citizen_feedback(self, first: First = 20, after: After = None,
                         filter: Annotated[CitizenFeedbackFilter | None, strawberry.argument(
                             description="Which tickets.")] = None) -> Connection[CitizenFeedback]:
        where = []
        order = ("-created_at", "id")
        if filter is not None:
            unit = parse_input_id(filter.service_unit_id, "ServiceUnit", "serviceUnitId")
            if unit is not None:
                where.append(sql.eq("service_unit_id", unit))
            if filter.status is not None:
                where.append(sql.eq("status", filter.status))
            if filter.overdue:
                where.append(sql.where("{t}.due_at < {now} AND {t}.status IN ('RECEIVED', 'IN_PROGRESS')"))
                order = ("due_at", "id")
        return sql.Page(first=first, after=after, where=tuple(where), order=order, access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification


@strawberry.input(description="Unit penyelenggara pelayanan to create or change (by code).")
class SaveServiceUnitInput:
    code: str = strawberry.field(description="Kode unit (1-50 characters): an existing code changes that unit.")
    name: str = strawberry.field(description="Nama unit (1-200 characters).")
    org_unit_id: strawberry.ID | None = strawberry.field(default=None, description="Unit organisasi it belongs to "
                                                                                  "(global id); left out: none.")
    population: int | None = strawberry.field(
        default=None, description="Service users per period: the IKM's minimum sample follows from it. Left out: "
                                  "unchanged.")


@strawberry.input(description="Jenis layanan to create or change (by code).")
class SaveServiceInput:
    service_unit_id: strawberry.ID = strawberry.field(description="Unit penyelenggara pelayanan: global id of the "
                                                                  "service unit.")
    code: str = strawberry.field(description="Kode layanan: an existing code changes that service.")
    name: str = strawberry.field(description="Nama layanan.")
    description: str | None = strawberry.field(default=None, description="Uraian layanan: what the service is.")
    active: bool = strawberry.field(default=True, description="False takes it off the public list.")


@strawberry.type(description="The outcome of saving a service unit.")
class ServiceUnitPayload:
    service_unit: ServiceUnit | None = strawberry.field(default=None, description="The service unit as it is now; "
                                                                                 "null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of saving a service.")
class ServicePayload:
    service: PublicService | None = strawberry.field(default=None, description="The service as it is now; null on "
                                                                              "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class CitizenMutation:
    @strawberry.mutation(description="HR: create or rename a service unit (by code).")
    async def save_service_unit(self, info: Info, input: Annotated[SaveServiceUnitInput, INPUT]) -> ServiceUnitPayload:
        async def work():
            unit = await service.save_service_unit(info.context, input.code, input.name,
                                                   parse_input_id(input.org_unit_id, "OrgUnit", "orgUnitId"),
                                                   input.population)
            return {"service_unit": sql.ref("ServiceUnit", unit.id)}
        return await run_mutation(info, ServiceUnitPayload, work)

    @strawberry.mutation(description="HR: create or edit a service (by code); inactive ones leave the public list.")
    async def save_service(self, info: Info, input: Annotated[SaveServiceInput, INPUT]) -> ServicePayload:
        async def work():
            unit_id = parse_input_id(input.service_unit_id, "ServiceUnit", "serviceUnitId")
            row = await service.save_service(info.context, unit_id, input.code, input.name, input.description,
                                             input.active)
            return {"service": sql.ref("PublicService", row.id)}
        return await run_mutation(info, ServicePayload, work)

    @strawberry.mutation(description="Public: rate a service on the nine elements (1-4 each); anonymous.")
    async def submit_survey_response(self, info: Info, input: Annotated[SubmitSurveyResponseInput, INPUT]) -> SurveyResponsePayload:
        async def work():
            p = input.profile
            profile = service.Profile(p.gender, p.age_range, p.education, p.occupation) if p else None
            source = service.SurveySource(kiosk_token=input.kiosk_token, code=input.code)
            await service.submit_survey(info.context, input.tenant, _sid(input.service_id), input.scores, profile,
                                        source, input.suggestion)
            return {"accepted": True}
        return await run_mutation(info, SurveyResponsePayload, work)

    @strawberry.mutation(description="Public: send feedback or a complaint; keep the ticket code to follow it.")
    async def submit_citizen_feedback(self, info: Info, input: Annotated[SubmitCitizenFeedbackInput, INPUT]) -> CitizenFeedbackPayload:
        async def work():
            ticket = await service.submit_feedback(info.context, input.tenant, _sid(input.service_id), input.message,
                                                   input.contact, input.kind)
            return {"ticket_code": ticket.code}
        return await run_mutation(info, CitizenFeedbackPayload, work)

    @strawberry.mutation(description="Staff: move a ticket on, answer publicly, add an internal note.")
    async def respond_to_feedback(self, info: Info, input: Annotated[RespondToFeedbackInput, INPUT]) -> FeedbackTicketPayload:
        async def work():
            ticket = await service.respond(info.context, parse_input_id(input.id, "CitizenFeedback", "id"), input.status,
                                           input.public_answer, input.internal_note)
            return {"feedback": sql.ref("CitizenFeedback", ticket.id)}
        return await run_mutation(info, FeedbackTicketPayload, work)

    @strawberry.mutation(description="Staff: assign a ticket to an employee.")
    async def assign_feedback(self, info: Info, input: Annotated[AssignFeedbackInput, INPUT]) -> FeedbackTicketPayload:
        async def work():
            ticket = await service.assign(info.context, parse_input_id(input.id, "CitizenFeedback", "id"),
                                          parse_input_id(input.employee_id, "Employee", "employeeId"))
            return {"feedback": sql.ref("CitizenFeedback", ticket.id)}
        return await run_mutation(info, FeedbackTicketPayload, work)
