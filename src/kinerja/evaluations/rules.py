"""Rules of evaluation (PermenPANRB 6/2022, SE MenPANRB 3/2023, Peraturan BKN 3/2023): the
predicate matrix, the distribution guide and credit points. Pure functions over rule data that
is stored per tenant and year, so a changed regulation is a data change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class Rating(StrEnum):
    DI_ATAS_EKSPEKTASI = "DI_ATAS_EKSPEKTASI"
    SESUAI_EKSPEKTASI = "SESUAI_EKSPEKTASI"
    DI_BAWAH_EKSPEKTASI = "DI_BAWAH_EKSPEKTASI"


class Predicate(StrEnum):
    SANGAT_BAIK = "SANGAT_BAIK"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG_MISCONDUCT = "KURANG_MISCONDUCT"
    SANGAT_KURANG = "SANGAT_KURANG"


class UnitRating(StrEnum):
    ISTIMEWA = "ISTIMEWA"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"
    SANGAT_KURANG = "SANGAT_KURANG"


class ActingKind(StrEnum):
    """An acting assessor's appointment (Surat Edaran Kepala BKN 1/2021 on Plt and Plh)."""

    PLT = "PLT"  # pelaksana tugas: the post is vacant
    PLH = "PLH"  # pelaksana harian: the official is temporarily absent


class ObjectionStatus(StrEnum):
    FILED = "FILED"  # waiting for the decision of the assessor's superior
    ACCEPTED = "ACCEPTED"  # the superior changed the result: a corrected version
    REJECTED = "REJECTED"  # the superior kept the result, with a reason


