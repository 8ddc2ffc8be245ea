"""Documents of evaluation: the Dokumen Evaluasi Kinerja Pegawai (PDF, with fpdf2) and a unit's
predicate sheet (CSV). Served at /documents/... with the same token and visibility as the API."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kinerja.auth.http import scoped_response
from kinerja.auth.models import User
from kinerja.core.context import RequestContext
from kinerja.core.csvexport import write_csv
from kinerja.core.dates import tanggal
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id
from kinerja.core.pdf import Document
from kinerja.documents.issue import angka, header, identity, identity_rows, signed_pdf
from kinerja.documents.rules import DocumentKind
from kinerja.evaluations import rules, service
from kinerja.evaluations.models import CreditAssessment, CreditEntry, Evaluation
from kinerja.org.models import Employee, OrgUnit, Period, Position
from kinerja.org.scoping import employee_scope
from kinerja.plans.documents import target_text
from kinerja.plans.models import Feedback, Indicator, PerformancePlan, Realisation, ResultTarget
from kinerja.plans.rules import BerakhlakValue, PlanStatus

RATING_LABELS = {
    rules.Rating.DI_ATAS_EKSPEKTASI: "Di atas ekspektasi",
    rules.Rating.SESUAI_EKSPEKTASI: "Sesuai ekspektasi",
    rules.Rating.DI_BAWAH_EKSPEKTASI: "Di bawah ekspektasi",
}


async def evaluation_content(ctx: RequestContext, evaluation: Evaluation) -> dict[str, Any]:
    """What the Dokumen Evaluasi Kinerja Pegawai prints: identities (employee, assessor, the assessor's
    superior), ratings and predicate, the realisation of each indicator in the period, a feedback
    summary, and the place and date."""
    tenant_id = evaluation.tenant_id
    employee = await identity(ctx, evaluation.employee_id)
    period = await Period.get(id=evaluation.period_id, tenant_id=tenant_id)
    assessor = await Employee.get(id=evaluation.assessor_id, tenant_id=tenant_id)
    content = await header(ctx, DocumentKind.EVALUATION,
                           f"{employee['nama']} (NIP {employee['nip']}), {period.name}")
    credit = await service.credit_points_of(evaluation)
    plan = await _plan_of(evaluation, period)
    realisations, feedback = ([], {"jumlah": 0, "terakhir": []}) if plan is None else (
        await _realisations(plan, period), await _feedback(plan, period))
    content.update({
        "periode": f"{period.name} ({period.starts_on:%d-%m-%Y} s.d. {period.ends_on:%d-%m-%Y})",
        "pegawai": employee, "penilai": await identity(ctx, assessor.id),
        "atasan_penilai": await identity(ctx, assessor.supervisor_id),
        "rating_hasil_kerja": RATING_LABELS[evaluation.results_rating]
        + (" (capaian kinerja organisasi)" if evaluation.results_from_unit else ""),
        "rating_perilaku_kerja": RATING_LABELS[evaluation.behaviour_rating],
        "predikat": rules.LABELS[evaluation.predicate],
        "status": f"{evaluation.status.value} (versi {evaluation.version})",
        "angka_kredit": angka(credit) if credit is not None else None,
        "alasan_koreksi": evaluation.correction_reason,
        "catatan_perilaku": [{"nilai": v.value.replace("_", " ").title(), "catatan": evaluation.notes[v.value]}
                             for v in BerakhlakValue if v.value in (evaluation.notes or {})],
        "realisasi": realisations, "umpan_balik": feedback,
    })
    return content


async def _plan_of(evaluation: Evaluation, period: Period) -> PerformancePlan | None:
    if evaluation.plan_id:
        return await PerformancePlan.get_or_none(id=evaluation.plan_id, tenant_id=evaluation.tenant_id)
    return await PerformancePlan.filter(tenant_id=evaluation.tenant_id, employee_id=evaluation.employee_id,
                                        year=period.year, status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED]
                                        ).order_by("-revision").first()


async def _realisations(plan: PerformancePlan, period: Period) -> list[dict[str, Any]]:
    """One line per indicator: its target and the realisations of the periods inside the evaluated one."""
    tenant_id = plan.tenant_id
    results = {r.id: r for r in await ResultTarget.filter(tenant_id=tenant_id, plan_id=plan.id)}
    indicators = await Indicator.filter(tenant_id=tenant_id, result_id__in=list(results)).order_by("position", "id")
    periods = {p.id: p for p in await Period.filter(tenant_id=tenant_id, year=period.year,
                                                    starts_on__gte=period.starts_on, ends_on__lte=period.ends_on)}
    values: dict[Any, list[tuple[Any, str]]] = {}
    for realisation in await Realisation.filter(tenant_id=tenant_id, indicator_id__in=[i.id for i in indicators],
                                                period_id__in=list(periods)):
        shown = angka(realisation.value) if realisation.value is not None else (realisation.narrative or "-")
        values.setdefault(realisation.indicator_id, []).append((periods[realisation.period_id].starts_on,
                                                                f"{periods[realisation.period_id].name}: {shown}"))
    ordered = sorted(indicators, key=lambda i: (results[i.result_id].position, str(i.result_id), i.position, str(i.id)))
    return [{"rhk": results[i.result_id].description, "indikator": i.description, "target": target_text(i),
             "realisasi": "; ".join(text for _, text in sorted(values.get(i.id, []))) or "-"} for i in ordered]


async def _feedback(plan: PerformancePlan, period: Period) -> dict[str, Any]:
    """How many comments the plan received, and the latest three opening a thread (shortened)."""
    items = await Feedback.filter(tenant_id=plan.tenant_id, plan_id=plan.id).order_by("-created_at", "-id")
    authors = {e.id: e.name for e in await Employee.filter(
        tenant_id=plan.tenant_id, id__in=[f.author_employee_id for f in items if f.author_employee_id])}
    latest = [f for f in items if f.reply_to_id is None][:3]
    return {"jumlah": len(items), "terakhir": [
        {"dari": authors.get(f.author_employee_id, "-") if f.author_employee_id else "-",
         "isi": f.body if len(f.body) <= 240 else f.body[:237] + "..."} for f in latest]}


def render_evaluation(document: Document, content: dict[str, Any]) -> None:
    document.rows([("Periode", content["periode"]), ("Status", content["status"])])
    document.heading("PEGAWAI YANG DINILAI")
    document.rows(identity_rows(content["pegawai"]))
    document.heading("PEJABAT PENILAI KINERJA")
    document.rows(identity_rows(content["penilai"]))
    document.heading("ATASAN PEJABAT PENILAI KINERJA")
    document.rows(identity_rows(content["atasan_penilai"]))
    document.heading("HASIL EVALUASI")
    rows: list[tuple[str, object]] = [("Rating hasil kerja", content["rating_hasil_kerja"]),
                                      ("Rating perilaku kerja", content["rating_perilaku_kerja"]),
                                      ("Predikat kinerja pegawai", content["predikat"])]
    if content["angka_kredit"] is not None:
        rows.append(("Angka kredit", content["angka_kredit"]))
    if content["alasan_koreksi"]:
        rows.append(("Alasan koreksi", content["alasan_koreksi"]))
    document.rows(rows)
    document.heading("REALISASI HASIL KERJA")
    document.table(["No", "Rencana hasil kerja", "Indikator kinerja individu", "Target", "Realisasi"],
                   [[n, r["rhk"], r["indikator"], r["target"], r["realisasi"]]
                    for n, r in enumerate(content["realisasi"], start=1)] or [["", "-", "-", "-", "-"]],
                   [7, 50, 50, 25, 50], size=8)
    if content["catatan_perilaku"]:
        document.heading("Catatan perilaku kerja (BerAKHLAK)")
        document.table(["Perilaku kerja", "Catatan"], [[c["nilai"], c["catatan"]] for c in content["catatan_perilaku"]],
                       [40, 140], size=9)
    document.heading("UMPAN BALIK")
    feedback = content["umpan_balik"]
    document.paragraph(f"Jumlah umpan balik berkelanjutan: {feedback['jumlah']}")
    for item in feedback["terakhir"]:
        document.paragraph(f"- {item['dari']}: {item['isi']}", 9)
    document.signatures([("Atasan pejabat penilai kinerja", content["atasan_penilai"]["nama"],
                          content["atasan_penilai"]["nip"]),
                         ("Pejabat penilai kinerja", content["penilai"]["nama"], content["penilai"]["nip"])],
                        f"{content['tempat']}, {content['tanggal']}")


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
        evaluation = await service.get_evaluation(ctx, parse_global_id(request.path_params["evaluation_id"], "Evaluation"))
        content = await evaluation_content(ctx, evaluation)
        return await signed_pdf(ctx, request, DocumentKind.EVALUATION, evaluation.id, str(evaluation.id), content,
                                render_evaluation, "Dokumen Evaluasi Kinerja Pegawai", f"Periode: {content['periode']}",
                                f"evaluasi-kinerja-{content['pegawai']['nip']}.pdf")

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


async def unit_predicates_content(ctx: RequestContext, distribution: service.Distribution,
                                  lines: list[tuple[Employee, Evaluation | None]]) -> dict[str, Any]:
    """Penetapan predikat kinerja pegawai of a unit and period (after SE MenPANRB 3/2023): the unit's
    rating, every employee with the predicate, the distribution, signed by the unit's head."""
    unit, period = distribution.org_unit, distribution.period
    content = await header(ctx, DocumentKind.UNIT_PREDICATES, f"{unit.name}, {period.name}")
    names = dict(await Position.filter(tenant_id=unit.tenant_id, id__in=list(
        {e.position_id for e, _ in lines if e.position_id})).values_list("id", "name"))
    positions = {e.id: names.get(e.position_id, "-") if e.position_id else "-" for e, _ in lines}
    content.update({
        "unit": unit.name, "kode_unit": unit.code,
        "periode": f"{period.name} ({period.starts_on:%d-%m-%Y} s.d. {period.ends_on:%d-%m-%Y})",
        "predikat_unit": rules.UNIT_LABELS[distribution.unit_rating] if distribution.unit_rating else "Belum ditetapkan",
        "pegawai": [{"nama": e.name, "nip": e.nip, "jabatan": positions[e.id],
                     "predikat": rules.LABELS[ev.predicate] if ev else "Belum dinilai",
                     "status": ev.status.value if ev else "-"} for e, ev in lines],
        "distribusi": [{"predikat": rules.LABELS[p], "jumlah": distribution.counts.get(p, 0)}
                       for p in rules.Predicate],
        "penyimpangan": [b.message for b in distribution.breaches],
        "pimpinan": await identity(ctx, unit.head_id),
    })
    return content


