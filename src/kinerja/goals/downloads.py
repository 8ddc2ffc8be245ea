"""GET /iku-evidence/{id}: download the evidence file of an IKU realisation, with the same token and
read permission as the GraphQL API (an unknown id, another tenant's, or one the caller may not read: 404)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.goals.models import UnitIndicatorRealisation
from kinerja.plans.downloads import file_response


def download_path(realisation_id, sha256: str | None) -> str | None:
    """Where a realisation's stored evidence file is downloaded; a link (or nothing) has none."""
    return f"/iku-evidence/{to_global_id('UnitIndicatorRealisation', realisation_id)}" if sha256 else None


async def download_iku_evidence(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        realisation_id = parse_global_id(request.path_params["realisation_id"], "UnitIndicatorRealisation")
        if not await ctx.scopes("iku", "read"):
            raise NotFound()
        row = await UnitIndicatorRealisation.get_or_none(id=realisation_id, tenant_id=ctx.require_tenant())
        if row is None:
            raise NotFound()
        if row.evidence_sha256 is None:
            return JSONResponse({"error": "This evidence is a link", "url": row.evidence_url}, status_code=404)
        # A stored file's name and content type are written with its sha256 (goals.service._evidence).
        return await file_response(ctx, row.evidence_sha256, cast(str, row.evidence_content_type),
                                   cast(str, row.evidence_file_name))

    return await scoped_response(request, work)
