"""Documents of evaluation: the Dokumen Evaluasi Kinerja Pegawai (PDF, with fpdf2) and a unit's
predicate sheet (CSV). Served at /documents/... with the same token and visibility as the API."""

from __future__ import annotations

from fpdf import FPDF
from starlette.requests import Request
from starlette.responses import Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.csvexport import write_csv
from kinerja.core.ids import parse_global_id
from kinerja.evaluations import rules, service
from kinerja.evaluations.models import Evaluation
from kinerja.org.models import Employee, OrgUnit, Period, Position
from kinerja.plans.rules import BerakhlakValue
from kinerja.tenancy.models import Tenant

RATING_LABELS = {
    rules.Rating.DI_ATAS_EKSPEKTASI: "Di atas ekspektasi",
    rules.Rating.SESUAI_EKSPEKTASI: "Sesuai ekspektasi",
    rules.Rating.DI_BAWAH_EKSPEKTASI: "Di bawah ekspektasi",
}


def _latin(text: str) -> str:
    """The PDF core fonts are Latin-1; anything else becomes '?' rather than failing."""
    return text.encode("latin-1", "replace").decode("latin-1")


def evaluation_pdf(tenant: Tenant, employee: Employee, position: Position | None, unit: OrgUnit,
                   assessor: Employee, period: Period, evaluation, credit) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Dokumen Evaluasi Kinerja Pegawai")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(tenant.name), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.cell(0, 8, "DOKUMEN EVALUASI KINERJA PEGAWAI", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, _latin(f"Periode: {period.name} ({period.starts_on:%d-%m-%Y} s.d. {period.ends_on:%d-%m-%Y})"),
             new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    rows = [
        ("Pegawai yang dinilai", ""),
        ("Nama", employee.name), ("NIP", employee.nip),
        ("Jabatan", position.name if position else "-"), ("Unit kerja", unit.name),
        ("Pejabat penilai", ""), ("Nama", assessor.name), ("NIP", assessor.nip),
        ("Hasil evaluasi", ""),
        ("Rating hasil kerja", RATING_LABELS[evaluation.results_rating]
         + (" (capaian kinerja organisasi)" if evaluation.results_from_unit else "")),
        ("Rating perilaku kerja", RATING_LABELS[evaluation.behaviour_rating]),
        ("Predikat kinerja pegawai", rules.LABELS[evaluation.predicate]),
        ("Status", f"{evaluation.status.value} (versi {evaluation.version})"),
    ]
    if credit is not None:
        rows.append(("Angka kredit", f"{credit}"))
    if evaluation.correction_reason:
        rows.append(("Alasan koreksi", evaluation.correction_reason))
    for label, value in rows:
        if not value:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(0, 8, _latin(label), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 11)
            continue
        pdf.cell(60, 7, _latin(label))
        pdf.multi_cell(0, 7, _latin(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    if evaluation.notes:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 8, "Catatan perilaku kerja (BerAKHLAK)", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for value in BerakhlakValue:
            if value.value in evaluation.notes:
                pdf.multi_cell(0, 7, _latin(f"- {value.value.replace('_', ' ').title()}: {evaluation.notes[value.value]}"),
                               new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def predicate_csv(unit: OrgUnit, period: Period, lines: list[tuple[Employee, Evaluation | None]]) -> str:
    rows: list[list[object]] = [["unit", "periode", "nip", "nama", "rating_hasil_kerja", "rating_perilaku_kerja",
                                 "predikat", "status", "versi"]]
    for employee, evaluation in lines:
        rows.append([unit.name, period.name, employee.nip, employee.name,
                     evaluation.results_rating.value if evaluation else "",
                     evaluation.behaviour_rating.value if evaluation else "",
                     rules.LABELS[evaluation.predicate] if evaluation else "",
                     evaluation.status.value if evaluation else "BELUM_DINILAI",
                     evaluation.version if evaluation else ""])
    return write_csv(rows)


async def evaluation_document(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        tenant_id = ctx.require_tenant()
        evaluation = await service.get_evaluation(ctx, parse_global_id(request.path_params["evaluation_id"], "Evaluation"))
        employee = await Employee.get(id=evaluation.employee_id, tenant_id=tenant_id)
        body = evaluation_pdf(
            await Tenant.get(id=tenant_id), employee,
            await Position.get_or_none(id=employee.position_id, tenant_id=tenant_id) if employee.position_id else None,
            await OrgUnit.get(id=employee.org_unit_id, tenant_id=tenant_id),
            await Employee.get(id=evaluation.assessor_id, tenant_id=tenant_id),
            await Period.get(id=evaluation.period_id, tenant_id=tenant_id),
            evaluation, await service.credit_points_of(evaluation))
        return Response(body, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="evaluasi-kinerja-{employee.nip}.pdf"'})

    return await scoped_response(request, work)


async def unit_predicate_sheet(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        distribution = await service.unit_distribution(
            ctx, parse_global_id(request.path_params["org_unit_id"], "OrgUnit"),
            parse_global_id(request.query_params.get("periodId", ""), "Period"))
        unit, period = distribution.org_unit, distribution.period
        lines = await service.unit_sheet(unit, period)
        name = f"predikat-{unit.code}-{period.year}-{period.sequence}.csv"
        return Response(predicate_csv(unit, period, lines), media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    return await scoped_response(request, work)
