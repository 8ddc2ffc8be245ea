"""Rules of competency development (PP 11/2017 jo. PP 17/2020; PP 49/2018; Peraturan LAN 10/2018):
training kinds, record validation, yearly JP targets, recommendations. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kinerja.core.errors import Conflict, FieldError
from kinerja.org.rules import EmploymentType
from kinerja.tenancy.rules import TenantSettings

MAX_JP_PER_RECORD = 1000  # a degree programme counts many hours; anything larger is a typo
MAX_DAYS = 5 * 366


class TrainingKind(StrEnum):
    PENDIDIKAN = "PENDIDIKAN"
    # pelatihan klasikal
    KEPEMIMPINAN = "KEPEMIMPINAN"
    MANAJERIAL = "MANAJERIAL"
    TEKNIS = "TEKNIS"
    FUNGSIONAL = "FUNGSIONAL"
    SEMINAR = "SEMINAR"
    WORKSHOP = "WORKSHOP"
    KURSUS = "KURSUS"
    BIMTEK = "BIMTEK"
    SOSIALISASI = "SOSIALISASI"
    # pelatihan non-klasikal
    COACHING = "COACHING"
    MENTORING = "MENTORING"
    E_LEARNING = "E_LEARNING"
    PEMBELAJARAN_JARAK_JAUH = "PEMBELAJARAN_JARAK_JAUH"
    DETASERING = "DETASERING"
    BENCHMARKING = "BENCHMARKING"


class TrainingCategory(StrEnum):
    PENDIDIKAN = "PENDIDIKAN"
    KLASIKAL = "KLASIKAL"
    NON_KLASIKAL = "NON_KLASIKAL"


CATEGORY = {
    TrainingKind.PENDIDIKAN: TrainingCategory.PENDIDIKAN,
    **{k: TrainingCategory.KLASIKAL for k in (
        TrainingKind.KEPEMIMPINAN, TrainingKind.MANAJERIAL, TrainingKind.TEKNIS, TrainingKind.FUNGSIONAL,
        TrainingKind.SEMINAR, TrainingKind.WORKSHOP, TrainingKind.KURSUS, TrainingKind.BIMTEK,
        TrainingKind.SOSIALISASI)},
    **{k: TrainingCategory.NON_KLASIKAL for k in (
        TrainingKind.COACHING, TrainingKind.MENTORING, TrainingKind.E_LEARNING,
        TrainingKind.PEMBELAJARAN_JARAK_JAUH, TrainingKind.DETASERING, TrainingKind.BENCHMARKING)},
}


class TrainingStatus(StrEnum):
    PLANNED = "PLANNED"
    COMPLETED = "COMPLETED"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


_MOVES = {
    (TrainingStatus.PLANNED, "complete"): TrainingStatus.COMPLETED,
    (TrainingStatus.COMPLETED, "verify"): TrainingStatus.VERIFIED,
    (TrainingStatus.COMPLETED, "reject"): TrainingStatus.REJECTED,
    (TrainingStatus.PLANNED, "reject"): TrainingStatus.REJECTED,
}


def next_status(current: TrainingStatus, move: str) -> TrainingStatus:
    try:
        return _MOVES[(current, move)]
    except KeyError:
        if any(to is current for (_state, m), to in _MOVES.items() if m == move):
            raise Conflict(f"The training record is already {current.value}", field="id") from None
        raise Conflict(f"Cannot {move} a training record that is {current.value}", field="id") from None


def record_problems(title: str, organiser: str, starts_on: dt.date, ends_on: dt.date, jp: int) -> list[FieldError]:
    problems = []
    if not title or not title.strip() or len(title) > 300:
        problems.append(FieldError("title", "BAD_USER_INPUT", "Title must be 1-300 characters"))
    if organiser is not None and len(organiser) > 300:
        problems.append(FieldError("organiser", "BAD_USER_INPUT", "Organiser must be at most 300 characters"))
    if ends_on < starts_on:
        problems.append(FieldError("endsOn", "BAD_USER_INPUT", "The end date is before the start date"))
    elif (ends_on - starts_on).days > MAX_DAYS:
        problems.append(FieldError("endsOn", "BAD_USER_INPUT", "A training lasts at most five years"))
    if not 2000 <= starts_on.year <= 2100:
        problems.append(FieldError("startsOn", "BAD_USER_INPUT", "The start date must be between 2000 and 2100"))
    if not 1 <= jp <= MAX_JP_PER_RECORD:
        problems.append(FieldError("jp", "BAD_USER_INPUT", f"JP must be a whole number from 1 to {MAX_JP_PER_RECORD}"))
    return problems


class JpRule(StrEnum):
    """How the yearly JP of an employment type counts."""

    TARGET_CALENDAR_YEAR = "TARGET_CALENDAR_YEAR"  # PNS: at least, per calendar year (PP 17/2020 art. 203(4))
    CAP_CONTRACT_YEAR = "CAP_CONTRACT_YEAR"  # PPPK: at most, per contract year (PP 49/2018 art. 40(1))


JP_RULES = {EmploymentType.PNS: JpRule.TARGET_CALENDAR_YEAR, EmploymentType.PPPK: JpRule.CAP_CONTRACT_YEAR}


def anniversary(start: dt.date, year: int) -> dt.date:
    """The day of ``start`` in ``year``; a contract of 29 February counts its years from 28 February
    (every year has that day, and both database dialects compute it alike)."""
    day = 28 if (start.month, start.day) == (2, 29) else start.day
    return dt.date(year, start.month, day)


def contract_year(contract_start: dt.date, on: dt.date) -> tuple[dt.date, dt.date]:
    """The contract year (masa perjanjian kerja, counted from the contract start) that contains ``on``;
    before the contract starts, its first year."""
    begins = anniversary(contract_start, on.year)
    if begins > on:
        begins = anniversary(contract_start, on.year - 1)
    begins = max(begins, contract_start)
    return begins, anniversary(contract_start, begins.year + 1) - dt.timedelta(days=1)


def progress_window(rule: JpRule, year: int, contract_start: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days whose verified JP count for ``year``: the calendar year for a target; for the PPPK cap,
    the contract year that begins in ``year`` (the calendar year while no contract start is known).
    Compiled reads spell the same in SQL (training/graphql.py)."""
    if rule is JpRule.CAP_CONTRACT_YEAR and contract_start is not None:
        begins = anniversary(contract_start, year)
        return begins, anniversary(contract_start, year + 1) - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


