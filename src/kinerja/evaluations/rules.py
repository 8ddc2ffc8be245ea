"""Rules of evaluation (PermenPANRB 6/2022, SE MenPANRB 3/2023, Peraturan BKN 3/2023): the
predicate matrix, the distribution guide and credit points. Pure functions over rule data that
is stored per tenant and year, so a changed regulation is a data change."""

from __future__ import annotations

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


class EvaluationStatus(StrEnum):
    DRAFT = "DRAFT"
    FINAL = "FINAL"
    CORRECTED = "CORRECTED"  # a final evaluation replaced by a newer version


class GuideBound(StrEnum):
    """The kind of a bound of the distribution guide, as the guide data spells it."""
    MAX = "max"    # at most so many percent
    MIN = "min"    # at least so many percent
    SOME = "some"  # at least one


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

# unit rating -> bounds on the share (percent) of employees' predicates (SE MenPANRB 3/2023).
# Each bound: (predicates, "max" | "min", percent); "min" 0 < x means "some" (at least one).
DEFAULT_GUIDE: dict[str, list[tuple[list[str], str, float]]] = {
    "ISTIMEWA": [(["SANGAT_BAIK"], "max", 70)],
    "BAIK": [(["BAIK"], "max", 70), (["BUTUH_PERBAIKAN", "KURANG_MISCONDUCT"], "some", 0)],
    "BUTUH_PERBAIKAN": [(["BUTUH_PERBAIKAN"], "min", 60), (["SANGAT_BAIK"], "max", 10)],
    "KURANG": [(["KURANG_MISCONDUCT"], "min", 60), (["BUTUH_PERBAIKAN"], "min", 10), (["SANGAT_BAIK"], "max", 10)],
    "SANGAT_KURANG": [(["SANGAT_KURANG"], "min", 60), (["KURANG_MISCONDUCT", "BUTUH_PERBAIKAN"], "min", 10),
                      (["SANGAT_BAIK"], "max", 0)],
}

# predicate -> share of the yearly credit-point coefficient (Peraturan BKN 3/2023)
DEFAULT_CREDIT_SHARES: dict[str, str] = {
    "SANGAT_BAIK": "1.50", "BAIK": "1.00", "BUTUH_PERBAIKAN": "0.75", "KURANG_MISCONDUCT": "0.50",
    "SANGAT_KURANG": "0.25",
}

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
        else:
            continue
        breaches.append(Breach(tuple(group), GuideBound(kind), limit, share, message))
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
