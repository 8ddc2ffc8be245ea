"""Issued documents: kinds, verification codes and statuses (pure, no I/O)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kinerja.core.signing import Keyring, content_hash


class DocumentKind(StrEnum):
    SKP = "SKP"  # Sasaran Kinerja Pegawai (PermenPANRB 6/2022 annex)
    EVALUATION = "EVALUATION"  # Dokumen Evaluasi Kinerja Pegawai
    UNIT_PREDICATES = "UNIT_PREDICATES"  # Penetapan predikat kinerja of a unit (SE MenPANRB 3/2023)
    PAK = "PAK"  # Penetapan angka kredit statement
    IKU_REPORT = "IKU_REPORT"  # Laporan capaian IKU of a unit and year


KIND_TITLES = {
    DocumentKind.SKP: "Sasaran Kinerja Pegawai",
    DocumentKind.EVALUATION: "Dokumen Evaluasi Kinerja Pegawai",
    DocumentKind.UNIT_PREDICATES: "Penetapan Predikat Kinerja Pegawai",
    DocumentKind.PAK: "Penetapan Angka Kredit",
    DocumentKind.IKU_REPORT: "Laporan Capaian Indikator Kinerja Utama",
}


class VerificationStatus(StrEnum):
    GENUINE = "GENUINE"
    ALTERED = "ALTERED"
    UNKNOWN = "UNKNOWN"


RANDOM_BYTES = 10  # 80 bits: 16 base32 characters, not guessable
MAX_CODE_LENGTH = 63 + 1 + 16


def new_code(tenant_slug: str) -> str:
    """``<tenant slug>.<random base32>``: the slug names the tenant, the rest is the capability."""
    return f"{tenant_slug}.{base64.b32encode(secrets.token_bytes(RANDOM_BYTES)).decode()}"


def split_code(code: str) -> tuple[str, str] | None:
    """(slug, random part) of a well-formed code, else None (answered like an unknown code)."""
    text = (code or "").strip()
    if len(text) > MAX_CODE_LENGTH:
        return None
    slug, dot, rest = text.partition(".")
    if not dot or not slug or len(rest) != 16 or not rest.isascii() or not rest.isalnum():
        return None
    return slug.lower(), rest.upper()


# Panduan perilaku of each core value (PermenPANRB 6/2022 annex, after SE MenPANRB 20/2021).
BERAKHLAK_GUIDE = {
    "BERORIENTASI_PELAYANAN": "Memahami dan memenuhi kebutuhan masyarakat; ramah, cekatan, solutif dan dapat "
                              "diandalkan; melakukan perbaikan tiada henti.",
    "AKUNTABEL": "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin dan berintegritas tinggi; "
                 "menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif dan efisien; "
                 "tidak menyalahgunakan kewenangan jabatan.",
    "KOMPETEN": "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah; membantu orang lain "
                "belajar; melaksanakan tugas dengan kualitas terbaik.",
    "HARMONIS": "Menghargai setiap orang apapun latar belakangnya; suka menolong orang lain; membangun lingkungan "
                "kerja yang kondusif.",
    "LOYAL": "Memegang teguh ideologi Pancasila, UUD 1945, setia kepada NKRI serta pemerintahan yang sah; menjaga "
             "nama baik sesama ASN, pimpinan, instansi dan negara; menjaga rahasia jabatan dan negara.",
    "ADAPTIF": "Cepat menyesuaikan diri menghadapi perubahan; terus berinovasi dan mengembangkan kreativitas; "
               "bertindak proaktif.",
    "KOLABORATIF": "Memberi kesempatan kepada berbagai pihak untuk berkontribusi; terbuka dalam bekerja sama untuk "
                   "menghasilkan nilai tambah; menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama.",
}


@dataclass(frozen=True)
class Verdict:
    status: VerificationStatus
    kind: DocumentKind | None = None
    issuer: str | None = None
    subject: str | None = None
    issued_at: dt.datetime | None = None
    date: str | None = None
    content_hash: str | None = None

    @property
    def valid(self) -> bool:
        return self.status is VerificationStatus.GENUINE


def judge(kind: str, content: Any, digest: str, key_id: str, signature: str, issued_at: dt.datetime,
          keys: Keyring) -> Verdict:
    """The verdict on an issued document as stored: GENUINE only when its content still hashes to
    its hash, names its kind, and carries a signature a known key verifies; else ALTERED."""
    document_kind = DocumentKind(kind)
    content = content if isinstance(content, dict) else {}
    genuine = (content_hash(content) == digest and content.get("jenis") == document_kind.value
               and keys.verify(content, key_id, signature))
    if not genuine:
        return Verdict(VerificationStatus.ALTERED, kind=document_kind)
    return Verdict(VerificationStatus.GENUINE, kind=document_kind, issuer=str(content.get("penerbit", "")),
                   subject=str(content.get("subjek", "")), issued_at=issued_at, date=str(content.get("tanggal", "")),
                   content_hash=digest)
