"""Rules of the community satisfaction survey (SKM) and the IKM (PermenPANRB 14/2017), and of
citizen feedback tickets. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kinerja.core.errors import FieldError
from kinerja.tenancy.rules import IkmWeighting

ELEMENTS = [
    "Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
    "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
    "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana",
]
SMALL_SAMPLE = 30  # the minimum sample of a unit whose population is not set
TWO = Decimal("0.01")


class Category(StrEnum):
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
    small_sample: bool  # fewer respondents than minimum_sample
    minimum_sample: int = SMALL_SAMPLE

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


def compute_ikm(element_sums: list[int], respondents: int, weighting: IkmWeighting,
                minimum: int = SMALL_SAMPLE) -> Ikm | None:
    """NRR per element = sum of scores / respondents; IKM = sum(NRR x weight); unit IKM = IKM x 25.
    EXACT weights each element 1/9 and rounds only the final value; PRINTED uses the 0.11 printed in
    the regulation (so a perfect survey converts to 99.00, not 100.00). ``minimum``: the unit's minimum
    sample (``minimum_sample``), below which the value is flagged."""
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
    return Ikm(respondents, nrr, index, converted, category(converted), respondents < minimum, minimum)


def score_problems(scores: list[int]) -> list[FieldError]:
    if len(scores) != 9:
        return [FieldError("scores", "BAD_USER_INPUT", f"Give exactly nine scores, one per element (got {len(scores)})")]
    return [FieldError(f"scores[{i}]", "BAD_USER_INPUT", f"{ELEMENTS[i]}: score must be 1, 2, 3 or 4")
            for i, s in enumerate(scores) if not 1 <= s <= 4]


class Gender(StrEnum):
    LAKI_LAKI = "LAKI_LAKI"
    PEREMPUAN = "PEREMPUAN"


class AgeRange(StrEnum):
    UNDER_20 = "UNDER_20"
    FROM_20_TO_29 = "FROM_20_TO_29"
    FROM_30_TO_39 = "FROM_30_TO_39"
    FROM_40_TO_49 = "FROM_40_TO_49"
    FROM_50 = "FROM_50"


class Education(StrEnum):
    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    D1_D3 = "D1_D3"
    S1 = "S1"
    S2_PLUS = "S2_PLUS"


class Occupation(StrEnum):
    PNS = "PNS"
    TNI_POLRI = "TNI_POLRI"
    PEGAWAI_SWASTA = "PEGAWAI_SWASTA"
    WIRAUSAHA = "WIRAUSAHA"
    PELAJAR_MAHASISWA = "PELAJAR_MAHASISWA"
    LAINNYA = "LAINNYA"


class TicketKind(StrEnum):
    FEEDBACK = "FEEDBACK"
    COMPLAINT = "COMPLAINT"


class TicketStatus(StrEnum):
    RECEIVED = "RECEIVED"
    IN_PROGRESS = "IN_PROGRESS"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


OPEN_STATUSES = (TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS)


def overdue(status: TicketStatus, due_at: dt.datetime, now: dt.datetime) -> bool:
    """Still open after its due time (the tenant's ticket SLA)."""
    return status in OPEN_STATUSES and due_at < now


@dataclass(frozen=True)
class TicketStats:
    """Complaint handling: tickets received, answered (answered or closed), overdue (still open past due)."""

    received: int
    answered: int
    overdue: int


def ticket_stats(tickets: list[tuple[TicketStatus, dt.datetime]], now: dt.datetime) -> TicketStats:
    answered = sum(1 for status, _due in tickets if status in (TicketStatus.ANSWERED, TicketStatus.CLOSED))
    late = sum(1 for status, due in tickets if overdue(status, due, now))
    return TicketStats(len(tickets), answered, late)


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


# --- survey content (PermenPANRB 14/2017, lampiran: contoh kuesioner) ----------------------------

@dataclass(frozen=True)
class SurveyQuestion:
    number: int  # the element (unsur), 1-9, in the order of ELEMENTS and of the scores
    element: str
    question: str
    answers: tuple[str, str, str, str]  # labels of the scores 1, 2, 3 and 4


# The regulation's example questionnaire asks about sarana dan prasarana before penanganan pengaduan;
# here the questions follow the nine elements' numbering (unsur 8 pengaduan, unsur 9 sarana), which is
# also the order of the scores a response sends.
SURVEY_QUESTIONS = (
    SurveyQuestion(1, ELEMENTS[0], "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan "
                   "jenis pelayanannya?", ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    SurveyQuestion(2, ELEMENTS[1], "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
                   ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    SurveyQuestion(3, ELEMENTS[2], "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
                   ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    SurveyQuestion(4, ELEMENTS[3], "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
                   ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    SurveyQuestion(5, ELEMENTS[4], "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
                   "tercantum dalam standar pelayanan dengan hasil yang diberikan?",
                   ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    SurveyQuestion(6, ELEMENTS[5], "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
                   ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    SurveyQuestion(7, ELEMENTS[6], "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
                   "kesopanan dan keramahan?",
                   ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    SurveyQuestion(8, ELEMENTS[7], "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
                   ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    SurveyQuestion(9, ELEMENTS[8], "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
                   ("Buruk", "Cukup", "Baik", "Sangat Baik")),
)
MAX_SUGGESTION = 2000


# --- submission channels and the duplicate rule ---------------------------------------------------

class SubmissionChannel(StrEnum):
    WEB = "WEB"      # anonymous, online, without a code
    KIOSK = "KIOSK"  # a registered device at the counter (its token)
    CODE = "CODE"    # a one-time code printed on the service receipt


def duplicate_check_applies(channel: SubmissionChannel) -> bool:
    """The same scores from the same client for the same service on the same day are refused only for
    anonymous web submissions: a kiosk serves many citizens from one address, who often answer alike,
    and a code is accepted once by itself."""
    return channel is SubmissionChannel.WEB


def burst_anomaly(identical_recent: int, threshold: int) -> bool:
    """A kiosk response is flagged (never dropped) when the device already sent ``threshold`` or more
    identical answers within the burst window: staff look at it, the IKM still counts it."""
    return identical_recent >= threshold


def client_hash(secret: str, tenant_id: object, day: object, ip: str) -> str:
    """The client of an anonymous submission, as abuse control may know it: a hash of its address under a
    salt that changes every day (HMAC of the server's secret, the tenant and the date), so the same
    address gives unrelated values on two days and within a tenant nothing recovers the address."""
    salt = hmac.new(secret.encode(), f"survey-salt|{tenant_id}|{day}".encode(), hashlib.sha256).digest()
    return "h:" + hmac.new(salt, ip.encode(), hashlib.sha256).hexdigest()[:32]


SURVEY_CODE_LENGTH = 10  # about 50 bits from the unambiguous alphabet
MAX_CODES_PER_BATCH = 500
KIOSK_TOKEN_PREFIX = "ksk_"  # noqa: S105 - a recognisable prefix, not a secret


def new_survey_code() -> str:
    return new_ticket_code()


def new_kiosk_token() -> str:
    """A device secret: 256 bits, shown once; only its SHA-256 is stored."""
    return KIOSK_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sample size (Krejcie & Morgan 1970, the table PermenPANRB 14/2017 refers to) ------------------

# Population N -> minimum sample S, as printed (chi-square 3.841, P = 0.5, d = 0.05).
KREJCIE_MORGAN = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265),
    (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364),
    (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380),
    (50000, 381), (75000, 382), (1000000, 384),
)


def minimum_sample(population: int | None) -> int:
    """The minimum number of respondents for a unit's population of service users per period: the
    table's row for the population, or the next larger row between two (never fewer than the table
    asks); a population under 10 is surveyed whole; without a population, the former fixed 30."""
    if population is None:
        return SMALL_SAMPLE
    if population < 10:
        return max(population, 1)
    for rows_population, sample in KREJCIE_MORGAN:
        if population <= rows_population:
            return sample
    return KREJCIE_MORGAN[-1][1]


# --- follow-up (rencana tindak lanjut) -----------------------------------------------------------

class ActionStatus(StrEnum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


FOLLOW_UP_COUNT = 3
MAX_ACTION = 1000


def weakest_elements(nrr: list[Decimal], threshold: Decimal | None) -> list[int]:
    """The elements (1-9) a follow-up plan addresses: those whose NRR is below the tenant's threshold,
    or, when none is (or no threshold is set), the three lowest; lowest first, ties by number."""
    ranked = sorted(range(len(nrr)), key=lambda i: (nrr[i], i))
    if threshold is not None:
        below = [i + 1 for i in ranked if nrr[i] < threshold]
        if below:
            return below
    return [i + 1 for i in ranked[:FOLLOW_UP_COUNT]]


def suggested_action(element: int) -> str:
    return f"Perbaikan unsur {element} ({ELEMENTS[element - 1]}): analisis penyebab nilai rendah dan tindak lanjutnya."


def action_problems(element: int, action: str, index: int) -> list[FieldError]:
    problems = []
    if not 1 <= element <= 9:
        problems.append(FieldError(f"actions[{index}].element", "BAD_USER_INPUT", "element must be 1 to 9"))
    if not action or not action.strip() or len(action) > MAX_ACTION:
        problems.append(FieldError(f"actions[{index}].action", "BAD_USER_INPUT", f"1 to {MAX_ACTION} characters"))
    return problems


# --- citizens and their tickets ------------------------------------------------------------------

class TicketEventKind(StrEnum):
    RECEIVED = "RECEIVED"
    STATUS = "STATUS"        # staff moved the ticket on
    ANSWERED = "ANSWERED"    # staff gave a public answer
    REPLIED = "REPLIED"      # the citizen replied to the answer: the ticket is open again
    RATED = "RATED"          # the citizen rated the answer


def reply_problem(status: TicketStatus) -> str | None:
    """A citizen replies to an answer: the ticket must be ANSWERED (a CLOSED ticket is final)."""
    if status is not TicketStatus.ANSWERED:
        return f"The ticket is {status.value}; a reply is possible once it is answered and until it is closed"
    return None


def rating_problem(status: TicketStatus, rating: int, already_rated: bool) -> tuple[str, str] | None:
    """(code, message) when a citizen may not rate the answer: ratings are 1-5, of an answered ticket,
    once per answer."""
    if not 1 <= rating <= 5:
        return "BAD_USER_INPUT", "rating must be 1 to 5"
    if status not in (TicketStatus.ANSWERED, TicketStatus.CLOSED):
        return "CONFLICT", f"The ticket is {status.value}; only an answer can be rated"
    if already_rated:
        return "CONFLICT", "This answer was already rated"
    return None


CROSS_UNIT = ("A ticket is assigned only to an employee of its service unit's org unit or of a unit above it")


def assignee_problem(service_org_unit: object | None, assignee_org_unit: object, parents: dict[object, object | None]) -> str | None:
    """A citizen's ticket stays in its unit: the assignee works in the service unit's org unit or one of
    the units above it (``parents``: each org unit's parent). A service unit attached to no org unit
    restricts nothing."""
    if service_org_unit is None:
        return None
    unit, seen = service_org_unit, set()
    while unit is not None and unit not in seen:
        if unit == assignee_org_unit:
            return None
        seen.add(unit)
        unit = parents.get(unit)
    return CROSS_UNIT
