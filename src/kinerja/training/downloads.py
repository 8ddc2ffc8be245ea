"""GET /certificates/{id}: download the certificate of a training record, with the same token and
visibility as the API (a record the caller may not see answers 404, like an unknown id)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.ids import parse_global_id
from kinerja.plans.downloads import file_response
from kinerja.training.service import get_record


async def download_certificate(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        record = await get_record(ctx, parse_global_id(request.path_params["record_id"], "TrainingRecord"))
        if record.certificate_sha256 is None:
            return JSONResponse({"error": "This record has no certificate file"}, status_code=404)
        return await file_response(ctx, record.certificate_sha256, record.certificate_content_type or
                                   "application/octet-stream", record.certificate_file_name or "sertifikat")

    return await scoped_response(request, work)
