"""Laporan capaian IKU of a unit and year: each IKU with its sasaran, target, the realisation of every
period, the year to date and the achievement under the year's rules, and the unit's mean achievement;
signed by the unit's head. Served at /documents/units/{id}/iku/{year}.pdf with the API token (iku:read
over the unit)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kinerja.auth.http import scoped_response
from kinerja.core import clock
from kinerja.core.context import RequestContext
from kinerja.core.errors import NotFound
from kinerja.core.ids import parse_global_id
from kinerja.core.pdf import Document
from kinerja.documents.issue import angka, header, identity, signed_pdf
from kinerja.documents.rules import DocumentKind
from kinerja.goals import rules
from kinerja.goals.models import (
    GoalRule,
    StrategicGoal,
    UnitIndicator,
    UnitIndicatorRealisation,
    UnitIndicatorTarget,
)
from kinerja.goals.service import unit_in_reach
from kinerja.org.models import OrgUnit, Period
from kinerja.org.rules import PeriodKind
from kinerja.tenancy.models import tenant_settings


def percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{angka(value.quantize(Decimal('0.01')))} %"


async def iku_content(ctx: RequestContext, unit: OrgUnit, year: int) -> dict[str, Any]:
    tenant_id = unit.tenant_id
    content = await header(ctx, DocumentKind.IKU_REPORT, f"{unit.name}, tahun {year}")
    indicators = await UnitIndicator.filter(tenant_id=tenant_id, org_unit_id=unit.id, year=year).order_by("name", "id")
    periods = await Period.filter(tenant_id=tenant_id, year=year).exclude(kind=PeriodKind.ANNUAL).order_by(
        "starts_on", "id")
    ids = [i.id for i in indicators]
    goals = {g.id: f"{g.code} {g.name}" for g in await StrategicGoal.filter(
        tenant_id=tenant_id, id__in=list({i.goal_id for i in indicators}))}
    targets = {(t.indicator_id, t.period_id): t.value for t in await UnitIndicatorTarget.filter(
        tenant_id=tenant_id, indicator_id__in=ids)}
    values = {(r.indicator_id, r.period_id): r.value for r in await UnitIndicatorRealisation.filter(
        tenant_id=tenant_id, indicator_id__in=ids)}
    stored = await GoalRule.get_or_none(tenant_id=tenant_id, year=year)
    year_rules = rules.rules_from(stored.rules if stored else None)
    today = clock.today_in((await tenant_settings(tenant_id)).timezone)
    lines, achievements = [], []
    for i in indicators:
        figures = [rules.PeriodFigure(str(p.id), p.name, p.sequence, p.ends_on < today, targets.get((i.id, p.id)),
                                      values.get((i.id, p.id))) for p in periods]
        progress = rules.progress(i.kind, i.aggregation, i.direction, i.target, figures, year_rules)
        achievements.append(progress.achievement)
        lines.append({
            "sasaran": goals.get(i.goal_id, "-"), "indikator": i.name, "satuan": i.unit_of_measure or "-",
            "target": angka(i.target) if i.target is not None else "-",
            "realisasi": "; ".join(f"{f.name}: {angka(f.realisation)}" for f in figures if f.realisation is not None)
            or "-",
            "realisasi_tahun": angka(progress.year_to_date) if progress.year_to_date is not None else "-",
            "capaian": percent(progress.achievement)})
    content.update({"unit": unit.name, "tahun": year, "iku": lines,
                    "capaian_unit": percent(rules.unit_achievement(achievements)),
                    "pimpinan": await identity(ctx, unit.head_id)})
    return content


def render_iku(document: Document, content: dict[str, Any]) -> None:
    document.rows([("Unit kerja", content["unit"]), ("Tahun", content["tahun"]),
                   ("Jumlah IKU", len(content["iku"])), ("Capaian kinerja unit", content["capaian_unit"])])
    document.heading("CAPAIAN INDIKATOR KINERJA UTAMA")
    document.table(["No", "Sasaran", "Indikator kinerja utama", "Satuan", "Target", "Realisasi per periode",
                    "Realisasi s.d. periode", "Capaian"],
                   [[n, i["sasaran"], i["indikator"], i["satuan"], i["target"], i["realisasi"], i["realisasi_tahun"],
                     i["capaian"]] for n, i in enumerate(content["iku"], start=1)] or [["", "-", "-", "-", "-", "-",
                                                                                         "-", "-"]],
                   [7, 45, 50, 18, 18, 60, 25, 20], size=8)
    document.signatures([("Pimpinan unit kerja", content["pimpinan"]["nama"], content["pimpinan"]["nip"])],
                        f"{content['tempat']}, {content['tanggal']}")


async def iku_document(request: Request) -> Response:
    async def work(ctx: RequestContext) -> Response:
        raw_year = request.path_params["year"]
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
            raise NotFound()
        unit = await unit_in_reach(ctx, parse_global_id(request.path_params["org_unit_id"], "OrgUnit"), "read")
        year = int(raw_year)
        content = await iku_content(ctx, unit, year)
        return await signed_pdf(ctx, request, DocumentKind.IKU_REPORT, unit.id, f"{unit.id}/{year}", content,
                                render_iku, "Laporan Capaian Indikator Kinerja Utama", f"{unit.name} - Tahun {year}",
                                f"capaian-iku-{unit.code}-{year}.pdf", landscape=True)

    return await scoped_response(request, work)
