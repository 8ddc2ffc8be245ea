"""The survey at the counter: kiosks (devices known by a token shown once) and batches of one-time
survey codes printed as QR codes on receipts. Staff with ``survey:manage`` of the service unit."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import segno
from fpdf import FPDF

from kinerja.citizen import rules
from kinerja.citizen.models import Service, ServiceUnit, SurveyCode, SurveyCodeBatch, SurveyKiosk
from kinerja.citizen.scoping import unit_in_reach
from kinerja.core import clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kinerja.core.pdf import latin
from kinerja.tenancy.models import Tenant, tenant_settings


@dataclass(frozen=True)
class RegisteredKiosk:
    kiosk: SurveyKiosk
    token: str  # shown once: only its hash is stored


async def register_kiosk(ctx: RequestContext, service_unit_id: uuid.UUID | None, name: str) -> RegisteredKiosk:
    unit = await unit_in_reach(ctx, "survey", "manage", service_unit_id)
    if not name or not name.strip() or len(name) > 200:
        raise ValidationFailed([FieldError("name", "BAD_USER_INPUT", "name must be 1-200 characters")])
    # One active kiosk of a name per unit: the same registration sent twice makes one device.
    await once.lock_key("survey-kiosk", unit.tenant_id, unit.id, name.strip())
    if await SurveyKiosk.exists(tenant_id=unit.tenant_id, service_unit_id=unit.id, name=name.strip(),
                                revoked_at__isnull=True):
        raise Conflict("The service unit already has an active kiosk of this name", field="name")
    token = rules.new_kiosk_token()
    kiosk = await SurveyKiosk.create(tenant_id=unit.tenant_id, service_unit_id=unit.id, name=name.strip(),
                                     token_hash=rules.token_hash(token))
    return RegisteredKiosk(kiosk, token)


async def revoke_kiosk(ctx: RequestContext, kiosk_id: uuid.UUID | None) -> SurveyKiosk:
    tenant_id = ctx.require_tenant()
    await ctx.require("survey", "manage")
    kiosk = await once.locked(SurveyKiosk.filter(tenant_id=tenant_id, id=kiosk_id)) if kiosk_id else None
    if kiosk is None:
        raise NotFound("Kiosk not found", field="id")
    await unit_in_reach(ctx, "survey", "manage", kiosk.service_unit_id)
    if kiosk.revoked_at is not None:
        raise Conflict("The kiosk is already revoked", field="id")
    kiosk.revoked_at = clock.now()
    await kiosk.save()
    return kiosk


async def issue_codes(ctx: RequestContext, service_id: uuid.UUID | None, count: int) -> SurveyCodeBatch:
    tenant_id = ctx.require_tenant()
    await ctx.require("survey", "manage")
    if not 1 <= count <= rules.MAX_CODES_PER_BATCH:
        raise ValidationFailed([FieldError("count", "BAD_USER_INPUT",
                                           f"count must be 1 to {rules.MAX_CODES_PER_BATCH}")])
    service = await Service.get_or_none(id=service_id, tenant_id=tenant_id, active=True) if service_id else None
    if service is None:
        raise NotFound("Service not found", field="serviceId")
    await unit_in_reach(ctx, "survey", "manage", service.service_unit_id)
    batch = await SurveyCodeBatch.create(tenant_id=tenant_id, service_id=service.id,
                                         service_unit_id=service.service_unit_id, count=count)
    codes = {rules.new_survey_code() for _ in range(count)}
    while len(codes) < count:
        codes.add(rules.new_survey_code())
    # A code already in the tenant (about 2^-50 per pair) fails the unique key: CONFLICT, nothing kept.
    await SurveyCode.bulk_create([SurveyCode(tenant_id=tenant_id, batch_id=batch.id, service_id=service.id, code=c)
                                  for c in sorted(codes)])
    return batch


@dataclass(frozen=True)
class PrintableBatch:
    tenant: Tenant
    service: Service
    unit: ServiceUnit
    codes: list[str]
    page_url: str


async def printable_batch(ctx: RequestContext, batch_id: uuid.UUID) -> PrintableBatch:
    tenant_id = ctx.require_tenant()
    await ctx.require("survey", "manage")
    batch = await SurveyCodeBatch.get_or_none(id=batch_id, tenant_id=tenant_id)
    if batch is None:
        raise NotFound("Survey code batch not found")
    service = await Service.get(id=batch.service_id, tenant_id=tenant_id)
    unit = await unit_in_reach(ctx, "survey", "manage", service.service_unit_id)
    codes: list[Any] = await SurveyCode.filter(tenant_id=tenant_id, batch_id=batch.id, used_at__isnull=True) \
        .order_by("code").values_list("code", flat=True)
    settings = await tenant_settings(tenant_id)
    return PrintableBatch(await Tenant.get(id=tenant_id), service, unit, list(codes), settings.survey_page_url)


def survey_link(page_url: str, slug: str, code: str) -> str:
    """What a code's QR holds: the tenant's survey page with the tenant and the code, or, without a page
    configured, the code itself (a kiosk or the frontend's scanner reads it)."""
    if not page_url:
        return code
    return f"{page_url}{'&' if '?' in page_url else '?'}{urlencode({'tenant': slug, 'code': code})}"


COLUMNS, ROWS = 3, 4  # twelve cut-out cards per A4 page


def codes_pdf(batch: PrintableBatch) -> bytes:
    """An A4 sheet of cards to cut and staple to receipts: the QR code, the code in letters, the service."""
    pdf = FPDF(format="A4")
    pdf.set_title("Kode survei kepuasan masyarakat")
    pdf.set_auto_page_break(False)
    width, height = (210 - 20) / COLUMNS, (297 - 20) / ROWS
    for index, code in enumerate(batch.codes):
        if index % (COLUMNS * ROWS) == 0:
            pdf.add_page()
        column, row = index % COLUMNS, (index // COLUMNS) % ROWS
        x, y = 10 + column * width, 10 + row * height
        pdf.set_draw_color(180)
        pdf.rect(x, y, width, height)
        image = io.BytesIO()
        segno.make(survey_link(batch.page_url, batch.tenant.slug, code), error="m").save(image, kind="png", scale=8,
                                                                                          border=2)
        image.seek(0)
        pdf.image(image, x=x + (width - 40) / 2, y=y + 4, w=40, h=40)
        pdf.set_xy(x, y + 46)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(width, 6, code, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(width, 4, latin(f"Survei Kepuasan Masyarakat\n{batch.service.name}\n{batch.unit.name}"),
                       align="C")
    if not batch.codes:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 10, "Semua kode pada batch ini sudah digunakan.")
    return bytes(pdf.output())
