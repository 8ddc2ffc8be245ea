"""Which state changes notify whom, and the texts of notifications. Pure functions, no I/O."""

from __future__ import annotations

import string
from enum import StrEnum
from typing import Any

INDONESIAN = "id"

class NotificationKind(StrEnum):
    PLAN_SUBMITTED = "PLAN_SUBMITTED"
    PLAN_RETURNED = "PLAN_RETURNED"
    PLAN_APPROVED = "PLAN_APPROVED"
    FEEDBACK_GIVEN = "FEEDBACK_GIVEN"
    EVALUATION_FINALISED = "EVALUATION_FINALISED"
    OBJECTION_FILED = "OBJECTION_FILED"
    OBJECTION_DECIDED = "OBJECTION_DECIDED"
    TRAINING_VERIFIED = "TRAINING_VERIFIED"
    TRAINING_REJECTED = "TRAINING_REJECTED"
    TICKET_ASSIGNED = "TICKET_ASSIGNED"
    PLAN_DUE = "PLAN_DUE"
    REALISATION_DUE = "REALISATION_DUE"
    EVALUATION_DUE = "EVALUATION_DUE"
    TICKET_OVERDUE = "TICKET_OVERDUE"


# Kinds raised by a state change the audit collector observed: (object type, field, value after) ->
# kind; None as the value: any new value (an assignment), "created": the row was created.
CHANGE_KINDS: dict[tuple[str, str], dict[Any, str]] = {
    ("PerformancePlan", "status"): {"SUBMITTED": "PLAN_SUBMITTED", "RETURNED": "PLAN_RETURNED",
                                    "APPROVED": "PLAN_APPROVED"},
    ("Feedback", "body"): {"created": "FEEDBACK_GIVEN"},
    ("Evaluation", "status"): {"FINAL": "EVALUATION_FINALISED"},
    ("EvaluationObjection", "status"): {"created": "OBJECTION_FILED", "ACCEPTED": "OBJECTION_DECIDED",
                                        "REJECTED": "OBJECTION_DECIDED"},
    ("TrainingRecord", "status"): {"VERIFIED": "TRAINING_VERIFIED", "REJECTED": "TRAINING_REJECTED"},
    ("FeedbackTicket", "assigned_to_id"): {None: "TICKET_ASSIGNED"},
}

KINDS = frozenset(kind.value for kind in NotificationKind)


def kind_of(object_type: str | None, changes: dict[str, dict[str, Any]]) -> str | None:
    """The notification kind of one audited change of one object, or None."""
    for (type_name, field_name), kinds in CHANGE_KINDS.items():
        if type_name != object_type or field_name not in changes:
            continue
        change = changes[field_name]
        before, after = change.get("before"), change.get("after")
        if before is None and "created" in kinds:
            return kinds["created"]
        if after is not None and after != before:
            if None in kinds:
                return kinds[None]
            if after in kinds:
                return kinds[after]
    return None


# Title and body of each kind, English and Indonesian; placeholders are the notification's params
# (service values: a year, a status, a date), never text a user typed.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "PLAN_SUBMITTED": {"en": ("Plan submitted", "{employee} submitted the {year} performance plan for your approval."),
                       "id": ("SKP diajukan", "{employee} mengajukan SKP {year} untuk Anda setujui.")},
    "PLAN_RETURNED": {"en": ("Plan returned", "Your {year} performance plan was returned for revision."),
                      "id": ("SKP dikembalikan", "SKP {year} Anda dikembalikan untuk diperbaiki.")},
    "PLAN_APPROVED": {"en": ("Plan approved", "Your {year} performance plan was approved."),
                      "id": ("SKP disetujui", "SKP {year} Anda telah disetujui.")},
    "FEEDBACK_GIVEN": {"en": ("New feedback", "{employee} gave feedback on the {year} performance plan."),
                       "id": ("Umpan balik baru", "{employee} memberi umpan balik atas SKP {year}.")},
    "EVALUATION_FINALISED": {"en": ("Evaluation finalised", "Your performance evaluation was finalised."),
                             "id": ("Evaluasi ditetapkan", "Evaluasi kinerja Anda telah ditetapkan.")},
    "OBJECTION_FILED": {"en": ("Objection filed", "{employee} filed an objection to an evaluation."),
                        "id": ("Keberatan diajukan", "{employee} mengajukan keberatan atas hasil evaluasi.")},
    "OBJECTION_DECIDED": {"en": ("Objection decided", "Your objection was decided: {status}."),
                          "id": ("Keberatan diputuskan", "Keberatan Anda telah diputuskan: {status}.")},
    "TRAINING_VERIFIED": {"en": ("Training verified", "Your training record was verified."),
                          "id": ("Pengembangan kompetensi diverifikasi", "Catatan pengembangan kompetensi Anda telah diverifikasi.")},
    "TRAINING_REJECTED": {"en": ("Training rejected", "Your training record was rejected."),
                          "id": ("Pengembangan kompetensi ditolak", "Catatan pengembangan kompetensi Anda ditolak.")},
    "TICKET_ASSIGNED": {"en": ("Ticket assigned", "Citizen ticket {code} was assigned to you."),
                        "id": ("Tiket ditugaskan", "Tiket masyarakat {code} ditugaskan kepada Anda.")},
    "PLAN_DUE": {"en": ("Plan not submitted", "Submit your {year} performance plan: the deadline was {deadline}."),
                 "id": ("SKP belum diajukan", "Ajukan SKP {year} Anda: batas waktunya {deadline}.")},
    "REALISATION_DUE": {"en": ("Realisation missing", "Report the realisation of period {period}: it ended on {deadline}."),
                        "id": ("Realisasi belum diisi", "Isi realisasi periode {period}: periode berakhir {deadline}.")},
    "EVALUATION_DUE": {"en": ("Evaluation due", "{employee} is waiting for the evaluation of period {period}."),
                       "id": ("Evaluasi jatuh tempo", "{employee} menunggu evaluasi periode {period}.")},
    "TICKET_OVERDUE": {"en": ("Ticket overdue", "Citizen ticket {code} is past its service level (due {deadline})."),
                       "id": ("Tiket terlambat", "Tiket masyarakat {code} melewati batas layanan (jatuh tempo {deadline}).")},
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def render(kind: str, params: dict[str, Any] | None, language: str) -> tuple[str, str]:
    """(title, body) of a notification in ``language`` (English unless Indonesian)."""
    texts = TEXTS.get(kind)
    if texts is None:
        return kind, ""
    title, body = texts[INDONESIAN if language == INDONESIAN else "en"]
    values = _Blank({k: ("-" if v is None else v) for k, v in (params or {}).items()})
    return title, string.Formatter().vformat(body, (), values)
