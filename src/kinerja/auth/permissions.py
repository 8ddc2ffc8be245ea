"""The permission catalogue: every permission is object + action + scope.

Casbin answers whether a role holds a permission; the scope says which rows it reaches, and the
services apply it in their queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    OWN = "own"  # the user's own employee record and what belongs to it
    TEAM = "team"  # direct and indirect subordinates through the supervisor tree
    UNIT = "unit"  # the org unit of the user's employee record and its sub-units
    TENANT = "tenant"  # the whole tenant


@dataclass(frozen=True)
class Permission:
    object: str
    action: str
    scope: Scope
    description_id: str
    description_en: str

    @property
    def key(self) -> str:
        return f"{self.object}:{self.action}:{self.scope.value}"

    @property
    def casbin_act(self) -> str:
        return f"{self.action}:{self.scope.value}"


def _scoped(obj: str, action: str, scopes: list[Scope], what_id: str, what_en: str) -> list[Permission]:
    labels = {
        Scope.OWN: ("milik sendiri", "own"),
        Scope.TEAM: ("tim (bawahan)", "team (subordinates)"),
        Scope.UNIT: ("unit kerja", "org unit subtree"),
        Scope.TENANT: ("seluruh tenant", "whole tenant"),
    }
    return [
        Permission(obj, action, s, f"{what_id}: {labels[s][0]}", f"{what_en}: {labels[s][1]}")
        for s in scopes
    ]


ALL_SCOPES = [Scope.OWN, Scope.TEAM, Scope.UNIT, Scope.TENANT]

CATALOGUE: list[Permission] = [
    *_scoped("employee", "read", ALL_SCOPES, "Melihat data pegawai", "Read employee records"),
    *_scoped("employee", "manage", [Scope.TENANT], "Mengelola data pegawai", "Manage employee records"),
    *_scoped("org", "read", [Scope.TENANT], "Melihat struktur organisasi dan periode", "Read org units, positions and periods"),
    *_scoped("org", "manage", [Scope.TENANT], "Mengelola struktur organisasi dan periode", "Manage org units, positions and periods"),
    *_scoped("role", "read", [Scope.TENANT], "Melihat peran", "Read roles"),
    *_scoped("role", "manage", [Scope.TENANT], "Mengelola peran dan penugasannya", "Manage roles and assignments"),
    *_scoped("user", "manage", [Scope.TENANT], "Mengelola pengguna", "Manage users"),
    *_scoped("plan", "read", ALL_SCOPES, "Melihat SKP dan realisasinya", "Read performance plans and realisations"),
    *_scoped("plan", "write", [Scope.OWN], "Menyusun SKP dan melaporkan realisasi", "Draft own plan and report realisation"),
    *_scoped("plan", "approve", [Scope.TEAM], "Menyetujui atau mengembalikan SKP bawahan", "Approve or return subordinates' plans"),
    *_scoped("plan", "feedback", [Scope.OWN, Scope.TEAM], "Memberi umpan balik", "Give feedback"),
    *_scoped("plan", "close", [Scope.TENANT], "Menutup SKP akhir tahun", "Close plans at year end"),
    *_scoped("evaluation", "read", ALL_SCOPES, "Melihat penilaian kinerja", "Read evaluations"),
    *_scoped("evaluation", "write", [Scope.TEAM, Scope.TENANT], "Menilai kinerja pegawai",
             "Evaluate employees (team: as direct supervisor; tenant: as acting assessor)"),
    *_scoped("unit_performance", "write", [Scope.UNIT, Scope.TENANT], "Menetapkan capaian kinerja organisasi",
             "Set the unit's performance rating"),
    *_scoped("iku", "read", [Scope.TENANT], "Melihat tujuan, sasaran, IKU dan perjanjian kinerja",
             "Read strategic goals, unit indicators (IKU) and performance agreements"),
    *_scoped("iku", "manage", [Scope.UNIT, Scope.TENANT], "Menyusun IKU, targetnya dan realisasinya",
             "Plan unit indicators (IKU), their targets and realisations (tenant: also the RPJMD goals)"),
    *_scoped("iku", "sign", [Scope.OWN, Scope.TEAM], "Menandatangani perjanjian kinerja",
             "Sign performance agreements (own: as the unit head; team: as the head's superior)"),
    *_scoped("dashboard", "read", [Scope.TEAM, Scope.UNIT, Scope.TENANT], "Melihat dasbor kinerja",
             "Read performance dashboards"),
    *_scoped("training", "read", ALL_SCOPES, "Melihat riwayat pengembangan kompetensi", "Read training records"),
    *_scoped("training", "write", [Scope.OWN], "Mencatat pelatihan sendiri dan mendaftar", "Record own training, register"),
    *_scoped("training", "verify", [Scope.TENANT], "Memverifikasi pelatihan dan kehadiran", "Verify training and attendance"),
    *_scoped("training", "manage", [Scope.TENANT], "Mengelola katalog dan rekomendasi pelatihan",
             "Manage the training catalogue and recommendation rules"),
    *_scoped("feedback", "read", [Scope.OWN, Scope.UNIT, Scope.TENANT], "Melihat pengaduan dan masukan masyarakat",
             "Read citizen feedback (own: assigned to me)"),
    *_scoped("feedback", "respond", [Scope.OWN, Scope.UNIT, Scope.TENANT], "Menanggapi pengaduan dan masukan",
             "Answer and assign citizen feedback"),
    *_scoped("ikm", "read", [Scope.UNIT, Scope.TENANT], "Melihat indeks kepuasan masyarakat (IKM)",
             "Read the satisfaction index (IKM)"),
    *_scoped("survey", "manage", [Scope.UNIT, Scope.TENANT], "Mengelola kios survei, kode survei dan rencana tindak lanjut",
             "Manage survey kiosks, survey codes and follow-up plans"),
    *_scoped("settings", "read", [Scope.TENANT], "Melihat pengaturan tenant", "Read the tenant settings"),
    *_scoped("settings", "manage", [Scope.TENANT], "Mengubah pengaturan tenant yang tidak diatur berkas tenant",
             "Change the tenant settings its tenant file does not own"),
    *_scoped("notification", "read", [Scope.OWN], "Melihat notifikasi sendiri", "Read own notifications"),
    *_scoped("notification", "manage", [Scope.OWN], "Menandai notifikasi sendiri dan mengatur preferensinya",
             "Mark own notifications read and set notification preferences"),
    *_scoped("audit", "read", [Scope.TENANT], "Melihat jejak audit perubahan data", "Read the audit trail of changes"),
    *_scoped("tenant", "read", [Scope.TENANT], "Melihat tenant (operator platform)", "Read tenants (platform operators)"),
    *_scoped("tenant", "manage", [Scope.TENANT], "Mengelola tenant (operator platform)", "Manage tenants (platform operators)"),
]

BY_KEY: dict[str, Permission] = {p.key: p for p in CATALOGUE}
PLATFORM_ONLY = {"tenant:read:tenant", "tenant:manage:tenant"}


def parse(key: str) -> Permission:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown permission {key!r}") from None