class ObjectionDecision(StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class EvaluationStatus(StrEnum):
    DRAFT = "DRAFT"
    FINAL = "FINAL"
    CORRECTED = "CORRECTED"  # a final evaluation replaced by a newer version


class GuideBound(StrEnum):
    """The kind of a bound of the distribution guide, as the guide data spells it."""
    MAX = "max"    # at most so many percent
    MIN = "min"    # at least so many percent
    SOME = "some"  # at least one
    MAJORITY = "majority"  # more than so many percent (sebagian besar)


LABELS = {
    Predicate.SANGAT_BAIK: "Sangat Baik",
    Predicate.BAIK: "Baik",
    Predicate.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predicate.KURANG_MISCONDUCT: "Kurang/Misconduct",
    Predicate.SANGAT_KURANG: "Sangat Kurang",
}

# rows: results rating, columns: behaviour rating (DOMAIN.md, PermenPANRB 6/2022)
DEFAULT_MATRIX: dict[str, dict[str, str]] = {
    "DI_ATAS_EKSPEKTASI": {"DI_ATAS_EKSPEKTASI": "SANGAT_BAIK", "SESUAI_EKSPEKTASI": "BAIK",
                           "DI_BAWAH_EKSPEKTASI": "KURANG_MISCONDUCT"},
    "SESUAI_EKSPEKTASI": {"DI_ATAS_EKSPEKTASI": "BAIK", "SESUAI_EKSPEKTASI": "BAIK",
                          "DI_BAWAH_EKSPEKTASI": "KURANG_MISCONDUCT"},
    "DI_BAWAH_EKSPEKTASI": {"DI_ATAS_EKSPEKTASI": "BUTUH_PERBAIKAN", "SESUAI_EKSPEKTASI": "BUTUH_PERBAIKAN",
                            "DI_BAWAH_EKSPEKTASI": "SANGAT_KURANG"},
}

# unit rating -> bounds on the share (percent) of employees' predicates (SE MenPANRB 3/2023, the guide
# to the distribution of employees' predicates per organisational predicate). Each bound:
# (predicates, kind, percent): "max" at most, "min" at least, "some" at least one, "majority" more
# than the percent ("sebagian besar": most of the employees).
DEFAULT_GUIDE: dict[str, list[tuple[list[str], str, float]]] = {
    "ISTIMEWA": [(["SANGAT_BAIK"], "majority", 50), (["SANGAT_BAIK"], "max", 70)],
    "BAIK": [(["BAIK"], "majority", 50), (["BAIK"], "max", 70),
             (["BUTUH_PERBAIKAN", "KURANG_MISCONDUCT"], "some", 0)],
    "BUTUH_PERBAIKAN": [(["BUTUH_PERBAIKAN"], "min", 60), (["SANGAT_BAIK"], "max", 10)],
    "KURANG": [(["KURANG_MISCONDUCT"], "min", 60), (["BUTUH_PERBAIKAN"], "min", 10), (["SANGAT_BAIK"], "max", 10)],
    "SANGAT_KURANG": [(["SANGAT_KURANG"], "min", 60), (["KURANG_MISCONDUCT", "BUTUH_PERBAIKAN"], "min", 10),
                      (["SANGAT_BAIK"], "max", 0)],
}
GUIDE_SOURCE = "SE MenPANRB 3/2023"
UNIT_LABELS = {
    UnitRating.ISTIMEWA: "Istimewa", UnitRating.BAIK: "Baik", UnitRating.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    UnitRating.KURANG: "Kurang", UnitRating.SANGAT_KURANG: "Sangat Kurang",
}

# predicate -> share of the yearly credit-point coefficient (Peraturan BKN 3/2023)
DEFAULT_CREDIT_SHARES: dict[str, str] = {
    "SANGAT_BAIK": "1.50", "BAIK": "1.00", "BUTUH_PERBAIKAN": "0.75", "KURANG_MISCONDUCT": "0.50",
    "SANGAT_KURANG": "0.25",
}

# jenjang jabatan fungsional -> koefisien angka kredit per year (Peraturan BKN 3/2023, Lampiran: the
# yearly coefficient of each grade; keterampilan Pemula 3.75, Terampil 5, Mahir 12.5, Penyelia 25;
# keahlian Ahli Pertama 12.5, Ahli Muda 25, Ahli Madya 37.5, Ahli Utama 50).
DEFAULT_CREDIT_COEFFICIENTS: dict[str, str] = {
    "PEMULA": "3.75", "TERAMPIL": "5", "MAHIR": "12.5", "PENYELIA": "25",
    "AHLI_PERTAMA": "12.5", "AHLI_MUDA": "25", "AHLI_MADYA": "37.5", "AHLI_UTAMA": "50",
}
CREDIT_SOURCE = "Peraturan BKN 3/2023"


def coefficient_for(coefficients: dict[str, str] | None, level: str | None) -> Decimal | None:
    """The yearly credit coefficient of a jenjang from the year's rule data (the regulation's defaults
    where the stored data lacks it); None without a jenjang."""
    if level is None:
        return None
    value = (coefficients or {}).get(level) or DEFAULT_CREDIT_COEFFICIENTS.get(level)
    return Decimal(value) if value is not None else None


# For the head of a unit, the unit's achievement is his or her results rating (SE 3/2023).
UNIT_TO_RESULTS = {
    UnitRating.ISTIMEWA: Rating.DI_ATAS_EKSPEKTASI,
    UnitRating.BAIK: Rating.SESUAI_EKSPEKTASI,
    UnitRating.BUTUH_PERBAIKAN: Rating.DI_BAWAH_EKSPEKTASI,
    UnitRating.KURANG: Rating.DI_BAWAH_EKSPEKTASI,
    UnitRating.SANGAT_KURANG: Rating.DI_BAWAH_EKSPEKTASI,
}


def predicate(matrix: dict[str, dict[str, str]], results: Rating, behaviour: Rating) -> Predicate:
    return Predicate(matrix[results.value][behaviour.value])


@dataclass(frozen=True)
class Breach:
    predicates: tuple[Predicate, ...]
    kind: GuideBound
    limit: float
    actual: float
    message: str
    rule: str  # the row of the guide it departs from, with its source


def guide_rule(unit_rating: UnitRating, group: list[Predicate], kind: str, limit: float) -> str:
    """One bound of the guide in words, e.g. 'SE MenPANRB 3/2023, unit Istimewa: most employees (more
    than 50 %) Sangat Baik'."""
    bound = {"max": "none" if limit == 0 else f"at most {limit:g} %", "min": f"at least {limit:g} %",
             "some": "some", "majority": f"most employees (more than {limit:g} %)"}[kind]
    return f"{GUIDE_SOURCE}, unit {UNIT_LABELS[unit_rating]}: {bound} {_label(group)}"


def _label(predicates: list[Predicate]) -> str:
    return " and/or ".join(LABELS[p] for p in predicates)


def distribution_breaches(guide: dict[str, Any], unit_rating: UnitRating, counts: dict[Predicate, int]) -> list[Breach]:
    """Every way the employees' predicate distribution departs from the guide for the unit's rating.
    A consideration shown to the assessor, not a block."""
    total = sum(counts.values())
    if total == 0:
        return []
    breaches = []
    for names, kind, limit in guide.get(unit_rating.value, []):
        group = [Predicate(n) for n in names]
        count = sum(counts.get(p, 0) for p in group)
        share = round(100 * count / total, 1)
        shown = f"{share:g} % {_label(group)}"
        if kind == "max" and share > limit:
            message = (f"{shown}, guide allows none" if limit == 0 else f"{shown}, guide allows at most {limit:g} %")
        elif kind == "min" and share < limit:
            message = f"{shown}, guide expects at least {limit:g} %"
        elif kind == "some" and count == 0:
            message = f"no {_label(group)}, guide expects some"
        elif kind == "majority" and share <= limit:
            message = f"{shown}, guide expects most employees (more than {limit:g} %)"
        else:
            continue
        breaches.append(Breach(tuple(group), GuideBound(kind), limit, share, message,
                               guide_rule(unit_rating, group, kind, limit)))
    return breaches


def credit_points(shares: dict[str, str], predicate_value: Predicate, yearly_coefficient: Decimal,
                  months: int) -> Decimal:
    """Angka kredit: predicate share x yearly coefficient, pro rata by the months of the period."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1 to 12")
    raw = Decimal(shares[predicate_value.value]) * yearly_coefficient * Decimal(months) / Decimal(12)
    return raw.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def matrix_problem(matrix: object) -> str | None:
    """A stored matrix must map every results rating and every behaviour rating to a predicate."""
    if not isinstance(matrix, dict):
        return "matrix must be a table"
    for results in Rating:
        row = matrix.get(results.value)
        if not isinstance(row, dict):
            return f"matrix lacks the row {results.value}"
        for behaviour in Rating:
            if row.get(behaviour.value) not in {p.value for p in Predicate}:
                return f"matrix[{results.value}][{behaviour.value}] must be a predicate"
    return None


# --- who may rate whom (PermenPANRB 6/2022; SE MenPANRB 3/2023) ----------------------------------

NO_EMPLOYEE_RECORD = "A login without an employee record cannot be an assessor"
SELF_ASSESSMENT = "An assessor never evaluates himself or herself"
NOT_THE_ASSESSOR = ("Only the employee's direct supervisor, or an acting assessor (Plt/Plh) HR assigned for "
                    "that supervisor, evaluates")


def assessor_problem(actor: object | None, evaluatee: object, supervisor: object | None,
                     acting_for: Collection[object]) -> str | None:
    """Why the actor (an employee id, or None for a login without one) may not assess the evaluatee,
    or None: the pejabat penilai is the direct supervisor (PermenPANRB 6/2022), or the Plt/Plh HR
    assigned for that supervisor (``acting_for``: the officials the actor acts for today). Never the
    evaluatee; never a login without an employee record."""
    if actor is None:
        return NO_EMPLOYEE_RECORD
    if actor == evaluatee:
        return SELF_ASSESSMENT
    if supervisor is not None and (actor == supervisor or supervisor in acting_for):
        return None
    return NOT_THE_ASSESSOR


OWN_UNIT = ("The head of a unit never sets its own rating: the leader of the organisation above it does "
            "(SE MenPANRB 3/2023)")
NOT_THE_UNIT_RATER = ("A unit's rating is set by the leader of the organisation above it: the head of its parent "
                      "unit or its head's direct supervisor (SE MenPANRB 3/2023)")
NOT_THE_REGIONAL_RATER = ("A top-level unit's rating is set by its head's direct supervisor or the regional "
                          "official (tenant-wide unit_performance:write) (SE MenPANRB 3/2023)")


def unit_rater_problem(actor: object | None, head: object | None, head_supervisor: object | None,
                       parent_head: object | None, top_level: bool, regional: bool) -> str | None:
    """Why the actor may not set the unit's performance rating, or None. SE MenPANRB 3/2023: the
    leader of the organisation above the unit (pimpinan organisasi di atasnya) rates it, never the
    unit's own head; for a top-level perangkat daerah, the regional official above it (``regional``:
    the actor holds the tenant-wide permission on behalf of the Sekretaris Daerah / kepala daerah)."""
    if actor is not None and actor == head:
        return OWN_UNIT
    above = {x for x in (head_supervisor, parent_head) if x is not None}
    if actor is not None and actor in above:
        return None
    if top_level:
        return None if regional else NOT_THE_REGIONAL_RATER
    return NOT_THE_UNIT_RATER


RESULTS_FROM_UNIT = ("For the head of a rated unit the results rating is the unit's achievement (SE MenPANRB "
                     "3/2023): leave resultsRating out")


def results_input_problem(unit_result: Rating | None, given: Rating | None) -> str | None:
    """No silent override: a results rating given for a head whose results follow from the unit."""
    return RESULTS_FROM_UNIT if unit_result is not None and given is not None else None


NO_APPROVED_PLAN = ("The employee has no approved SKP for {year}: evaluation follows an approved plan "
                    "(PermenPANRB 6/2022), unless HR waives it with a reason")


def plan_precondition_problem(required: bool, approved_plan: bool, waived: bool, year: int) -> str | None:
    """Evaluating a period requires an approved SKP of its year (a tenant rule, on by default), unless
    HR waived it for the employee and year."""
    if not required or approved_plan or waived:
        return None
    return NO_APPROVED_PLAN.format(year=year)


SELF_ACTING = "An official cannot be his or her own acting assessor"
ACTING_DATES = "endsOn must not be before startsOn"


def acting_problem(official: object, acting: object) -> str | None:
    """A Plt/Plh acts for someone else."""
    return SELF_ACTING if official == acting else None


def acting_dates_problem(starts_on: dt.date, ends_on: dt.date) -> str | None:
    return ACTING_DATES if ends_on < starts_on else None


# --- acknowledgement and objection (keberatan, PP 30/2019 art. 59) ------------------------------

# PP 30/2019 art. 59(1)-(2): the evaluated PNS may object, with reasons, to the superior of the
# assessor (atasan dari Pejabat Penilai Kinerja) at the latest 14 days after receiving the result;
# (3)-(4): the superior asks both for an explanation, and may change and set the result, which is
# then final. The number of days is the tenant's setting ``objection_days`` (default 14).
OBJECTION_DAYS = 14

NOT_FINAL = "Only a FINAL evaluation is acknowledged or objected to; this one is {status}"
NOT_YOURS = "Only the evaluated employee acknowledges or objects to an evaluation"
OBJECTION_LATE = ("The objection period ended {days} days after the evaluation was finalized "
                  "(PP 30/2019 art. 59)")


def receipt_problem(actor: object | None, evaluatee: object, status: str) -> str | None:
    """The evaluatee acknowledges (or objects to) a final, current evaluation."""
    if actor is None or actor != evaluatee:
        return NOT_YOURS
    if status != EvaluationStatus.FINAL.value:
        return NOT_FINAL.format(status=status)
    return None


def objection_deadline(finalized_at: dt.datetime, days: int) -> dt.datetime:
    """The last moment an objection is accepted: ``days`` days after the result was received
    (its finalization)."""
    return finalized_at + dt.timedelta(days=days)


def objection_window_problem(finalized_at: dt.datetime, now: dt.datetime, days: int) -> str | None:
    return OBJECTION_LATE.format(days=days) if now > objection_deadline(finalized_at, days) else None


NOT_THE_REVIEWER = "Only the assessor's superior decides on the objection (PP 30/2019 art. 59)"
DECISION_REASON = "A reason (1-2000 characters) is required for the decision"
ACCEPT_CHANGES = "Accepting an objection changes the result: give resultsRating and/or behaviourRating"


def decision_problem(actor: object | None, reviewer: object) -> str | None:
    return NOT_THE_REVIEWER if actor is None or actor != reviewer else None