OVER_CAP = ("PPPK competency development is at most {cap} JP in a contract year (PP 49/2018 art. 40(1)): "
            "{used} JP of the contract year from {starts_on} to {ends_on} are taken")


def cap_problem(cap: int, used: int, jp: int, starts_on: dt.date, ends_on: dt.date) -> str | None:
    """A registration that would take a PPPK employee beyond the cap of the contract year."""
    if used + jp <= cap:
        return None
    return OVER_CAP.format(cap=cap, used=used, starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())


TOO_EARLY = "Attendance is confirmed on or after the first day of the event"


def attendance_problem(today: dt.date, starts_on: dt.date) -> str | None:
    """Attendance is confirmed only once the event has begun."""
    return TOO_EARLY if today < starts_on else None


# Which tenant setting holds the yearly JP of an employment type: a target for PNS, the cap of the
# contract year for PPPK (compiled reads spell the same mapping in SQL, training/graphql.py).
TARGET_SETTINGS = {EmploymentType.PNS: "jp_target_pns", EmploymentType.PPPK: "jp_target_pppk"}


def target_for(settings: TenantSettings, employment_type: EmploymentType) -> int:
    """The yearly JP of an employee of this employment type, from the tenant's settings."""
    target: int = getattr(settings, TARGET_SETTINGS[employment_type])
    return target


def shortfall(rule: JpRule, target: int, verified: int) -> int:
    """JP missing from a target; a cap has no shortfall (what remains is an allowance)."""
    return max(0, target - verified) if rule is JpRule.TARGET_CALENDAR_YEAR else 0


@dataclass(frozen=True)
class Progress:
    target_jp: int
    verified_jp: int

    @property
    def remaining_jp(self) -> int:
        return max(0, self.target_jp - self.verified_jp)

    @property
    def met(self) -> bool:
        return self.verified_jp >= self.target_jp


# What an employee's evaluation and JP record say about development needs, as the keys of the tenant's
# recommendation rules: PREDICATE:<p> for Butuh Perbaikan or lower (these predicates), BEHAVIOUR:<value>
# for each BerAKHLAK value noted when behaviour is below expectation (BEHAVIOUR:ANY without notes), and
# JP_SHORTFALL when the year's target is not met (read in SQL: training/graphql.py, TrainingRecommendation).
PREDICATE_TRIGGERS = ("BUTUH_PERBAIKAN", "KURANG_MISCONDUCT", "SANGAT_KURANG")
TRIGGER_PREFIXES = ("PREDICATE:", "BEHAVIOUR:", "JP_SHORTFALL")


class RecommendationTrigger(StrEnum):
    """Every key ``triggers`` gives (the stored spelling): the development needs a recommendation
    rule maps to topics."""
    PREDICATE_BUTUH_PERBAIKAN = "PREDICATE:BUTUH_PERBAIKAN"
    PREDICATE_KURANG_MISCONDUCT = "PREDICATE:KURANG_MISCONDUCT"
    PREDICATE_SANGAT_KURANG = "PREDICATE:SANGAT_KURANG"
    BEHAVIOUR_BERORIENTASI_PELAYANAN = "BEHAVIOUR:BERORIENTASI_PELAYANAN"
    BEHAVIOUR_AKUNTABEL = "BEHAVIOUR:AKUNTABEL"
    BEHAVIOUR_KOMPETEN = "BEHAVIOUR:KOMPETEN"
    BEHAVIOUR_HARMONIS = "BEHAVIOUR:HARMONIS"
    BEHAVIOUR_LOYAL = "BEHAVIOUR:LOYAL"
    BEHAVIOUR_ADAPTIF = "BEHAVIOUR:ADAPTIF"
    BEHAVIOUR_KOLABORATIF = "BEHAVIOUR:KOLABORATIF"
    BEHAVIOUR_ANY = "BEHAVIOUR:ANY"
    JP_SHORTFALL = "JP_SHORTFALL"
