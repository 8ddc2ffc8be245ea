"""The SKP document (Sasaran Kinerja Pegawai, after the annex of PermenPANRB 6/2022): identity of the
employee and the assessor, the RHK with the leader's RHK they intervene and their indicators with
targets, the expected work behaviour (BerAKHLAK), and the annexes (dukungan sumber daya, skema
pertanggungjawaban, konsekuensi). Signed and served at /documents/plans/{id}.pdf with the API token."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kinerja.auth.http import scoped_response
from kinerja.core.context import RequestContext
from kinerja.core.ids import parse_global_id
from kinerja.core.pdf import Document
from kinerja.documents.issue import angka, header, identity, identity_rows, signed_pdf
from kinerja.documents.rules import BERAKHLAK_GUIDE, DocumentKind
from kinerja.plans.models import Indicator, PerformancePlan, ResultTarget
from kinerja.plans.rules import BerakhlakValue
from kinerja.plans.service import get_plan

ASPECTS = {"KUANTITAS": "Kuantitas", "KUALITAS": "Kualitas", "WAKTU": "Waktu", "BIAYA": "Biaya"}
STATUS = {"DRAFT": "Draf", "SUBMITTED": "Diajukan", "RETURNED": "Dikembalikan", "APPROVED": "Disetujui",
          "SUPERSEDED": "Digantikan", "CLOSED": "Ditutup"}


def target_text(indicator: Indicator) -> str:
    if indicator.target_value is not None:
        return f"{angka(indicator.target_value)} {indicator.target_unit or ''}".strip()
    return indicator.target_text or "-"


async def plan_content(ctx: RequestContext, plan: PerformancePlan) -> dict[str, Any]:
    tenant_id = plan.tenant_id
    employee = await identity(ctx, plan.employee_id)
    content = await header(ctx, DocumentKind.SKP, f"{employee['nama']} (NIP {employee['nip']}), SKP {plan.year}")
    results = await ResultTarget.filter(tenant_id=tenant_id, plan_id=plan.id).order_by("position", "id")
    parents = {r.id: r.description for r in await ResultTarget.filter(
        tenant_id=tenant_id, id__in=[r.parent_id for r in results if r.parent_id])}
    indicators: dict[Any, list[Indicator]] = {}
    for indicator in await Indicator.filter(tenant_id=tenant_id, result_id__in=[r.id for r in results]).order_by(
            "position", "id"):
        indicators.setdefault(indicator.result_id, []).append(indicator)
    expectations = plan.behaviour_expectations or {}
    content.update({
        "tahun": plan.year, "revisi": plan.revision, "pendekatan": plan.approach.value.capitalize(),
        "status": STATUS.get(plan.status.value, plan.status.value),
        "pegawai": employee, "penilai": await identity(ctx, plan.approver_id),
        "rhk": [{"jenis": r.kind.value.capitalize(), "rhk": r.description, "intervensi": parents.get(r.parent_id, "-")
                 if r.parent_id else "-",
                 "indikator": [{"aspek": ASPECTS.get(i.aspect.value, i.aspect.value), "indikator": i.description,
                                "target": target_text(i)} for i in indicators.get(r.id, [])]}
                for r in results],
        "perilaku": [{"nilai": value.value.replace("_", " ").title(), "panduan": BERAKHLAK_GUIDE[value.value],
                      "ekspektasi": expectations.get(value.value) or "-"} for value in BerakhlakValue],
        "lampiran": {"dukungan_sumber_daya": plan.resource_support or "-",
                     "skema_pertanggungjawaban": plan.accountability_scheme or "-",
                     "konsekuensi": plan.consequences or "-"},
    })
    return content


def render_plan(document: Document, content: dict[str, Any]) -> None:
    document.rows([("Periode penilaian", f"1 Januari - 31 Desember {content['tahun']}"),
                   ("Pendekatan", content["pendekatan"]), ("Revisi", content["revisi"]), ("Status", content["status"])])
    document.heading("PEGAWAI YANG DINILAI")
    document.rows(identity_rows(content["pegawai"]))
    document.heading("PEJABAT PENILAI KINERJA")
    document.rows(identity_rows(content["penilai"]))
    document.heading("HASIL KERJA")
    body: list[list[object]] = []
    for number, result in enumerate(content["rhk"], start=1):
        lines = result["indikator"] or [{"aspek": "", "indikator": "-", "target": "-"}]
        for index, line in enumerate(lines):
            first = index == 0
            body.append([number if first else "", result["jenis"] if first else "",
                         result["intervensi"] if first else "", result["rhk"] if first else "",
                         line["aspek"], line["indikator"], line["target"]])
    document.table(["No", "Jenis", "RHK atasan yang diintervensi", "Rencana hasil kerja", "Aspek",
                    "Indikator kinerja individu", "Target"], body, [7, 15, 38, 38, 15, 45, 22], size=8)
    document.heading("PERILAKU KERJA (BerAKHLAK)")
    document.table(["No", "Perilaku kerja", "Panduan perilaku", "Ekspektasi khusus pimpinan"],
                   [[n, p["nilai"], p["panduan"], p["ekspektasi"]] for n, p in enumerate(content["perilaku"], start=1)],
                   [7, 30, 83, 60], size=8)
    document.heading("LAMPIRAN SASARAN KINERJA PEGAWAI")
    annex = content["lampiran"]
    for title, key in (("Dukungan sumber daya", "dukungan_sumber_daya"),
                       ("Skema pertanggungjawaban", "skema_pertanggungjawaban"), ("Konsekuensi", "konsekuensi")):
        document.paragraph(f"{title}:", 10)
        document.paragraph(annex[key], 9)
    document.signatures([("Pegawai yang dinilai", content["pegawai"]["nama"], content["pegawai"]["nip"]),
                         ("Pejabat penilai kinerja", content["penilai"]["nama"], content["penilai"]["nip"])],
                        f"{content['tempat']}, {content['tanggal']}")


async def plan_document(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        plan = await get_plan(ctx, parse_global_id(request.path_params["plan_id"], "PerformancePlan"))
        content = await plan_content(ctx, plan)
        return await signed_pdf(ctx, request, DocumentKind.SKP, plan.id, str(plan.id), content, render_plan,
                                "Sasaran Kinerja Pegawai", f"Periode {plan.year}",
                                f"skp-{content['pegawai']['nip']}-{plan.year}-r{plan.revision}.pdf")

    return await scoped_response(request, work)
