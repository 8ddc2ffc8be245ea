"""GraphQL of issued documents: the public ``verifyDocument(code)`` (resolver mode: a public root
field of its own, answered by ``service.verify`` in the transaction bound to the tenant the code
names)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.documents import service
from kinerja.documents.rules import DocumentKind, VerificationStatus
from kinerja.graph.enums import described

described(DocumentKind, "Jenis dokumen: the kinds of official documents issued and signed.", {
    "SKP": "Sasaran Kinerja Pegawai (PermenPANRB 6/2022 annex).",
    "EVALUATION": "Dokumen Evaluasi Kinerja Pegawai.",
    "UNIT_PREDICATES": "Penetapan predikat kinerja pegawai of a unit and period (SE MenPANRB 3/2023).",
    "PAK": "Penetapan angka kredit: the credit points of an employee.",
    "IKU_REPORT": "Laporan capaian IKU of a unit and year.",
})
described(VerificationStatus, "What a verification code says about its document.", {
    "GENUINE": "Asli: issued here, its record unchanged and its signature valid.",
    "ALTERED": "Tidak valid / telah diubah: its record no longer matches its signature.",
    "UNKNOWN": "Tidak dikenal: no document was issued with this code.",
})


@strawberry.type(description="What a verification code proves: only what the document itself shows.")
class DocumentVerification:
    valid: bool = strawberry.field(description="True only for a genuine document.")
    status: VerificationStatus = strawberry.field(description="Genuine, altered or unknown.")
    kind: DocumentKind | None = strawberry.field(description="Jenis dokumen (null for an unknown code).")
    issuer: str | None = strawberry.field(description="Penerbit: the issuing government (genuine documents only).")
    subject: str | None = strawberry.field(description="Subjek: whom or what the document is about, as printed "
                                                       "(genuine documents only).")
    issued_at: dt.datetime | None = strawberry.field(description="When it was first issued (genuine documents "
                                                                 "only).")
    content_hash: str | None = strawberry.field(description="SHA-256 of the document's canonical content, as "
                                                            "printed on it (genuine documents only).")


@strawberry.type
class DocumentQuery:
    @strawberry.field(description="Public: verify an issued document by the code printed on it (the code "
                                  "names its tenant and is itself the proof of access; no login).")
    async def verify_document(self, info: Info, code: Annotated[str, strawberry.argument(
            description="Kode verifikasi, e.g. `bungo.ABCDEFGHIJKLMNOP`.")]) -> DocumentVerification:
        verdict = await service.verify(info.context, code)
        return DocumentVerification(
            valid=verdict.valid, status=verdict.status, kind=verdict.kind,
            issuer=verdict.issuer, subject=verdict.subject, issued_at=verdict.issued_at,
            content_hash=verdict.content_hash)
