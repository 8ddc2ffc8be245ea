"""The evaluation rules on worked examples: matrix, distribution guide, credit points."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.evaluations.rules import (
    DEFAULT_CREDIT_SHARES,
    DEFAULT_GUIDE,
    DEFAULT_MATRIX,
    Predicate,
    Rating,
    UnitRating,
    credit_points,
    distribution_breaches,
    matrix_problem,
    predicate,
)

P = Predicate


def test_default_matrix_is_complete():
    assert matrix_problem(DEFAULT_MATRIX) is None


@given(st.sampled_from(list(Rating)), st.sampled_from(list(Rating)))
def test_better_ratings_never_give_a_worse_predicate(results, behaviour):
    order = [P.SANGAT_BAIK, P.BAIK, P.BUTUH_PERBAIKAN, P.KURANG_MISCONDUCT, P.SANGAT_KURANG]
    ranks = [Rating.DI_ATAS_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI, Rating.DI_BAWAH_EKSPEKTASI]
    here = predicate(DEFAULT_MATRIX, results, behaviour)
    if ranks.index(behaviour) > 0:
        better = predicate(DEFAULT_MATRIX, results, ranks[ranks.index(behaviour) - 1])
        assert order.index(better) <= order.index(here)


@pytest.mark.parametrize(("unit", "counts", "messages"), [
    (UnitRating.ISTIMEWA, {P.SANGAT_BAIK: 18, P.BAIK: 7}, ["72 % Sangat Baik, guide allows at most 70 %"]),
    (UnitRating.ISTIMEWA, {P.SANGAT_BAIK: 7, P.BAIK: 3}, []),
    (UnitRating.BAIK, {P.BAIK: 8, P.SANGAT_BAIK: 2}, ["80 % Baik, guide allows at most 70 %",
                                                      "no Butuh Perbaikan and/or Kurang/Misconduct, guide expects some"]),
    (UnitRating.BAIK, {P.BAIK: 6, P.SANGAT_BAIK: 3, P.BUTUH_PERBAIKAN: 1}, []),
    (UnitRating.BUTUH_PERBAIKAN, {P.BUTUH_PERBAIKAN: 5, P.SANGAT_BAIK: 2, P.BAIK: 3},
     ["50 % Butuh Perbaikan, guide expects at least 60 %", "20 % Sangat Baik, guide allows at most 10 %"]),
    (UnitRating.KURANG, {P.KURANG_MISCONDUCT: 6, P.BUTUH_PERBAIKAN: 1, P.SANGAT_BAIK: 2, P.BAIK: 1},
     ["20 % Sangat Baik, guide allows at most 10 %"]),
    (UnitRating.KURANG, {P.KURANG_MISCONDUCT: 7, P.BAIK: 3},
     ["0 % Butuh Perbaikan, guide expects at least 10 %"]),
    (UnitRating.SANGAT_KURANG, {P.SANGAT_KURANG: 6, P.KURANG_MISCONDUCT: 1, P.SANGAT_BAIK: 1, P.BAIK: 2},
     ["10 % Sangat Baik, guide allows none"]),
    (UnitRating.SANGAT_KURANG, {P.SANGAT_KURANG: 5, P.BAIK: 5},
     ["50 % Sangat Kurang, guide expects at least 60 %",
      "0 % Kurang/Misconduct and/or Butuh Perbaikan, guide expects at least 10 %"]),
    # "sebagian besar": most employees, not only at most 70 %
    (UnitRating.ISTIMEWA, {P.SANGAT_BAIK: 4, P.BAIK: 6},
     ["40 % Sangat Baik, guide expects most employees (more than 50 %)"]),
    (UnitRating.ISTIMEWA, {P.SANGAT_BAIK: 5, P.BAIK: 5},
     ["50 % Sangat Baik, guide expects most employees (more than 50 %)"]),
    (UnitRating.BAIK, {P.BAIK: 4, P.SANGAT_BAIK: 5, P.BUTUH_PERBAIKAN: 1},
     ["40 % Baik, guide expects most employees (more than 50 %)"]),
])
def test_distribution_guide_breaches(unit, counts, messages):
    """SE MenPANRB 3/2023: the distribution of employees' predicates per organisational predicate."""
    assert [b.message for b in distribution_breaches(DEFAULT_GUIDE, unit, counts)] == messages


def test_each_breach_names_its_row_of_the_guide():
    """SE MenPANRB 3/2023: a breach explains itself with the guide's row and source."""
    [breach] = distribution_breaches(DEFAULT_GUIDE, UnitRating.ISTIMEWA, {P.SANGAT_BAIK: 4, P.BAIK: 6})
    assert breach.rule == "SE MenPANRB 3/2023, unit Istimewa: most employees (more than 50 %) Sangat Baik"
    [breach] = distribution_breaches(DEFAULT_GUIDE, UnitRating.SANGAT_KURANG,
                                     {P.SANGAT_KURANG: 6, P.KURANG_MISCONDUCT: 1, P.SANGAT_BAIK: 1, P.BAIK: 2})
    assert breach.rule == "SE MenPANRB 3/2023, unit Sangat Kurang: none Sangat Baik"


@pytest.mark.parametrize(("pred", "coefficient", "months", "expected"), [
    (P.BAIK, Decimal("12.5"), 12, Decimal("12.500")),  # Ahli Pertama, a full year
    (P.SANGAT_BAIK, Decimal("25"), 12, Decimal("37.500")),  # Ahli Muda: 150 %
    (P.BUTUH_PERBAIKAN, Decimal("37.5"), 6, Decimal("14.063")),  # Ahli Madya, a semester: 0.75*37.5/2
    (P.KURANG_MISCONDUCT, Decimal("8"), 3, Decimal("1.000")),  # Terampil, a quarter: 0.5*8/4
    (P.SANGAT_KURANG, Decimal("50"), 1, Decimal("1.042")),  # Ahli Utama, a month: 0.25*50/12
])
def test_credit_points_worked_examples(pred, coefficient, months, expected):
    assert credit_points(DEFAULT_CREDIT_SHARES, pred, coefficient, months) == expected
