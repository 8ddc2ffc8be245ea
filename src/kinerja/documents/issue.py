"""The common path of every official PDF: its content (a dict of exactly what it prints, in JSON
types) is issued and signed (``service.issue``), then rendered with the tenant's letterhead and the
verification QR. The content carries ``jenis`` (the kind), ``penerbit`` (the issuing government),
``subjek`` (whom or what it is about) and ``tanggal`` (its date): what the verify page shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kinerja.core import clock
from kinerja.core.context import RequestContext
from kinerja.core.dates import tanggal
from kinerja.core.pdf import Document, Letterhead, Verification, decode_logo
from kinerja.core.signing import SigningUnavailable
from kinerja.documents import service
from kinerja.documents.rules import DocumentKind
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings


async def header(ctx: RequestContext, kind: DocumentKind, subject: str) -> dict[str, Any]:
    """The content every document starts with: its kind, issuer, subject, place and date."""
    tenant = await Tenant.get(id=ctx.require_tenant())
    settings = TenantSettings.from_dict(tenant.settings)
    return {"jenis": kind.value, "penerbit": tenant.name, "subjek": subject,
            "tempat": settings.document_place or place_of(tenant.name), "tanggal": tanggal(clock.today_in(settings.timezone))}


def place_of(name: str) -> str:
    """The place printed before a date when the tenant set none: its name without the government's kind."""
    for prefix in ("Pemerintah Kabupaten ", "Pemerintah Kota ", "Pemerintah Provinsi ", "Kabupaten ", "Kota ",
                   "Provinsi "):
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix):]
    return name


async def letterhead(ctx: RequestContext) -> Letterhead:
    tenant = await Tenant.get(id=ctx.require_tenant())
    settings = TenantSettings.from_dict(tenant.settings)
    return Letterhead(tenant.name, settings.letterhead, decode_logo(settings.logo))


async def signed_pdf(ctx: RequestContext, request: Request, kind: DocumentKind, subject_id: uuid.UUID,
                     subject_key: str, content: dict[str, Any], render: Callable[[Document, dict[str, Any]], None],
                     title: str, subtitle: str, file_name: str, *, landscape: bool = False) -> Response:
    """Issue (or find) the document, render it from its content, and answer the PDF."""
    try:
        issued = await service.issue(ctx, kind, subject_id, subject_key, content, str(request.base_url))
    except SigningUnavailable:
        # Production without KINERJA_SIGNING_KEY: nothing was written; no unsigned document is served.
        return JSONResponse({"error": "Documents are not available: no signing key is configured"},
                            status_code=503)
    document = Document(await letterhead(ctx), title, subtitle, landscape=landscape)
    render(document, content)
    body = document.finish(Verification(issued.url, issued.code, issued.content_hash))
    return Response(body, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{file_name}"', "x-verification-code": issued.code})


def angka(value: Any) -> str:
    """A number as Indonesian documents print it: decimal comma, no trailing zeros (12,5; 100)."""
    if value is None:
        return "-"
    text = format(value.normalize() if hasattr(value, "normalize") else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


async def identity(ctx: RequestContext, employee_id: uuid.UUID | None) -> dict[str, str]:
    """The identity block of an employee (nama, NIP, jabatan, unit kerja); dashes for nobody."""
    from kinerja.org.models import Employee, OrgUnit, Position  # noqa: PLC0415 - the org area, read here only

    tenant_id = ctx.require_tenant()
    employee = await Employee.get_or_none(id=employee_id, tenant_id=tenant_id) if employee_id else None
    if employee is None:
        return {"nama": "-", "nip": "", "jabatan": "-", "unit": "-"}
    position = (await Position.get_or_none(id=employee.position_id, tenant_id=tenant_id)
                if employee.position_id else None)
    unit = await OrgUnit.get(id=employee.org_unit_id, tenant_id=tenant_id)
    return {"nama": employee.name, "nip": employee.nip, "jabatan": position.name if position else "-",
            "unit": unit.name}


def identity_rows(person: dict[str, str]) -> list[tuple[str, object]]:
    return [("Nama", person["nama"]), ("NIP", person["nip"] or "-"), ("Jabatan", person["jabatan"]),
            ("Unit kerja", person["unit"])]
