"""GET /evidence/{id}: download a stored evidence file, with the same token and visibility rules as
the GraphQL API (an evidence of a plan the caller may not see answers 404, like an unknown id)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id
from kinerja.plans.evidence import stored_path
from kinerja.plans.models import Evidence, Indicator, Realisation, ResultTarget
from kinerja.plans.service import get_plan


async def download_evidence(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        tenant_id = ctx.require_tenant()
        evidence = await _visible_evidence(ctx, parse_global_id(request.path_params["evidence_id"], "Evidence"))
        if evidence.sha256 is None:
            return JSONResponse({"error": "This evidence is a link", "url": evidence.url}, status_code=404)
        path = stored_path(ctx.settings.upload_dir, tenant_id, evidence.sha256)
        if not path.exists():
            return JSONResponse({"error": "File missing from storage"}, status_code=410)
        return FileResponse(path, media_type=evidence.content_type, filename=evidence.file_name,
                            headers={"x-content-sha256": evidence.sha256, "x-content-type-options": "nosniff"})

    return await scoped_response(request, work)


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
