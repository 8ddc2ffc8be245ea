"""IKM on constructed datasets with hand-checked results, both conventions, every boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.citizen.rules import Category, category, compute_ikm, new_ticket_code, normalise_code, score_problems
from kinerja.tenancy.rules import IkmWeighting

EXACT, PRINTED = IkmWeighting.EXACT, IkmWeighting.PRINTED


def test_all_fours_exact_is_100_and_printed_is_99():
    sums = [40] * 9  # ten respondents, all 4
    exact, printed = compute_ikm(sums, 10, EXACT), compute_ikm(sums, 10, PRINTED)
    assert (exact.converted, exact.category) == (Decimal("100.00"), Category.A)
    assert (printed.converted, printed.category) == (Decimal("99.00"), Category.A)
    assert exact.small_sample


def test_hand_checked_mixed_dataset():
    # 4 respondents; element sums 13, 12, 11, 16, 10, 14, 15, 9, 12 -> NRR 3.25, 3, 2.75, 4, 2.5, 3.5, 3.75, 2.25, 3
    sums = [13, 12, 11, 16, 10, 14, 15, 9, 12]
    exact = compute_ikm(sums, 4, EXACT)
    # sum NRR = 28.0; /9 = 3.1111...; x25 = 77.777... -> 77.78 (B)
    assert exact.converted == Decimal("77.78") and exact.category is Category.B
    printed = compute_ikm(sums, 4, PRINTED)
    # 28.0 x 0.11 = 3.08; x25 = 77.00 (B)
    assert printed.converted == Decimal("77.00") and printed.category is Category.B


@pytest.mark.parametrize(("value", "expected"), [
    ("64.99", Category.D), ("65.00", Category.C), ("76.60", Category.C), ("76.61", Category.B),
    ("88.30", Category.B), ("88.31", Category.A), ("25.00", Category.D), ("100.00", Category.A),
])
def test_category_boundaries(value, expected):
    assert category(Decimal(value)) is expected


def test_boundaries_reached_through_datasets():
    # 100 respondents: element sums chosen so that sum(NRR)/9*25 lands on the boundary values.
    def exact(total_points):  # total of all 9 element sums over 100 respondents
        base, extra = divmod(total_points, 9)
        sums = [base + (1 if i < extra else 0) for i in range(9)]
        return compute_ikm(sums, 100, EXACT)

    # converted = total_points / 100 / 9 * 25 = total_points / 36
    assert exact(2340).converted == Decimal("65.00") and exact(2340).category is Category.C
    assert exact(2339).converted == Decimal("64.97") and exact(2339).category is Category.D
    assert exact(2758).converted == Decimal("76.61") and exact(2758).category is Category.B
    assert exact(2757).converted == Decimal("76.58") and exact(2757).category is Category.C
    assert exact(3179).converted == Decimal("88.31") and exact(3179).category is Category.A
    assert exact(3178).converted == Decimal("88.28") and exact(3178).category is Category.B


def test_nothing_without_respondents_and_score_validation():
    assert compute_ikm([0] * 9, 0, EXACT) is None
    assert score_problems([4] * 9) == []
    assert [p.field for p in score_problems([0, 4, 4, 4, 5, 4, 4, 4, 4])] == ["scores[0]", "scores[4]"]
    assert score_problems([4] * 8)[0].field == "scores"


def test_ticket_codes_are_readable_and_normalised():
    code = new_ticket_code()
    assert len(code) == 11 and code[5] == "-" and normalise_code(code.lower().replace("-", " ")) == code
    assert normalise_code("short") == ""


# --- sample size, follow-up, channels (issue 20) ---------------------------------------------------

def _krejcie_morgan(population: int) -> float:
    chi2, p, d = 3.841, 0.5, 0.05
    return chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))


def test_every_row_of_the_krejcie_morgan_table_is_the_rounded_formula():
    from kinerja.citizen.rules import KREJCIE_MORGAN

    assert len(KREJCIE_MORGAN) == 90
    assert [n for n, _s in KREJCIE_MORGAN] == sorted(n for n, _s in KREJCIE_MORGAN)
    assert all(round(_krejcie_morgan(n)) == s for n, s in KREJCIE_MORGAN)


@pytest.mark.parametrize(("population", "sample"), [
    (None, 30), (1, 1), (9, 9), (10, 10), (11, 14), (100, 80), (101, 86), (1000, 278), (10000, 370),
    (75000, 382), (75001, 384), (10**8, 384)])
def test_the_minimum_sample_is_the_tables_row_or_the_next_larger(population, sample):
    from kinerja.citizen.rules import minimum_sample

    assert minimum_sample(population) == sample


def test_the_small_sample_flag_follows_the_minimum():
    sums = [4 * 80] * 9
    assert compute_ikm(sums, 80, IkmWeighting.EXACT, 80).small_sample is False
    assert compute_ikm(sums[:], 79, IkmWeighting.EXACT, 80).small_sample is True
    assert compute_ikm(sums, 80, IkmWeighting.EXACT).minimum_sample == 30


def test_the_weakest_elements_are_those_below_the_threshold_or_the_three_lowest():
    from kinerja.citizen.rules import weakest_elements

    nrr = [Decimal(x) for x in ("3.5", "2.9", "3.1", "4", "2.5", "3.2", "3.9", "2.9", "3.3")]
    assert weakest_elements(nrr, None) == [5, 2, 8]  # ties by number
    assert weakest_elements(nrr, Decimal("3.15")) == [5, 2, 8, 3]
    assert weakest_elements(nrr, Decimal("2")) == [5, 2, 8]  # none below: the three lowest


def test_only_anonymous_web_submissions_are_checked_for_duplicates():
    from kinerja.citizen.rules import SubmissionChannel, burst_anomaly, duplicate_check_applies

    assert [duplicate_check_applies(c) for c in SubmissionChannel] == [True, False, False]
    assert (burst_anomaly(9, 10), burst_anomaly(10, 10)) == (False, True)


def test_ratings_and_replies_follow_the_tickets_state():
    from kinerja.citizen.rules import TicketStatus, rating_problem, reply_problem

    assert reply_problem(TicketStatus.ANSWERED) is None
    assert reply_problem(TicketStatus.CLOSED) and reply_problem(TicketStatus.RECEIVED)
    assert rating_problem(TicketStatus.CLOSED, 5, False) is None
    assert rating_problem(TicketStatus.ANSWERED, 0, False)[0] == "BAD_USER_INPUT"
    assert rating_problem(TicketStatus.IN_PROGRESS, 3, False)[0] == "CONFLICT"
    assert rating_problem(TicketStatus.ANSWERED, 3, True)[0] == "CONFLICT"
