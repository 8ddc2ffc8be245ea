"""Pure rules, property-tested: NIP validation, period generation, tenant settings."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.org.rules import PeriodKind, nip_problem, periods_for_year, top_level_units
from kinerja.tenancy.rules import PeriodScheme, TenantSettings


@st.composite
def valid_nips(draw):
    birth = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)))
    appointed = draw(st.integers(min_value=birth.year + 15, max_value=2099))
    month = draw(st.integers(1, 12))
    sex = draw(st.sampled_from("12"))
    serial = draw(st.integers(1, 999))
    return f"{birth:%Y%m%d}{appointed:04d}{month:02d}{sex}{serial:03d}"


@given(valid_nips())
def test_valid_nips_pass(nip):
    assert nip_problem(nip) is None


@given(valid_nips(), st.integers(0, 17), st.sampled_from("abX -"))
def test_any_non_digit_fails(nip, position, char):
    assert nip_problem(nip[:position] + char + nip[position + 1:]) is not None


@given(st.text(max_size=30).filter(lambda s: len(s) != 18))
def test_wrong_length_fails(text):
    assert nip_problem(text) == "NIP must be exactly 18 digits"


@pytest.mark.parametrize("nip", [
    "198013012005011001",  # month 13
    "198002302005011001",  # 30 February
    "198001012005131001",  # appointment month 13
    "198001011990011001",  # appointed at 10
    "198001012005013001",  # sex digit 3
    "198001012005011000",  # serial 000
])
def test_invalid_nip_parts(nip):
    assert nip_problem(nip) is not None


@given(st.integers(2000, 2100), st.sampled_from(list(PeriodScheme)))
def test_periods_cover_the_year_without_gaps(year, scheme):
    periods = periods_for_year(year, scheme)
    annual = [p for p in periods if p.kind is PeriodKind.ANNUAL]
    periodic = [p for p in periods if p.kind is not PeriodKind.ANNUAL]
    assert len(annual) == 1 and annual[0].starts_on == dt.date(year, 1, 1) and annual[0].ends_on == dt.date(year, 12, 31)
    assert len(periodic) == {"MONTHLY": 12, "QUARTERLY": 4, "SEMESTER": 2}[scheme.value]
    assert periodic[0].starts_on == dt.date(year, 1, 1) and periodic[-1].ends_on == dt.date(year, 12, 31)
    for before, after in itertools.pairwise(periodic):
        assert after.starts_on == before.ends_on + dt.timedelta(days=1)
    assert [p.sequence for p in periodic] == list(range(1, len(periodic) + 1))


def test_settings_defaults_and_errors():
    settings = TenantSettings.from_dict({})
    assert (settings.jp_target_pns, settings.jp_target_pppk, settings.ikm_weighting.value) == (20, 24, "EXACT")
    for bad in [{"jp_target_pns": -1}, {"jp_target_pns": True}, {"ikm_weighting": "ROUGH"}, {"x": 1}]:
        with pytest.raises(ValueError):
            TenantSettings.from_dict(bad)


from kinerja.core.errors import Conflict  # noqa: E402
from kinerja.plans.rules import EDITABLE, PlanStatus, Transition, next_status  # noqa: E402


@given(st.sampled_from(list(PlanStatus)), st.sampled_from(list(Transition)))
def test_every_transition_is_either_legal_or_a_conflict_naming_the_state(status, transition):
    try:
        after = next_status(status, transition)
    except Conflict as exc:
        assert status.value in exc.message
        return
    assert after in PlanStatus
    if transition is Transition.SUBMIT:
        assert status in EDITABLE and after is PlanStatus.SUBMITTED


def test_the_workflow_path():
    state = PlanStatus.DRAFT
    for transition, expected in [(Transition.SUBMIT, PlanStatus.SUBMITTED), (Transition.RETURN, PlanStatus.RETURNED),
                                 (Transition.SUBMIT, PlanStatus.SUBMITTED), (Transition.APPROVE, PlanStatus.APPROVED),
                                 (Transition.CLOSE, PlanStatus.CLOSED)]:
        state = next_status(state, transition)
        assert state is expected
    with pytest.raises(Conflict, match="CLOSED"):
        next_status(state, Transition.SUBMIT)


def test_every_unit_belongs_to_its_top_level_ancestor():
    parents = {"dinkes": None, "bidang": "dinkes", "seksi": "bidang", "puskesmas": "seksi", "camat": None}
    assert top_level_units(parents) == {"dinkes": "dinkes", "bidang": "dinkes", "seksi": "dinkes",
                                        "puskesmas": "dinkes", "camat": "camat"}
    assert top_level_units({}) == {}


def test_every_development_need_found_is_a_recommendation_trigger():
    """The GraphQL enum of development needs lists every key the recommendations' statement can give
    (training/graphql.py: a predicate of PREDICATE_TRIGGERS, a BerAKHLAK value or ANY, the JP shortfall),
    and nothing else."""
    from kinerja.evaluations.rules import Predicate
    from kinerja.plans.rules import BerakhlakValue
    from kinerja.training.rules import PREDICATE_TRIGGERS, RecommendationTrigger

    assert set(PREDICATE_TRIGGERS) <= {p.value for p in Predicate}

    found = {f"PREDICATE:{p}" for p in PREDICATE_TRIGGERS} | {f"BEHAVIOUR:{v.value}" for v in BerakhlakValue}
    found |= {"BEHAVIOUR:ANY", "JP_SHORTFALL"}
    assert found == {trigger.value for trigger in RecommendationTrigger}
    assert all(trigger.value.replace(":", "_") == trigger.name for trigger in RecommendationTrigger)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
       st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2095, 12, 31)))
def test_contract_years_follow_each_other_from_the_contract_start(contract_start, day):
    """PP 49/2018 art. 40(1): the JP cap counts per year of the employment contract (masa perjanjian
    kerja), from its start: the contract year containing a day is one year long and holds the day."""
    from kinerja.training.rules import contract_year

    begins, ends = contract_year(contract_start, day)
    assert begins >= contract_start and begins.month == contract_start.month
    assert 364 <= (ends - begins).days <= 365
    if day >= contract_start:
        assert begins <= day <= ends
        following = contract_year(contract_start, ends + dt.timedelta(days=1))
        assert following[0] == ends + dt.timedelta(days=1)


def test_jp_rules_cap_window_and_attendance():
    """PP 49/2018 art. 40(1) (PPPK cap per contract year), PP 17/2020 art. 203(4) (PNS target per
    calendar year); attendance is confirmed from the event's first day."""
    from kinerja.training.rules import (
        JpRule,
        anniversary,
        attendance_problem,
        cap_problem,
        progress_window,
        shortfall,
    )

    assert anniversary(dt.date(2024, 2, 29), 2025) == dt.date(2025, 2, 28)
    assert anniversary(dt.date(2024, 2, 29), 2028) == dt.date(2028, 2, 28)
    assert progress_window(JpRule.TARGET_CALENDAR_YEAR, 2026, dt.date(2024, 7, 1)) == (
        dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert progress_window(JpRule.CAP_CONTRACT_YEAR, 2026, dt.date(2024, 7, 1)) == (
        dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert progress_window(JpRule.CAP_CONTRACT_YEAR, 2026, None) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert cap_problem(24, 16, 8, dt.date(2026, 7, 1), dt.date(2027, 6, 30)) is None
    assert "24 JP" in cap_problem(24, 20, 8, dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert (shortfall(JpRule.TARGET_CALENDAR_YEAR, 20, 12), shortfall(JpRule.CAP_CONTRACT_YEAR, 24, 12)) == (8, 0)
    assert attendance_problem(dt.date(2026, 5, 1), dt.date(2026, 5, 2)) is not None
    assert attendance_problem(dt.date(2026, 5, 2), dt.date(2026, 5, 2)) is None
