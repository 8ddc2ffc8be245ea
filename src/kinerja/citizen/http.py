"""GET /public/{tenant}/report/{year}.csv: the transparency report as CSV, without login; and
GET /survey-codes/{batch}.pdf: a batch's unused survey codes as QR cards, with the staff token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kinerja.auth.http import new_context, scoped_response
from kinerja.citizen.counter import codes_pdf, printable_batch
from kinerja.citizen.report import public_report, report_csv
from kinerja.core.context import RequestContext
from kinerja.core.db import tenant_transaction
from kinerja.core.errors import BadUserInput, Forbidden, NotFound
from kinerja.core.ids import parse_global_id


async def public_report_csv(request: Request) -> Response:
    raw_year = request.path_params["year"]
    if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
        return JSONResponse({"error": "Not found"}, status_code=404)
    year = int(raw_year)
    try:
        async with tenant_transaction(None):
            ctx = new_context(request.app.state.settings, request)
            report = await public_report(ctx, request.path_params["tenant"], year)
    except (NotFound, Forbidden, BadUserInput):
        return JSONResponse({"error": "Not found"}, status_code=404)
    name = f"laporan-kinerja-{report.tenant.slug}-{year}.csv"
    return Response(report_csv(report), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


async def survey_codes_pdf(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        batch = await printable_batch(ctx, parse_global_id(request.path_params["batch_id"], "SurveyCodeBatch"))
        name = f"kode-survei-{batch.service.code}.pdf"
        return Response(codes_pdf(batch), media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    return await scoped_response(request, work)
