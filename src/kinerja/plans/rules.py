"""Rules of the performance plan (SKP): the workflow state machine, BerAKHLAK values, targets and
progress. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from enum import StrEnum

from kinerja.core.errors import Conflict, FieldError


class PlanStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    RETURNED = "RETURNED"  # sent back by the approver with a reason; edited like a draft
    APPROVED = "APPROVED"
    SUPERSEDED = "SUPERSEDED"  # an approved plan replaced by the approval of a newer revision
    CLOSED = "CLOSED"


class PlanEventKind(StrEnum):
    """What a live event of a plan reports."""
    PLAN_CREATED = "PLAN_CREATED"
    PLAN_SUBMITTED = "PLAN_SUBMITTED"
    PLAN_APPROVED = "PLAN_APPROVED"
    PLAN_RETURNED = "PLAN_RETURNED"
    PLAN_REVISED = "PLAN_REVISED"
    REALISATION_RECORDED = "REALISATION_RECORDED"
    REALISATION_UPDATED = "REALISATION_UPDATED"
    FEEDBACK_GIVEN = "FEEDBACK_GIVEN"


class Approach(StrEnum):
    KUANTITATIF = "KUANTITATIF"
    KUALITATIF = "KUALITATIF"


class ResultKind(StrEnum):
    UTAMA = "UTAMA"
    TAMBAHAN = "TAMBAHAN"


class Aspect(StrEnum):
    KUANTITAS = "KUANTITAS"
    KUALITAS = "KUALITAS"
    WAKTU = "WAKTU"
    BIAYA = "BIAYA"


class Aggregation(StrEnum):
    """How periodic realisations make an indicator's year to date (individual indicators and IKU)."""

    SUM = "SUM"
    LAST = "LAST"
    AVERAGE = "AVERAGE"
    MAX = "MAX"


# The year to date of an individual indicator by its aspect, unless the indicator names its own rule:
# quantities and costs add up over the periods, quality and time are the mean of the periods reported.
DEFAULT_AGGREGATION: dict[Aspect, Aggregation] = {
    Aspect.KUANTITAS: Aggregation.SUM,
    Aspect.KUALITAS: Aggregation.AVERAGE,
    Aspect.WAKTU: Aggregation.AVERAGE,
    Aspect.BIAYA: Aggregation.SUM,
}


def aggregate(values: list[Decimal], how: Aggregation) -> Decimal | None:
    """The year-to-date value of periodic values in period order; None when none is reported."""
    if not values:
        return None
    if how is Aggregation.SUM:
        return sum(values, Decimal(0))
    if how is Aggregation.LAST:
        return values[-1]
    if how is Aggregation.MAX:
        return max(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))


def indicator_aggregation(aspect: Aspect, chosen: Aggregation | None) -> Aggregation:
    return chosen if chosen is not None else DEFAULT_AGGREGATION[aspect]


class BerakhlakValue(StrEnum):
    BERORIENTASI_PELAYANAN = "BERORIENTASI_PELAYANAN"
    AKUNTABEL = "AKUNTABEL"
    KOMPETEN = "KOMPETEN"
    HARMONIS = "HARMONIS"
    LOYAL = "LOYAL"
    ADAPTIF = "ADAPTIF"
    KOLABORATIF = "KOLABORATIF"


