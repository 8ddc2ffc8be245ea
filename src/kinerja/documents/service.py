"""Issuing and verifying documents.

``issue`` signs a document's content (a JSON-able dict of exactly what the PDF shows) and records it
once per subject and content: the same content issued again answers the same row and code. The row
is written in the request's transaction, serialised on its natural key (``lock_key``), and audited.

``verify`` is public: the code names its tenant (``<slug>.<random>``) and is itself the capability;
it is gated and rate-limited as the other public reads are.
It answers GENUINE only when the stored content still hashes to the stored hash and the signature
over it verifies with a known key; ALTERED otherwise; UNKNOWN for a code nobody issued."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kinerja.citizen.service import public_gate, track_spend
from kinerja.core import audit, clock, ratelimit
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import NotFound
from kinerja.core.once import lock_key
from kinerja.core.signing import content_hash, keyring
from kinerja.documents.models import IssuedDocument
from kinerja.documents.rules import DocumentKind, Verdict, VerificationStatus, judge, new_code, split_code
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings


@dataclass(frozen=True)
class Issued:
    code: str
    content_hash: str
    url: str


def public_base(settings: TenantSettings, request_base: str) -> str:
    return (settings.public_base_url or request_base).rstrip("/")


async def issue(ctx: RequestContext, kind: DocumentKind, subject_id: uuid.UUID, subject_key: str,
                content: dict[str, Any], base_url: str) -> Issued:
    """The document's registry entry (created and signed on first issue), inside the request's
    transaction. ``content`` must hold only JSON types (strings, whole numbers, lists, objects)."""
    tenant_id = ctx.require_tenant()
    digest = content_hash(content)
    await lock_key("issued_document", tenant_id, kind.value, subject_key, digest)
    row = await IssuedDocument.get_or_none(tenant_id=tenant_id, kind=kind, subject_key=subject_key,
                                           content_hash=digest)
    tenant = await Tenant.get(id=tenant_id)
    if row is None:
        key_id, signature = keyring(ctx.settings).sign(content)
        actor = ctx.require_actor()
        audit.begin("issueDocument")  # recorded by the route's collector (``auth/http.py: scoped_response``)
        row = await IssuedDocument.create(
            tenant_id=tenant_id, code=new_code(tenant.slug), kind=kind, subject_key=subject_key,
            subject_id=subject_id, issued_by_id=actor.user_id, issued_at=clock.now(), content_hash=digest,
            content=content, signature=signature, key_id=key_id)
    settings = TenantSettings.from_dict(tenant.settings)
    return Issued(row.code, digest, f"{public_base(settings, base_url)}/verify/{row.code}")


async def code_tenant(ctx: RequestContext, slug: str | None) -> uuid.UUID | None:
    """The tenant a verification code's slug names, through the gate of every public read; None for
    a malformed code (no slug) or a slug no tenant has: such a code is simply unknown."""
    if slug is None:
        return None
    try:
        return await public_gate(ctx, slug)
    except NotFound:
        return None


async def code_spend(ctx: RequestContext, tenant_id: uuid.UUID) -> tuple[str, int, int]:
    """The limit a verification spends: the tenant's limit on naming things by a code from one address."""
    return await track_spend(ctx, tenant_id)


async def verify(ctx: RequestContext, code: str) -> Verdict:
    """What the verify page and ``verifyDocument`` answer for a code. The code's slug names the tenant
    as a public read's slug does (``citizen/service.py: public_gate``: the tenant, then the origin
    check); the transaction is bound to it for nobody, and the request spends the tenant's limit on
    naming things by a code from one address (``track_limit``, as tracking a ticket does)."""
    slug, random_part = split_code(code) or (None, "")
    tenant_id = await code_tenant(ctx, slug)
    if tenant_id is None:
        return Verdict(VerificationStatus.UNKNOWN)
    conn = connection()
    await switch_tenant(conn, tenant_id)
    await ratelimit.spend(conn.execute_query_dict, conn.capabilities.dialect == "postgres", tenant_id,
                          *await code_spend(ctx, tenant_id))
    row = await IssuedDocument.get_or_none(tenant_id=tenant_id, code=f"{slug}.{random_part}")
    if row is None:
        return Verdict(VerificationStatus.UNKNOWN)
    return judge(row.kind, row.content, row.content_hash, row.key_id, row.signature, row.issued_at,
                 keyring(ctx.settings))
