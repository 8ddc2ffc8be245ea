"""GraphQL of competency development: records, verification, JP progress, catalogue, recommendations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_optional_id as parse_input_id
from kinerja.evaluations.rules import Rating
from kinerja.graph import sql
from kinerja.graph.enums import described
from kinerja.graph.relay import INPUT, After, Connection, First, Node, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import Employee
from kinerja.org.scoping import employee_rows, scope_sql
from kinerja.tenancy.rules import TenantSettings
from kinerja.training import rules, service
from kinerja.training.models import RecommendationRule as RuleModel
from kinerja.training.models import TrainingEvent as EventModel
from kinerja.training.models import TrainingRecord as RecordModel
from kinerja.training.rules import JpRule, RecommendationTrigger, TrainingCategory, TrainingKind, TrainingStatus

described(TrainingKind, "Jenis pengembangan kompetensi: the kind of competency development (Peraturan LAN 10/2018).", {
    "PENDIDIKAN": "Pendidikan: formal education towards a degree.",
    "KEPEMIMPINAN": "Pelatihan kepemimpinan: leadership training (klasikal).",
    "MANAJERIAL": "Pelatihan manajerial: managerial training (klasikal).",
    "TEKNIS": "Pelatihan teknis: technical training (klasikal).",
    "FUNGSIONAL": "Pelatihan fungsional: training for a functional position (klasikal).",
    "SEMINAR": "Seminar: a seminar or conference (klasikal).",
    "WORKSHOP": "Lokakarya: a workshop (klasikal).",
    "KURSUS": "Kursus: a course (klasikal).",
    "BIMTEK": "Bimbingan teknis: technical guidance (klasikal).",
    "SOSIALISASI": "Sosialisasi: a briefing on a new rule or programme (klasikal).",
    "COACHING": "Coaching: coaching by a superior or an expert (non-klasikal).",
    "MENTORING": "Mentoring: mentoring by a senior colleague (non-klasikal).",
    "E_LEARNING": "E-learning: online self-study (non-klasikal).",
    "PEMBELAJARAN_JARAK_JAUH": "Pelatihan jarak jauh: distance learning (non-klasikal).",
    "DETASERING": "Detasering: a secondment to another organisation (non-klasikal).",
    "BENCHMARKING": "Benchmarking: a comparative study visit (non-klasikal).",
})
described(TrainingCategory, "Kategori pengembangan kompetensi: pendidikan, or pelatihan klasikal or non-klasikal "
                            "(Peraturan LAN 10/2018).", {
    "PENDIDIKAN": "Pendidikan: formal education (degree study).",
    "KLASIKAL": "Pelatihan klasikal: classroom learning, face to face.",
    "NON_KLASIKAL": "Pelatihan non-klasikal: learning outside the classroom (coaching, mentoring, e-learning, ...).",
})
described(TrainingStatus, "Status riwayat pengembangan kompetensi: PLANNED -> COMPLETED -> VERIFIED (by HR) or "
                          "REJECTED.", {
    "PLANNED": "Direncanakan: planned, not done yet.",
    "COMPLETED": "Selesai: done, waiting for HR's verification.",
    "VERIFIED": "Diverifikasi: verified by HR; its JP count towards the yearly target.",
    "REJECTED": "Ditolak: rejected by HR with a reason; its JP do not count.",
})
described(RecommendationTrigger, "Kebutuhan pengembangan kompetensi: a development need found in the latest final "
                                 "evaluation or the year's JP, which a recommendation rule maps to topics.", {
    "PREDICATE_BUTUH_PERBAIKAN": "Predikat Butuh Perbaikan: the latest final predicate is Butuh Perbaikan.",
    "PREDICATE_KURANG_MISCONDUCT": "Predikat Kurang/Misconduct: the latest final predicate is Kurang/Misconduct.",
    "PREDICATE_SANGAT_KURANG": "Predikat Sangat Kurang: the latest final predicate is Sangat Kurang.",
    "BEHAVIOUR_BERORIENTASI_PELAYANAN": "Perilaku kerja di bawah ekspektasi, Berorientasi Pelayanan: behaviour "
                                        "below expectation with a note on service orientation.",
    "BEHAVIOUR_AKUNTABEL": "Perilaku kerja di bawah ekspektasi, Akuntabel: behaviour below expectation with a note on "
                           "accountability.",
    "BEHAVIOUR_KOMPETEN": "Perilaku kerja di bawah ekspektasi, Kompeten: behaviour below expectation with a note on "
                          "competence.",
    "BEHAVIOUR_HARMONIS": "Perilaku kerja di bawah ekspektasi, Harmonis: behaviour below expectation with a note on "
                          "harmony.",
    "BEHAVIOUR_LOYAL": "Perilaku kerja di bawah ekspektasi, Loyal: behaviour below expectation with a note on "
                       "loyalty.",
    "BEHAVIOUR_ADAPTIF": "Perilaku kerja di bawah ekspektasi, Adaptif: behaviour below expectation with a note on "
                         "adaptability.",
    "BEHAVIOUR_KOLABORATIF": "Perilaku kerja di bawah ekspektasi, Kolaboratif: behaviour below expectation with a "
                             "note on collaboration.",
    "BEHAVIOUR_ANY": "Perilaku kerja di bawah ekspektasi: behaviour below expectation with no note on a value.",
    "JP_SHORTFALL": "Kekurangan JP: the year's verified JP are below the PNS employee's calendar-year target.",
})
described(JpRule, "Aturan JP pengembangan kompetensi: how the yearly JP of an employment type counts.", {
    "TARGET_CALENDAR_YEAR": "PNS: a target of at least the yearly JP per calendar year (PP 17/2020 art. 203(4)).",
    "CAP_CONTRACT_YEAR": "PPPK: at most the yearly JP per contract year, from the contract start "
                         "(PP 49/2018 art. 40(1)).",
})


READ_TRAINING = employee_rows("training", "read", "employee_id")


def category_of(kind: str) -> str:
    return rules.CATEGORY[TrainingKind(kind)].value


@sql.table(RecordModel, access=READ_TRAINING, node=True, not_found=lambda: NotFound("Training record not found"),
           description="Riwayat pengembangan kompetensi: one training of an employee; only VERIFIED records "
                       "count towards JP.")
class TrainingRecord(Node):
    title: str = strawberry.field(description="Nama pelatihan: the training's title.")
    kind: TrainingKind = strawberry.field(description="Jenis pengembangan kompetensi.")
    category: TrainingCategory = sql.derived(category_of, "kind", description="Kategori: pendidikan, klasikal or "
                                                                              "non-klasikal (follows from the kind).")
    organiser: str = strawberry.field(description="Penyelenggara: the organising institution; empty when not "
                                                  "given.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: first day.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: last day.")
    year: int = strawberry.field(description="Tahun: the year its JP count in (the year of the last day).")
    jp: int = strawberry.field(description="Jam pelajaran (JP): the training hours.")
    certificate_number: str | None = strawberry.field(description="Nomor sertifikat: the certificate's number, if "
                                                                  "any.")
    certificate_file_name: str | None = strawberry.field(description="Sertifikat: the certificate file's name as "
                                                                     "uploaded, if one was.")
    certificate_sha256: str | None = strawberry.field(description="SHA-256 of the certificate file's content (hex), "
                                                                  "if one was uploaded.")
    status: TrainingStatus = strawberry.field(description="Status: planned, completed, verified or rejected.")
    rejection_reason: str | None = strawberry.field(description="Alasan penolakan: why HR rejected it (status "
                                                                "REJECTED).")
    verified_at: dt.datetime | None = strawberry.field(description="When HR verified (or rejected) it.")
    employee: Employee = sql.join("employee_id", description="Pegawai: whose training it is.")


@sql.table(EventModel, description="Kegiatan pengembangan kompetensi: an event of the tenant's training catalogue.")
class TrainingEvent(Node):
    title: str = strawberry.field(description="Nama kegiatan: the event's title.")
    topic: str = strawberry.field(description="Topik: the development topic it serves, in lower case "
                                              "(recommendations match it).")
    kind: TrainingKind = strawberry.field(description="Jenis pengembangan kompetensi.")
    organiser: str = strawberry.field(description="Penyelenggara: the organising institution; empty when not "
                                                  "given.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: first day.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: last day.")
    jp: int = strawberry.field(description="Jam pelajaran (JP) a participant earns.")
    capacity: int = strawberry.field(description="Kuota: how many employees may register.")
    registered: int = sql.expression("(SELECT count(*) FROM training_registration g WHERE g.tenant_id = {t}.tenant_id "
                                     "AND g.event_id = {t}.id)", description="Peserta: employees registered.")


def _target_sql(dialect: str, settings: str = "(SELECT n.settings FROM tenant n WHERE n.id = e.tenant_id)") -> str:
    """``rules.target_for`` in SQL: the setting of the employee's employment type in the tenant's
    ``settings``, or its default."""
    defaults = TenantSettings()
    read = ("CAST({settings} ->> '{key}' AS integer)" if dialect == "postgres"
            else "json_extract({settings}, '$.{key}')")
    cases = " ".join(f"WHEN '{kind.value}' THEN coalesce({read.format(settings=settings, key=key)}, "
                     f"{int(getattr(defaults, key))})"
                     for kind, key in rules.TARGET_SETTINGS.items())
    return f"CASE e.employment_type {cases} END"


def _day_sql(dialect: str, year: str, month_day: str | None = None) -> str:
    """A date in SQL: the day of the contract start ``e.contract_starts_on`` in ``year`` (29 February as
    28 February, as ``rules.anniversary``), or the fixed ``month_day`` ('01-01')."""
    if dialect == "postgres":
        if month_day is not None:
            month, day = (int(x) for x in month_day.split("-"))
            return f"make_date(CAST({year} AS integer), {month}, {day})"
        return (f"make_date(CAST({year} AS integer), CAST(extract(month FROM e.contract_starts_on) AS integer), "
                "CASE WHEN extract(month FROM e.contract_starts_on) = 2 AND extract(day FROM e.contract_starts_on) = 29 "
                "THEN 28 ELSE CAST(extract(day FROM e.contract_starts_on) AS integer) END)")
    if month_day is not None:
        return f"printf('%04d-{month_day}', {year})"
    return (f"printf('%04d-%s', {year}, CASE WHEN substr(e.contract_starts_on, 6, 5) = '02-29' THEN '02-28' "
            "ELSE substr(e.contract_starts_on, 6, 5) END)")


def _window_sql(dialect: str) -> tuple[str, str]:
    """``rules.progress_window`` in SQL for the year {0}: the first and last day whose verified JP count."""
    contract = "e.employment_type = 'PPPK' AND e.contract_starts_on IS NOT NULL"
    next_year = "({0} + 1)"
    if dialect == "postgres":
        last = f"({_day_sql(dialect, next_year)} - 1)"
    else:
        last = f"date({_day_sql(dialect, next_year)}, '-1 day')"
    return (f"CASE WHEN {contract} THEN {_day_sql(dialect, '{0}')} ELSE {_day_sql(dialect, '{0}', '01-01')} END",
            f"CASE WHEN {contract} THEN {last} ELSE {_day_sql(dialect, '{0}', '12-31')} END")


def _rule_sql() -> str:
    """``rules.JP_RULES`` in SQL."""
    cases = " ".join(f"WHEN '{kind.value}' THEN '{rule.value}'" for kind, rule in rules.JP_RULES.items())
    return f"CASE e.employment_type {cases} END"


def _progress_rows(dialect: str) -> str:
    """Employees of the tenant (of the org unit {1} and its sub-units, when given) with their figures of
    the year {0}: the rule (a PNS target per calendar year, a PPPK cap per contract year), the days that
    count, the yearly JP, the verified JP summed by the database over those days, what remains (of a
    target: the shortfall; of a cap: the allowance)."""
    pg = dialect == "postgres"
    unit = "CAST({1} AS uuid)" if pg else "{1}"
    starts_on, ends_on = _window_sql(dialect)
    target = f"'{rules.JpRule.TARGET_CALENDAR_YEAR.value}'"
    # The tenant's settings are read once (a materialised CTE also keeps the planner from copying this
    # subquery into each expression that reads its columns). Without a unit: the subtrees of every unit,
    # all the tenant's employees (each has a unit), with no OR that would keep the subtree from a join.
    materialized = "MATERIALIZED " if pg else ""
    employees = (
        f"WITH s AS {materialized}(SELECT n.settings FROM tenant n WHERE n.id = {{tenant}}) "
        f"SELECT e.id, e.tenant_id, e.name, e.org_unit_id, e.active, {{0}} AS year, "
        f"{_target_sql(dialect, 's.settings')} AS target_jp, "
        f"{_rule_sql()} AS rule, {starts_on} AS starts_on, {ends_on} AS ends_on "
        "FROM employee e CROSS JOIN s WHERE e.tenant_id = {tenant} AND e.org_unit_id IN ("
        "WITH RECURSIVE sub(id) AS (SELECT o.id FROM org_unit o WHERE o.tenant_id = {tenant} "
        f"AND o.id = coalesce({unit}, o.id) UNION SELECT o.id FROM org_unit o JOIN sub ON o.parent_id = sub.id "
        "WHERE o.tenant_id = {tenant}) SELECT id FROM sub)")
    verified = ("SELECT coalesce(sum(r.jp), 0) AS verified_jp FROM training_record r WHERE r.tenant_id = w.tenant_id "
                f"AND r.employee_id = w.id AND r.status = 'VERIFIED' AND ((w.rule = {target} AND r.year = {{0}}) "
                f"OR (w.rule <> {target} AND r.starts_on >= w.starts_on AND r.starts_on <= w.ends_on))")
    # PostgreSQL copies a scalar subquery into every expression that reads its column; a lateral
    # aggregate is summed once per employee.
    figures = (f"SELECT w.*, v.verified_jp FROM ({employees}) w CROSS JOIN LATERAL ({verified}) v" if pg
               else f"SELECT w.*, ({verified}) AS verified_jp FROM ({employees}) w")
    return (
        "SELECT p.*, CASE WHEN p.target_jp > p.verified_jp THEN p.target_jp - p.verified_jp ELSE 0 END AS remaining_jp, "
        f"CASE WHEN p.rule = {target} AND p.target_jp > p.verified_jp THEN p.target_jp - p.verified_jp ELSE 0 END "
        f"AS shortfall_jp FROM ({figures}) p")


# A unit's totals and its employees below target read the same figures: computed once per statement.
PROGRESS = sql.shared_rows("training_progress", sql.Dialects(_progress_rows("postgres"), _progress_rows("sqlite")))

# The totals of the active employees of such progress rows within the reader's training scope
# (``training_scope``).
UNIT_ROWS = ("(SELECT {0} AS year, count(*) AS employees, "
             "coalesce(sum(CASE WHEN m.shortfall_jp = 0 THEN 1 ELSE 0 END), 0) AS employees_meeting_target, "
             "coalesce(sum(m.target_jp), 0) AS target_jp, coalesce(sum(m.verified_jp), 0) AS verified_jp "
             f"FROM {PROGRESS} m WHERE m.active AND m.id IN (SELECT id FROM training_scope)) {{t}}")


def training_scope(scopes: frozenset[str], _column: str) -> tuple[list[str], str]:
    """The employees whose training the reader may read, as the CTE ``training_scope`` that totals
    over several employees read from."""
    ctes, condition = scope_sql(scopes, "e.id")
    return ctes + ["training_scope(id) AS (SELECT e.id FROM employee e WHERE e.tenant_id = {tenant} "
                   f"AND {condition})"], "TRUE"


READ_TRAINING_OF_EMPLOYEE = employee_rows("training", "read")


@sql.table(source=PROGRESS + " {t}",
           access=READ_TRAINING_OF_EMPLOYEE,
           description="Verified JP of one employee against the yearly JP of his or her employment type: a PNS "
                       "target per calendar year (20 JP), a PPPK cap per contract year (24 JP), unless the tenant "
                       "says otherwise.")
class TrainingProgress:
    employee: Employee = sql.join("id", description="Pegawai: the employee.")
    year: int = strawberry.field(description="Tahun (calendar year).")
    rule: JpRule = strawberry.field(description="Aturan JP: a target per calendar year (PNS) or a cap per contract "
                                                "year (PPPK).")
    starts_on: dt.date = strawberry.field(description="Awal: the first day whose verified JP count (1 January, or "
                                                      "the contract anniversary in the year for PPPK).")
    ends_on: dt.date = strawberry.field(description="Akhir: the last day whose verified JP count.")
    target_jp: int = strawberry.field(description="Target JP: the yearly JP of the employee's employment type (a "
                                                  "target for PNS, the contract year's cap for PPPK).")
    verified_jp: int = strawberry.field(description="JP terverifikasi: JP of verified records in the window.")
    remaining_jp: int = strawberry.field(description="Sisa JP: JP missing from the target (0 when met), or the "
                                                     "allowance left under the cap.")


@sql.table(source=UNIT_ROWS,
           access=sql.Access("training", "read", rows=training_scope), order=("year",),
           description="JP progress of the employees of a unit subtree (or of the tenant) within the viewer's scope.")
class UnitTrainingProgress:
    year: int = strawberry.field(description="Tahun (calendar year).")
    employees: int = strawberry.field(description="Pegawai: the active employees counted (within your scope).")
    employees_meeting_target: int = strawberry.field(description="Pegawai memenuhi target: of those, the ones with "
                                                                 "no JP missing.")
    target_jp: int = strawberry.field(description="Target JP: the sum of their yearly targets.")
    verified_jp: int = strawberry.field(description="JP terverifikasi: the sum of their verified JP of the year.")
    below_target: list[TrainingProgress] = sql.rows(
        where=(sql.where("{t}.active AND {t}.shortfall_jp > 0"),), order=("-shortfall_jp", "name", "id"), access=True,
        description="Employees below their target, most JP missing first (a PPPK cap is no target).")


def _recommendation_rows(dialect: str) -> str:
    """The development needs of the employee {1} in the year {0} (see ``rules.PREDICATE_TRIGGERS``) and
    the tenant's recommendation rules for them: one row per (trigger, topic), in the order the triggers
    come (``position``, then ``sort``), each trigger's topics by name; events end on or after {2} (today).
    A JP shortfall is a PNS's, below the calendar-year target; a PPPK's yearly JP are a cap, not a target."""
    pg = dialect == "postgres"
    latest = ("(SELECT v.predicate, v.behaviour_rating, v.notes FROM evaluation v WHERE v.tenant_id = {tenant} "
              "AND v.employee_id = {1} AND v.status = 'FINAL' ORDER BY v.finalized_at DESC, v.created_at DESC, v.id DESC "
              "LIMIT 1) l")
    keys_of = "jsonb_object_keys(CAST(l.notes AS jsonb)) n(key)" if pg else "json_each(l.notes) n"
    collate = ' COLLATE "C"' if pg else ""
    below = f"l.behaviour_rating = '{Rating.DI_BAWAH_EKSPEKTASI.value}'"
    predicates = ", ".join(f"'{p}'" for p in rules.PREDICATE_TRIGGERS)
    verified = ("(SELECT coalesce(sum(r.jp), 0) FROM training_record r WHERE r.tenant_id = e.tenant_id "
                "AND r.employee_id = e.id AND r.year = {0} AND r.status = 'VERIFIED')")
    keys = (f"SELECT 1 AS position, '' AS sort, 'PREDICATE:' || l.predicate AS key FROM {latest} "
            f"WHERE l.predicate IN ({predicates}) "
            f"UNION ALL SELECT 2, n.key{collate}, 'BEHAVIOUR:' || n.key FROM {latest}, {keys_of} WHERE {below} "
            f"UNION ALL SELECT 2, '', 'BEHAVIOUR:ANY' FROM {latest} WHERE {below} "
            f"AND NOT EXISTS (SELECT 1 FROM {keys_of}) "
            f"UNION ALL SELECT 3, '', 'JP_SHORTFALL' FROM employee e WHERE e.tenant_id = {{tenant}} AND e.id = {{1}} "
            f"AND {_rule_sql()} = '{rules.JpRule.TARGET_CALENDAR_YEAR.value}' AND {verified} < {_target_sql(dialect)}")
    return ("(SELECT m.id, m.tenant_id, m.trigger AS reason, m.topic, k.position, k.sort, {2} AS today "
            f"FROM ({keys}) k JOIN training_recommendation_rule m ON m.tenant_id = {{tenant}} AND m.trigger = k.key) {{t}}")


@sql.table(source=sql.Dialects(_recommendation_rows("postgres"), _recommendation_rows("sqlite")),
           order=("position", "sort", "topic"),
           description="Rekomendasi pengembangan kompetensi: a suggested development: why, which topic, and open "
                       "catalogue events for it.")
class TrainingRecommendation:
    reason: RecommendationTrigger = strawberry.field(description="Alasan: the development need that calls for it.")
    topic: str = strawberry.field(description="Topik: the development topic recommended.")
    events: list[TrainingEvent] = sql.rows(on={"topic": "topic"}, where=(sql.where("{t}.ends_on >= {p}.today"),),
                                           order=("starts_on", "id"),
                                           description="Kegiatan: catalogue events on the topic not ended yet, "
                                                       "earliest first.")


@sql.table(RuleModel, description="Aturan rekomendasi: one topic a development need recommends (the tenant's "
                                   "mapping).")
class RecommendationRule:
    # The column stores the trigger as rules.triggers spells it; the statement reads it as the enum's name.
    trigger: RecommendationTrigger = strawberry.field(description="Kebutuhan: the development need.")
    topic: str = strawberry.field(description="Topik: the topic it recommends, in lower case.")


@strawberry.input(description="Which training records to list; all conditions apply.")
class TrainingFilter:
    employee_id: strawberry.ID | None = strawberry.field(default=None,
                                                         description="Only of this employee (global id).")
    year: int | None = strawberry.field(default=None, description="Only of this year (the year their JP count in).")
    status: TrainingStatus | None = strawberry.field(default=None, description="Only in this status.")


@strawberry.input(description="Sertifikat: a certificate file, sent inline.")
class CertificateInput:
    file_name: str = strawberry.field(description="The file's name.")
    content_type: str = strawberry.field(description="The file's media type, e.g. `application/pdf`.")
    content_base64: str = strawberry.field(description="The file's content, base64-encoded.")


@strawberry.input(description="Riwayat pengembangan kompetensi: a training of mine to record.")
class RecordTrainingInput:
    title: str = strawberry.field(description="Nama pelatihan: the title (1-300 characters).")
    kind: TrainingKind = strawberry.field(description="Jenis pengembangan kompetensi.")
    organiser: str | None = strawberry.field(default=None, description="Penyelenggara: the organising institution.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: first day.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: last day (its year is the year the JP count "
                                                    "in).")
    jp: int = strawberry.field(description=f"Jam pelajaran (JP): 1 to {rules.MAX_JP_PER_RECORD}.")
    certificate_number: str | None = strawberry.field(default=None, description="Nomor sertifikat, if any.")
    certificate: CertificateInput | None = strawberry.field(default=None, description="Sertifikat: the certificate "
                                                                                     "file, if any.")
    completed: bool = strawberry.field(default=True, description="False to record a planned training.")


@strawberry.input(description="The training record to act on.")
class TrainingIdInput:
    id: strawberry.ID = strawberry.field(description="Global id of the training record.")


@strawberry.input(description="A training record to reject, with the reason.")
class RejectTrainingInput:
    id: strawberry.ID = strawberry.field(description="Global id of the training record.")
    reason: str = strawberry.field(description="Alasan penolakan: why it is rejected (1-2000 characters).")


@strawberry.input(description="Kegiatan pengembangan kompetensi: a new event of the catalogue.")
class CreateTrainingEventInput:
    title: str = strawberry.field(description="Nama kegiatan: the title (1-300 characters).")
    topic: str = strawberry.field(description="Topik: the development topic it serves (stored in lower case).")
    kind: TrainingKind = strawberry.field(description="Jenis pengembangan kompetensi.")
    organiser: str | None = strawberry.field(default=None, description="Penyelenggara: the organising institution.")
    starts_on: dt.date = strawberry.field(description="Tanggal mulai: first day.")
    ends_on: dt.date = strawberry.field(description="Tanggal selesai: last day.")
    jp: int = strawberry.field(description="Jam pelajaran (JP) a participant earns.")
    capacity: int = strawberry.field(description="Kuota: how many employees may register.")


@strawberry.input(description="The catalogue event to register for.")
class RegisterForTrainingInput:
    event_id: strawberry.ID = strawberry.field(description="Global id of the training event.")


@strawberry.input(description="A registered employee who attended a catalogue event.")
class ConfirmAttendanceInput:
    event_id: strawberry.ID = strawberry.field(description="Global id of the training event.")
    employee_id: strawberry.ID = strawberry.field(description="Pegawai: global id of the employee who attended.")


@strawberry.input(description="Aturan rekomendasi: the topics a development need recommends.")
class SetRecommendationRuleInput:
    trigger: RecommendationTrigger = strawberry.field(description="Kebutuhan: the development need.")
    topics: list[str] = strawberry.field(description="Topik: the topics it recommends, replacing the current ones "
                                                     "(at most 20 of at most 100 characters; stored in lower case).")


@strawberry.type(description="The outcome of a change to a training record.")
class TrainingRecordPayload:
    record: TrainingRecord | None = strawberry.field(default=None, description="The record as it is now; null on "
                                                                               "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of adding a catalogue event.")
class TrainingEventPayload:
    event: TrainingEvent | None = strawberry.field(default=None, description="The new event; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of registering for a catalogue event.")
class RegistrationPayload:
    event: TrainingEvent | None = strawberry.field(default=None, description="The event registered for; null on "
                                                                             "failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of setting a recommendation rule.")
class RecommendationRulePayload:
    rules: list[RecommendationRule] = strawberry.field(default_factory=list, description="The development need's "
                                                                                         "topics as they are now.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class TrainingQuery:
    @sql.builder(description="Training records the viewer may see, newest first.")
    def training_records(self, first: First = 20, after: After = None,
                         filter: Annotated[TrainingFilter | None, strawberry.argument(
                             description="Which records.")] = None) -> Connection[TrainingRecord]:
        where = []
        if filter is not None:
            employee = parse_input_id(filter.employee_id, "Employee", "employeeId")
            if employee is not None:
                where.append(sql.eq("employee_id", employee))
            if filter.year is not None:
                where.append(sql.eq("year", filter.year))
            if filter.status is not None:
                where.append(sql.eq("status", filter.status))
        return sql.Page(first=first, after=after, where=tuple(where), order=("-starts_on", "id"), access=True)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="An employee's verified JP against the yearly target of his or her employment type.")
    def training_progress(self, employee_id: Annotated[strawberry.ID, strawberry.argument(
                              description="Pegawai: global id of the employee.")],
                          year: Annotated[int, strawberry.argument(description="Tahun (calendar year).")]
                          ) -> TrainingProgress:
        employee = parse_input_id(employee_id, "Employee", "employeeId")
        return sql.Row(where=(sql.eq("id", employee),), values=(year, None), access=True,  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: NotFound("Employee not found", field="employeeId"))

    @sql.builder(description="JP progress of a unit subtree (or the tenant when orgUnitId is omitted), "
                             "within the viewer's scope.")
    def unit_training_progress(self, year: Annotated[int, strawberry.argument(description="Tahun (calendar year).")],
                               org_unit_id: Annotated[strawberry.ID | None, strawberry.argument(
                                   description="Unit organisasi: the unit (its sub-units included); left out: the "
                                               "tenant.")] = None) -> UnitTrainingProgress:
        unit = parse_input_id(org_unit_id, "OrgUnit", "orgUnitId")
        guard = sql.Exists("OrgUnit", (sql.eq("id", unit),), lambda: NotFound("Org unit not found", field="orgUnitId"),
                           access=False) if unit is not None else None
        return sql.Row(values=(year, unit), access=True, guard=guard)  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="The tenant's training events.")
    def training_catalogue(self, upcoming_only: Annotated[bool, strawberry.argument(
                               description="Only events not ended yet.")] = False) -> list[TrainingEvent]:
        where = (sql.gte("ends_on", dt.date.today()),) if upcoming_only else ()
        return sql.Rows(where=where, order=("starts_on", "id"), access=sql.requires("training", "read"))  # type: ignore[return-value]  # a described read: the compiler answers its specification

    @sql.builder(description="Development suggested by the latest final evaluation and this year's JP shortfall.")
    def training_recommendations(self, employee_id: Annotated[strawberry.ID, strawberry.argument(
                                     description="Pegawai: global id of the employee.")],
                                 year: Annotated[int | None, strawberry.argument(
                                     description="Tahun of the JP shortfall; left out: the current year.")] = None
                                 ) -> list[TrainingRecommendation]:
        employee = parse_input_id(employee_id, "Employee", "employeeId")
        today = dt.date.today()
        return sql.Rows(values=(year or today.year, employee, today), access=sql.requires("training", "read"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                        guard=sql.Exists("Employee", (sql.eq("id", employee),),
                                         lambda: NotFound("Employee not found", field="employeeId"),
                                         access=READ_TRAINING_OF_EMPLOYEE))


def _record(row) -> dict:
    return {"record": sql.ref("TrainingRecord", row.id)}


@strawberry.type
class TrainingMutation:
    @strawberry.mutation(description="Record my own training (with an optional certificate file).")
    async def record_training(self, info: Info, input: Annotated[RecordTrainingInput, INPUT]) -> TrainingRecordPayload:
        async def work():
            certificate = service.Certificate(input.certificate.file_name, input.certificate.content_type,
                                              input.certificate.content_base64) if input.certificate else None
            return _record(await service.record_training(
                info.context, input.title, input.kind, input.organiser, input.starts_on, input.ends_on, input.jp,
                input.certificate_number, certificate, input.completed))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Mark my planned training as completed.")
    async def complete_training(self, info: Info, input: Annotated[TrainingIdInput, INPUT]) -> TrainingRecordPayload:
        async def work():
            return _record(await service.complete_training(info.context, parse_input_id(input.id, "TrainingRecord", "id")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="HR verifies a completed record (never one's own): its JP then count.")
    async def verify_training(self, info: Info, input: Annotated[TrainingIdInput, INPUT]) -> TrainingRecordPayload:
        async def work():
            return _record(await service.verify_training(info.context, parse_input_id(input.id, "TrainingRecord", "id")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="HR rejects a record with a reason.")
    async def reject_training(self, info: Info, input: Annotated[RejectTrainingInput, INPUT]) -> TrainingRecordPayload:
        async def work():
            return _record(await service.reject_training(
                info.context, parse_input_id(input.id, "TrainingRecord", "id"), input.reason))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Add an event to the catalogue (HR).")
    async def create_training_event(self, info: Info, input: Annotated[CreateTrainingEventInput, INPUT]) -> TrainingEventPayload:
        async def work():
            row = await service.create_event(info.context, input.title, input.topic, input.kind, input.organiser,
                                             input.starts_on, input.ends_on, input.jp, input.capacity)
            return {"event": sql.ref("TrainingEvent", row.id)}
        return await run_mutation(info, TrainingEventPayload, work)

    @strawberry.mutation(description="Register myself for a catalogue event.")
    async def register_for_training(self, info: Info, input: Annotated[RegisterForTrainingInput, INPUT]) -> RegistrationPayload:
        async def work():
            registration = await service.register(info.context, parse_input_id(input.event_id, "TrainingEvent", "eventId"))
            return {"event": sql.ref("TrainingEvent", registration.event_id)}
        return await run_mutation(info, RegistrationPayload, work)

    @strawberry.mutation(description="HR confirms a registered employee attended: creates the verified record.")
    async def confirm_training_attendance(self, info: Info, input: Annotated[ConfirmAttendanceInput, INPUT]) -> TrainingRecordPayload:
        async def work():
            return _record(await service.confirm_attendance(
                info.context, parse_input_id(input.event_id, "TrainingEvent", "eventId"),
                parse_input_id(input.employee_id, "Employee", "employeeId")))
        return await run_mutation(info, TrainingRecordPayload, work)

    @strawberry.mutation(description="Set the catalogue topics a development need recommends (HR).")
    async def set_training_recommendation_rule(self, info: Info,
                                               input: Annotated[SetRecommendationRuleInput, INPUT]) -> RecommendationRulePayload:
        async def work():
            rows = await service.set_recommendation_rule(info.context, input.trigger.value, input.topics)
            return {"rules": [sql.ref("RecommendationRule", r.id) for r in rows]}
        return await run_mutation(info, RecommendationRulePayload, work)
