"""GET /evidence/{id}: download a stored evidence file, with the same token and visibility rules as
the GraphQL API (an evidence of a plan the caller may not see answers 404, like an unknown id)."""

from __future__ import annotations

import uuid
from typing import cast
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id
from kinerja.plans.evidence import read
from kinerja.plans.models import Evidence, Indicator, Realisation, ResultTarget
from kinerja.plans.service import get_plan


async def download_evidence(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        evidence = await _visible_evidence(ctx, parse_global_id(request.path_params["evidence_id"], "Evidence"))
        if evidence.sha256 is None:
            return JSONResponse({"error": "This evidence is a link", "url": evidence.url}, status_code=404)
        # Stored with every uploaded file (sha256 set).
        return await file_response(ctx, evidence.sha256, cast(str, evidence.content_type), cast(str, evidence.file_name))

    return await scoped_response(request, work)


async def file_response(ctx: RequestContext, sha256: str, content_type: str, file_name: str) -> Response:
    """A stored file as an attachment, from whichever storage the settings name."""
    content = await read(ctx.settings, ctx.require_tenant(), sha256)
    if content is None:
        return JSONResponse({"error": "File missing from storage"}, status_code=410)
    return Response(content, media_type=content_type, headers={
        "content-disposition": f"attachment; filename*=utf-8''{quote(file_name)}",
        "x-content-sha256": sha256, "x-content-type-options": "nosniff"})


async def _visible_evidence(ctx: RequestContext, evidence_id: uuid.UUID) -> Evidence:
    tenant_id = ctx.require_tenant()
    evidence = await Evidence.get_or_none(id=evidence_id, tenant_id=tenant_id)
    if evidence is None:
        raise NotFound()
    realisation = await Realisation.get(id=evidence.realisation_id, tenant_id=tenant_id)
    indicator = await Indicator.get(id=realisation.indicator_id, tenant_id=tenant_id)
    result = await ResultTarget.get(id=indicator.result_id, tenant_id=tenant_id)
    await get_plan(ctx, result.plan_id)
    return evidence
