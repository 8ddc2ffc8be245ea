"""GraphQL of issued documents: the public ``verifyDocument(code)``, a public read of the tenant the
code names (gated and rate-limited as tracking a ticket is), whose verdict is ``rules.judge``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry

from kinerja.core.signing import keyring
from kinerja.documents import rules, service
from kinerja.documents.rules import DocumentKind, VerificationStatus
from kinerja.graph import sql
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


# The issued document a code names, as the verdict needs it (null for a code nobody issued).
ISSUED = sql.Dialects(
    pg="(SELECT json_build_array(d.kind, d.content, d.content_hash, d.key_id, d.signature, d.issued_at) "
       "FROM issued_document d WHERE d.tenant_id = {tenant} AND d.code = {0})",
    sqlite="(SELECT json_array(d.kind, json(d.content), d.content_hash, d.key_id, d.signature, d.issued_at) "
           "FROM issued_document d WHERE d.tenant_id = {tenant} AND d.code = {0})")
UNKNOWN = sql.Static(rules.Verdict(VerificationStatus.UNKNOWN))


def _verdict(settings, issued: list | None) -> rules.Verdict:
    if issued is None:
        return UNKNOWN.value
    kind, content, digest, key_id, signature, issued_at = issued
    when = dt.datetime.fromisoformat(issued_at).astimezone(dt.UTC)
    return rules.judge(kind, content, digest, key_id, signature, when, keyring(settings))


async def _tenant_of_code(ctx, slug: str | None) -> uuid.UUID | sql.Static:
    tenant_id = await service.code_tenant(ctx, slug)
    return UNKNOWN if tenant_id is None else tenant_id


async def _spends_code_limit(ctx, tenant_id: uuid.UUID) -> sql.Limit:
    return sql.Limit(*await service.code_spend(ctx, tenant_id))


@strawberry.type
class DocumentQuery:
    @sql.builder(description="Public: verify an issued document by the code printed on it (the code "
                             "names its tenant and is itself the proof of access; no login).", tenant_argument=True)
    def verify_document(self, code: Annotated[str, strawberry.argument(
            description="Kode verifikasi, e.g. `bungo.ABCDEFGHIJKLMNOP`.")]) -> DocumentVerification:
        slug, random_part = rules.split_code(code) or (None, "")
        verdict = sql.Value(_verdict, (sql.Input(ISSUED, (f"{slug}.{random_part}",)),), settings=True)
        return sql.Public(verdict, sql.NamedTenant(slug, _tenant_of_code, _spends_code_limit))  # type: ignore[return-value]  # a described read: the compiler answers its specification
