"""Rules of the community satisfaction survey (SKM) and the IKM (PermenPANRB 14/2017), and of
citizen feedback tickets. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from kinerja.core.errors import FieldError
from kinerja.tenancy.rules import IkmWeighting

ELEMENTS = [
    "Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
    "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
    "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana",
]
SMALL_SAMPLE = 30  # below this many respondents the index is shown with a warning
TWO = Decimal("0.01")


class Category(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


CATEGORY_LABELS = {Category.A: "Sangat Baik", Category.B: "Baik", Category.C: "Kurang Baik", Category.D: "Tidak Baik"}


def category(converted: Decimal) -> Category:
    """Categories on the converted value rounded to two decimals (the regulation's intervals)."""
    if converted >= Decimal("88.31"):
        return Category.A
    if converted >= Decimal("76.61"):
        return Category.B
    if converted >= Decimal("65.00"):
        return Category.C
    return Category.D


@dataclass(frozen=True)
class Ikm:
    respondents: int
    nrr: list[Decimal]  # per element, unrounded
    index: Decimal  # IKM on the 1-4 scale, unrounded
    converted: Decimal  # IKM x 25, rounded to 2 decimals
    category: Category
    small_sample: bool

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


def compute_ikm(element_sums: list[int], respondents: int, weighting: IkmWeighting) -> Ikm | None:
    """NRR per element = sum of scores / respondents; IKM = sum(NRR x weight); unit IKM = IKM x 25.
    EXACT weights each element 1/9 and rounds only the final value; PRINTED uses the 0.11 printed in
    the regulation (so a perfect survey converts to 99.00, not 100.00)."""
    if respondents <= 0:
        return None
    if len(element_sums) != 9:
        raise ValueError("nine element sums are needed")
    nrr = [Decimal(s) / Decimal(respondents) for s in element_sums]
    if weighting is IkmWeighting.PRINTED:
        index = sum((n * Decimal("0.11") for n in nrr), Decimal(0))
    else:
        index = sum(nrr, Decimal(0)) / Decimal(9)
    converted = (index * 25).quantize(TWO, rounding=ROUND_HALF_UP)
    return Ikm(respondents, nrr, index, converted, category(converted), respondents < SMALL_SAMPLE)


def score_problems(scores: list[int]) -> list[FieldError]:
    if len(scores) != 9:
        return [FieldError("scores", "BAD_USER_INPUT", f"Give exactly nine scores, one per element (got {len(scores)})")]
    return [FieldError(f"scores[{i}]", "BAD_USER_INPUT", f"{ELEMENTS[i]}: score must be 1, 2, 3 or 4")
            for i, s in enumerate(scores) if not 1 <= s <= 4]


class Gender(str, Enum):
    LAKI_LAKI = "LAKI_LAKI"
    PEREMPUAN = "PEREMPUAN"


class AgeRange(str, Enum):
    UNDER_20 = "UNDER_20"
    FROM_20_TO_29 = "FROM_20_TO_29"
    FROM_30_TO_39 = "FROM_30_TO_39"
    FROM_40_TO_49 = "FROM_40_TO_49"
    FROM_50 = "FROM_50"


class Education(str, Enum):
    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    D1_D3 = "D1_D3"
    S1 = "S1"
    S2_PLUS = "S2_PLUS"


class Occupation(str, Enum):
    PNS = "PNS"
    TNI_POLRI = "TNI_POLRI"
    PEGAWAI_SWASTA = "PEGAWAI_SWASTA"
    WIRAUSAHA = "WIRAUSAHA"
    PELAJAR_MAHASISWA = "PELAJAR_MAHASISWA"
    LAINNYA = "LAINNYA"


class TicketKind(str, Enum):
    FEEDBACK = "FEEDBACK"
    COMPLAINT = "COMPLAINT"


class TicketStatus(str, Enum):
    RECEIVED = "RECEIVED"
    IN_PROGRESS = "IN_PROGRESS"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class TicketStats:
    """Complaint handling: tickets received, answered (answered or closed), overdue (still open past due)."""

    received: int
    answered: int
    overdue: int


def ticket_stats(tickets: list[tuple[TicketStatus, dt.datetime]], now: dt.datetime) -> TicketStats:
    answered = sum(1 for status, _due in tickets if status in (TicketStatus.ANSWERED, TicketStatus.CLOSED))
    overdue = sum(1 for status, due in tickets if status in (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS) and due < now)
    return TicketStats(len(tickets), answered, overdue)


MAX_MESSAGE = 4000
MAX_CONTACT = 200
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_ticket_code() -> str:
    """A ticket code a citizen can read out: 10 characters, about 50 bits, never sequential."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    text = "".join(c for c in code.upper() if c.isalnum())[:10]
    return f"{text[:5]}-{text[5:]}" if len(text) == 10 else ""


# Years a public report may name: the data of the product starts this century; anything else is a typo
# or a probe (and years beyond 9999 are not dates at all).
REPORT_YEARS = range(2000, 2101)


def report_year_problem(year: int) -> str | None:
    if year not in REPORT_YEARS:
        return f"year must be between {REPORT_YEARS.start} and {REPORT_YEARS.stop - 1}"
    return None


def suppress(count: int, minimum: int = 5) -> int | None:
    """Small cells are withheld from public reports, so no individual can be recognised."""
    return count if count >= minimum else None
