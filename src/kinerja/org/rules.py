"""Rules of the organisation: NIP, positions, periods. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from kinerja.core.dates import MONTHS
from kinerja.tenancy.rules import PeriodScheme

K = TypeVar("K", bound=Hashable)


class EmploymentType(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class PositionKind(StrEnum):
    JPT = "JPT"  # jabatan pimpinan tinggi
    ADMINISTRATOR = "ADMINISTRATOR"
    PENGAWAS = "PENGAWAS"
    PELAKSANA = "PELAKSANA"
    FUNGSIONAL = "FUNGSIONAL"


class FunctionalLevel(StrEnum):
    """Jenjang jabatan fungsional: the grade whose yearly credit coefficient Peraturan BKN 3/2023 fixes."""

    AHLI_PERTAMA = "AHLI_PERTAMA"
    AHLI_MUDA = "AHLI_MUDA"
    AHLI_MADYA = "AHLI_MADYA"
    AHLI_UTAMA = "AHLI_UTAMA"
    PEMULA = "PEMULA"
    TERAMPIL = "TERAMPIL"
    MAHIR = "MAHIR"
    PENYELIA = "PENYELIA"


class OrgUnitKind(StrEnum):
    SEKRETARIAT = "SEKRETARIAT"
    DINAS = "DINAS"
    BADAN = "BADAN"
    KANTOR = "KANTOR"
    INSPEKTORAT = "INSPEKTORAT"
    KECAMATAN = "KECAMATAN"
    KELURAHAN = "KELURAHAN"
    NAGARI = "NAGARI"
    BAGIAN = "BAGIAN"
    BIDANG = "BIDANG"
    SUBBAGIAN = "SUBBAGIAN"
    SEKSI = "SEKSI"
    UPT = "UPT"


class EmployeeExitReason(StrEnum):
    """Why an employee left (pemberhentian): the record stays, inactive, with its history."""

    RETIRED = "RETIRED"  # pensiun (batas usia pensiun)
    RESIGNED = "RESIGNED"  # berhenti atas permintaan sendiri
    DECEASED = "DECEASED"  # meninggal dunia
    DISMISSED = "DISMISSED"  # diberhentikan (tidak dengan hormat, or at the end of a PPPK contract)
    TRANSFERRED_OUT = "TRANSFERRED_OUT"  # pindah ke instansi lain
    CONTRACT_ENDED = "CONTRACT_ENDED"  # PPPK: perjanjian kerja not extended


class PeriodKind(StrEnum):
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    SEMESTER = "SEMESTER"
    ANNUAL = "ANNUAL"


def top_level_units(parents: Mapping[K, K | None]) -> dict[K, K]:
    """Each org unit's top-level ancestor (its perangkat daerah; itself when it has no parent), from
    every unit's parent."""
    top: dict[K, K] = {}
    for unit in parents:
        path = [unit]
        while (parent := parents.get(path[-1])) is not None and path[-1] not in top:
            path.append(parent)
        root = top.get(path[-1], path[-1])
        for step in path:
            top[step] = root
    return top


def nip_problem(nip: object) -> str | None:
    """Check an 18-digit NIP: birth date (8), appointment year and month (6), sex (1: 1 or 2),
    serial (3). Returns what is wrong, or None."""
    if not isinstance(nip, str) or len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        return "NIP must be exactly 18 digits"
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return "NIP digits 1-8 must be a valid birth date (YYYYMMDD)"
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12:
        return "NIP digits 13-14 must be the appointment month (01-12)"
    if appointed_year < birth.year + 15:
        return "NIP digits 9-12 (appointment year) must be at least 15 years after birth"
    if nip[14] not in "12":
        return "NIP digit 15 must be 1 (male) or 2 (female)"
    if nip[15:18] == "000":
        return "NIP digits 16-18 (serial number) must not be 000"
    return None


@dataclass(frozen=True)
class PeriodSpec:
    kind: PeriodKind
    sequence: int
    name: str
    starts_on: dt.date
    ends_on: dt.date


_ROMAN = ["I", "II", "III", "IV"]


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def periods_for_year(year: int, scheme: PeriodScheme) -> list[PeriodSpec]:
    """The periodic assessment periods of a year per the tenant's scheme, plus the annual one."""
    if not 2000 <= year <= 2100:
        raise ValueError("year must be between 2000 and 2100")
    months_per_period = {
        PeriodScheme.MONTHLY: 1,
        PeriodScheme.QUARTERLY: 3,
        PeriodScheme.SEMESTER: 6,
    }[scheme]
    kind = PeriodKind(scheme.value)
    specs = []
    for sequence, first_month in enumerate(range(1, 13, months_per_period), start=1):
        last_month = first_month + months_per_period - 1
        if scheme is PeriodScheme.MONTHLY:
            name = f"{MONTHS[first_month - 1]} {year}"
        elif scheme is PeriodScheme.QUARTERLY:
            name = f"Triwulan {_ROMAN[sequence - 1]} {year}"
        else:
            name = f"Semester {_ROMAN[sequence - 1]} {year}"
        specs.append(
            PeriodSpec(kind, sequence, name, dt.date(year, first_month, 1), _month_end(year, last_month))
        )
    specs.append(PeriodSpec(PeriodKind.ANNUAL, 1, f"Tahunan {year}", dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return specs


def supervisor_cycles(supervisor_of: dict[str, str | None]) -> list[list[str]]:
    """The loops in a supervisor relation (employee -> supervisor), each once, in chain order from
    its smallest key. A chain that leaves the relation (a supervisor with no entry) ends there."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for start in sorted(supervisor_of):
        path: list[str] = []
        node: str | None = start
        while node is not None and node in supervisor_of and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = supervisor_of[node]
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node):]
            first = loop.index(min(loop))
            cycles.append(loop[first:] + loop[:first])
        for visited in path:
            state[visited] = 2
    return cycles


def supervisor_cycle_problem(employee: K, supervisor: K | None, above_supervisor: AbstractSet[K]) -> str | None:
    """Whether making ``supervisor`` the direct supervisor of ``employee`` closes a loop in the
    supervisor tree, given everyone above ``supervisor`` now."""
    if supervisor is None:
        return None
    if supervisor == employee:
        return "An employee cannot be their own supervisor"
    if employee in above_supervisor:
        return "The supervisor chosen reports to this employee: the supervisor chain would be a loop"
    return None


def day_problem(day: dt.date | None) -> str | None:
    """A day of an employee's or a unit's history: within 1900-2100 (SIASN's dates are)."""
    if day is not None and not dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31):
        return "The date must be between 1900 and 2100"
    return None