class Transition(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REVISE = "revise"
    CLOSE = "close"


# (from, transition) -> to
_TRANSITIONS: dict[tuple[PlanStatus, Transition], PlanStatus] = {
    (PlanStatus.DRAFT, Transition.SUBMIT): PlanStatus.SUBMITTED,
    (PlanStatus.RETURNED, Transition.SUBMIT): PlanStatus.SUBMITTED,
    (PlanStatus.SUBMITTED, Transition.APPROVE): PlanStatus.APPROVED,
    (PlanStatus.SUBMITTED, Transition.RETURN): PlanStatus.RETURNED,
    (PlanStatus.APPROVED, Transition.REVISE): PlanStatus.APPROVED,  # the old one stays; a new draft appears
    (PlanStatus.APPROVED, Transition.CLOSE): PlanStatus.CLOSED,
}

EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
_PAST = {Transition.SUBMIT: "submitted", Transition.APPROVE: "approved", Transition.RETURN: "returned",
         Transition.REVISE: "revised", Transition.CLOSE: "closed"}


def next_status(current: PlanStatus, transition: Transition) -> PlanStatus:
    """The state after ``transition``; an illegal one is a CONFLICT naming the current state."""
    try:
        return _TRANSITIONS[(current, transition)]
    except KeyError:
        if any(to is current for (_state, t), to in _TRANSITIONS.items() if t is transition):
            raise Conflict(f"The plan is already {current.value} (it cannot be {_PAST[transition]} again)",
                           field="id") from None
        allowed = ", ".join(sorted(t.value for (state, t) in _TRANSITIONS if state is current))
        raise Conflict(f"Cannot {transition.value} a plan that is {current.value}; allowed now: {allowed}" if allowed
                       else f"Cannot {transition.value} a plan that is {current.value}", field="id") from None


def require_editable(status: PlanStatus) -> None:
    if status not in EDITABLE:
        raise Conflict(f"The plan is {status.value}: only a DRAFT or RETURNED plan can be edited "
                       "(an approved plan changes through a new revision)", field="planId")


MAX_TEXT = 2000


def text_problem(field: str, value: str | None, *, required: bool, max_len: int = MAX_TEXT) -> FieldError | None:
    if value is None or not value.strip():
        return FieldError(field, "BAD_USER_INPUT", f"{field} must not be empty") if required else None
    if len(value) > max_len:
        return FieldError(field, "BAD_USER_INPUT", f"{field} must be at most {max_len} characters")
    return None


def target_problems(aspect: Aspect, value: Decimal | None, unit: str | None, text: str | None) -> list[FieldError]:
    """An indicator target is a value with a unit (e.g. 12 dokumen, 100 %) or, for qualitative
    targets, a text."""
    problems = []
    if value is None and not (text and text.strip()):
        problems.append(FieldError("targetValue", "BAD_USER_INPUT", "Give a target value (with a unit) or a target text"))
    if value is not None:
        if not value.is_finite() or value < 0:
            problems.append(FieldError("targetValue", "BAD_USER_INPUT", "Target value must be a number of at least 0"))
        elif value > Decimal("1e12"):
            problems.append(FieldError("targetValue", "BAD_USER_INPUT", "Target value is too large"))
        if not unit or not unit.strip():
            problems.append(FieldError("targetUnit", "BAD_USER_INPUT", "A target value needs a unit (e.g. dokumen, %, bulan)"))
    if unit is not None and len(unit) > 40:
        problems.append(FieldError("targetUnit", "BAD_USER_INPUT", "Unit must be at most 40 characters"))
    if text is not None and len(text) > 500:
        problems.append(FieldError("targetText", "BAD_USER_INPUT", "Target text must be at most 500 characters"))
    return problems


def realisation_problems(value: Decimal | None, narrative: str | None) -> list[FieldError]:
    problems = []
    if value is None and not (narrative and narrative.strip()):
        problems.append(FieldError("value", "BAD_USER_INPUT", "Give a realised value or a narrative"))
    if value is not None and (not value.is_finite() or value < 0 or value > Decimal("1e12")):
        problems.append(FieldError("value", "BAD_USER_INPUT", "Realised value must be a number from 0 to 10^12"))
    if narrative is not None and len(narrative) > 5000:
        problems.append(FieldError("narrative", "BAD_USER_INPUT", "Narrative must be at most 5000 characters"))
    return problems


def achievement(aspect: Aspect, target: Decimal | None, realised: Decimal | None) -> Decimal | None:
    """Share of the target reached, 0..1. For WAKTU and BIAYA the target is a ceiling: staying at or
    under it is full achievement. None when there is nothing numeric to compare."""
    if target is None or realised is None:
        return None
    if aspect in (Aspect.WAKTU, Aspect.BIAYA):
        if realised <= target:
            return Decimal(1)
        return max(Decimal(0), min(Decimal(1), target / realised)) if realised else Decimal(1)
    if target == 0:
        return Decimal(1)
    return max(Decimal(0), min(Decimal(1), realised / target))


def submission_problem(results: list[tuple[object, ResultKind]], with_indicators: Collection[object]) -> str | None:
    """A plan is submitted with at least one main RHK, and every RHK (main and additional) measured by at
    least one indicator (PermenPANRB 6/2022: each RHK has its indikator kinerja individu)."""
    if not any(kind is ResultKind.UTAMA for _id, kind in results):
        return "A plan needs at least one main (UTAMA) result target, each with an indicator"
    if any(result_id not in with_indicators for result_id, _kind in results):
        return "Every result target (RHK) needs at least one indicator before the plan is submitted"
    return None