def render_unit_predicates(document: Document, content: dict[str, Any]) -> None:
    document.rows([("Unit kerja", content["unit"]), ("Periode", content["periode"]),
                   ("Predikat kinerja organisasi", content["predikat_unit"])])
    document.heading("DAFTAR PREDIKAT KINERJA PEGAWAI")
    document.table(["No", "Nama", "NIP", "Jabatan", "Predikat kinerja", "Status"],
                   [[n, p["nama"], p["nip"], p["jabatan"], p["predikat"], p["status"]]
                    for n, p in enumerate(content["pegawai"], start=1)] or [["", "-", "-", "-", "-", "-"]],
                   [7, 45, 35, 45, 28, 18], size=8)
    document.heading("DISTRIBUSI PREDIKAT")
    document.table(["Predikat kinerja", "Jumlah pegawai"],
                   [[d["predikat"], d["jumlah"]] for d in content["distribusi"]], [90, 40], size=9)
    for breach in content["penyimpangan"]:
        document.paragraph(f"Penyimpangan dari pedoman distribusi: {breach}", 9)
    document.signatures([("Pimpinan unit kerja", content["pimpinan"]["nama"], content["pimpinan"]["nip"])],
                        f"{content['tempat']}, {content['tanggal']}")


async def unit_predicate_document(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        distribution = await service.unit_distribution(
            ctx, parse_global_id(request.path_params["org_unit_id"], "OrgUnit"),
            parse_global_id(request.query_params.get("periodId", ""), "Period"))
        unit, period = distribution.org_unit, distribution.period
        content = await unit_predicates_content(ctx, distribution, await service.unit_sheet(unit, period))
        return await signed_pdf(ctx, request, DocumentKind.UNIT_PREDICATES, unit.id, f"{unit.id}/{period.id}", content,
                                render_unit_predicates, "Penetapan Predikat Kinerja Pegawai",
                                f"{unit.name} - {period.name}", f"penetapan-predikat-{unit.code}-{period.year}-"
                                f"{period.sequence}.pdf")

    return await scoped_response(request, work)


LEVELS = {"AHLI_PERTAMA": "Ahli Pertama", "AHLI_MUDA": "Ahli Muda", "AHLI_MADYA": "Ahli Madya",
          "AHLI_UTAMA": "Ahli Utama", "TERAMPIL": "Terampil", "MAHIR": "Mahir", "PENYELIA": "Penyelia"}


async def credit_content(ctx: RequestContext, assessment: CreditAssessment) -> dict[str, Any]:
    """The PAK statement: the employee, the year's points and the cumulative total as HR fixed them,
    and the bookings of the ledger they come from (final annual evaluations, and reversals)."""
    tenant_id = assessment.tenant_id
    employee = await identity(ctx, assessment.employee_id)
    content = await header(ctx, DocumentKind.PAK, f"{employee['nama']} (NIP {employee['nip']}), angka kredit "
                                                  f"{assessment.year}")
    entries = await CreditEntry.filter(tenant_id=tenant_id, employee_id=assessment.employee_id,
                                       year__lte=assessment.year).order_by("created_at", "id")
    evaluations = {e.id: e for e in await Evaluation.filter(tenant_id=tenant_id,
                                                            id__in=[c.evaluation_id for c in entries])}
    periods = {p.id: p.name for p in await Period.filter(
        tenant_id=tenant_id, id__in=list({e.period_id for e in evaluations.values()}))}
    issuer = await User.get_or_none(id=assessment.issued_by_id, tenant_id=tenant_id)
    content.update({
        "pegawai": employee, "tahun": assessment.year,
        "jenjang": LEVELS.get(assessment.level.value, assessment.level.value) if assessment.level else "-",
        "angka_kredit_tahun": angka(assessment.points), "angka_kredit_kumulatif": angka(assessment.total),
        "tanggal_penetapan": tanggal(assessment.created_at.date()),
        "buku": [{"tahun": c.year, "periode": periods.get(evaluations[c.evaluation_id].period_id, "-")
                  if c.evaluation_id in evaluations else "-",
                  "predikat": rules.LABELS[evaluations[c.evaluation_id].predicate] if c.evaluation_id in evaluations
                  else "-", "koefisien": angka(c.coefficient), "angka_kredit": angka(c.points),
                  "keterangan": "Koreksi (pembatalan)" if c.reversal else "Evaluasi akhir tahun"} for c in entries],
        "pejabat": await identity(ctx, issuer.employee_id if issuer else None),
    })
    return content


def render_credit(document: Document, content: dict[str, Any]) -> None:
    document.heading("PEGAWAI")
    document.rows(identity_rows(content["pegawai"]))
    document.heading("PENETAPAN ANGKA KREDIT")
    document.rows([("Tahun", content["tahun"]), ("Jenjang jabatan fungsional", content["jenjang"]),
                   ("Angka kredit tahun ini", content["angka_kredit_tahun"]),
                   ("Jumlah angka kredit kumulatif", content["angka_kredit_kumulatif"]),
                   ("Tanggal penetapan", content["tanggal_penetapan"])], label_width=65)
    document.heading("RINCIAN KONVERSI PREDIKAT KINERJA")
    document.table(["No", "Tahun", "Periode", "Predikat", "Koefisien", "Angka kredit", "Keterangan"],
                   [[n, c["tahun"], c["periode"], c["predikat"], c["koefisien"], c["angka_kredit"], c["keterangan"]]
                    for n, c in enumerate(content["buku"], start=1)] or [["", "-", "-", "-", "-", "-", "-"]],
                   [7, 14, 35, 30, 20, 22, 40], size=8)
    document.signatures([("Pejabat yang menetapkan", content["pejabat"]["nama"], content["pejabat"]["nip"])],
                        f"{content['tempat']}, {content['tanggal']}")


async def credit_document(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        employee_id = parse_global_id(request.path_params["employee_id"], "Employee")
        raw_year = request.path_params["year"]
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
            raise NotFound()
        scopes = await ctx.require("evaluation", "read")
        query = CreditAssessment.filter(tenant_id=ctx.require_tenant(), employee_id=employee_id, year=int(raw_year))
        condition = await employee_scope(ctx, scopes, field="employee_id")
        assessment = await (query.filter(condition) if condition is not None else query).first()
        if assessment is None:
            raise NotFound()
        content = await credit_content(ctx, assessment)
        return await signed_pdf(ctx, request, DocumentKind.PAK, assessment.id, str(assessment.id), content,
                                render_credit, "Penetapan Angka Kredit", f"Tahun {assessment.year}",
                                f"pak-{content['pegawai']['nip']}-{assessment.year}.pdf")

    return await scoped_response(request, work)
