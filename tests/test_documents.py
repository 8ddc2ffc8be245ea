"""Official documents: content of each signed PDF (text extracted with pypdf), the public verify page
and ``verifyDocument`` (genuine, unknown, altered), and tenant isolation of the downloads."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import error_codes, rows
from pypdf import PdfReader

from kinerja.core.db import tenant_transaction
from kinerja.documents.models import IssuedDocument
from kinerja.tenancy.models import Tenant

VERIFY = ("query($c: String!) { verifyDocument(code: $c) { valid status kind issuer subject issuedAt "
          "contentHash } }")
PLANS = ("query { performancePlans(first: 50, filter: {status: APPROVED}) { edges { node { id year documentPath "
         "employee { nip name } approver { nip name } results { description parent { description } "
         "indicators { description targetValue targetUnit } } } } } }")


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def snapshot(content: bytes, name: str) -> None:
    """Page 1 rendered as PNG by poppler's pdftoppm (when installed): the PDF must render. With
    KINERJA_DOCUMENT_IMAGES=<folder> the image is kept there (docs/documents/ holds the committed ones:
    `KINERJA_DOCUMENT_IMAGES=docs/documents KINERJA_TEST_BACKEND=sqlite pytest tests/test_documents.py`)."""
    if shutil.which("pdftoppm") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        source, image = Path(tmp) / "doc.pdf", Path(tmp) / name
        source.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(source), str(image)], check=True,
                       timeout=60)
        rendered = image.with_suffix(".png")
        assert rendered.stat().st_size > 1000
        if folder := os.environ.get("KINERJA_DOCUMENT_IMAGES"):
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(rendered, Path(folder) / rendered.name)


async def _download(api, path: str, token: str):
    return await api.client.get(path, headers={"authorization": f"Bearer {token}"})


async def _own_plan(api, token: str) -> dict:
    edges = (await api.ok(PLANS, None, token))["performancePlans"]["edges"]
    return next(e["node"] for e in edges if any(r["parent"] for r in e["node"]["results"]))


async def test_skp_document_is_signed_and_verifiable(api):
    token = await api.token("bungo", "pegawai")
    plan = await _own_plan(api, token)
    response = await _download(api, plan["documentPath"], token)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    code = response.headers["x-verification-code"]
    assert code.startswith("bungo.") and len(code.split(".")[1]) == 16
    for expected in ["SASARAN KINERJA PEGAWAI", "PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "HASIL KERJA",
                     "RHK atasan yang diintervensi", "Indikator kinerja individu", "PERILAKU KERJA (BerAKHLAK)",
                     "Berorientasi Pelayanan", "Kolaboratif", "Aktif berbagi data",
                     "LAMPIRAN SASARAN KINERJA PEGAWAI", "Dukungan sumber daya", "Skema pertanggungjawaban",
                     "Konsekuensi", "Anggaran kegiatan DPA tahun berjalan", "Laporan bulanan kepada atasan langsung",
                     plan["employee"]["nip"], plan["approver"]["nip"], f"Kode verifikasi: {code}", f"/verify/{code}",
                     "PEMERINTAH KABUPATEN BUNGO" if "PEMERINTAH" in text else "BUNGO"]:
        assert flat(expected) in text, expected
    for result in plan["results"]:
        assert flat(result["description"])[:30] in text
        assert flat(result["parent"]["description"])[:25] in text if result["parent"] else True
        for indicator in result["indicators"]:
            assert flat(indicator["description"])[:25] in text
            assert f"{int(float(indicator['targetValue']))} {indicator['targetUnit']}" in text
    snapshot(response.content, "skp")

    again = await _download(api, plan["documentPath"], token)  # same content: the same registry row
    assert again.headers["x-verification-code"] == code

    page = await api.client.get(f"/verify/{code}")
    assert page.status_code == 200 and "Dokumen asli" in page.text
    assert plan["employee"]["nip"] in page.text and "<script" not in page.text and "http" not in page.text.split(
        "<body>")[1].split("<footer>")[0].replace("http-equiv", "")
    verified = (await api.ok(VERIFY, {"c": code}))["verifyDocument"]
    assert verified["valid"] and verified["status"] == "GENUINE" and verified["kind"] == "SKP"
    assert plan["employee"]["nip"] in verified["subject"] and len(verified["contentHash"]) == 64
    assert verified["contentHash"] in text.replace(" ", "")
    # Any signed-in user of another tenant gets the same public answer: the code is the capability.
    assert (await api.ok(VERIFY, {"c": code}, await api.token("samarinda", "admin")))["verifyDocument"] == verified

    # Another tenant's token, a colleague without reach, no token: the PDF is not served.
    assert (await _download(api, plan["documentPath"], await api.token("samarinda", "admin"))).status_code == 404
    assert (await api.client.get(plan["documentPath"])).status_code == 401


async def test_unknown_and_altered_codes(api):
    for code in ["bungo.AAAAAAAAAAAAAAAA", "nobody.AAAAAAAAAAAAAAAA", "garbage", "bungo." + "A" * 200]:
        page = await api.client.get(f"/verify/{code}")
        assert page.status_code == 404 and "tidak dikenal" in page.text
        verified = (await api.ok(VERIFY, {"c": code}))["verifyDocument"]
        assert verified == {"valid": False, "status": "UNKNOWN", "kind": None, "issuer": None, "subject": None,
                            "issuedAt": None, "contentHash": None}

    token = await api.token("nanggalo", "pegawai")
    plan = await _own_plan(api, token)
    code = (await _download(api, plan["documentPath"], token)).headers["x-verification-code"]
    tenant = (await rows(Tenant, None, slug="nanggalo"))[0]
    async with tenant_transaction(tenant.id):
        row = await IssuedDocument.get(tenant_id=tenant.id, code=code)
        content = dict(row.content)
        content["subjek"] = "Orang lain (NIP 000000000000000000)"
        await IssuedDocument.filter(tenant_id=tenant.id, id=row.id).update(content=content)
    page = await api.client.get(f"/verify/{code}")
    assert page.status_code == 200 and "tidak valid / telah diubah" in page.text and "Orang lain" not in page.text
    verified = (await api.ok(VERIFY, {"c": code}))["verifyDocument"]
    assert verified["status"] == "ALTERED" and not verified["valid"] and verified["subject"] is None
    # A forged hash matching the forged content does not help: the signature no longer verifies.
    from kinerja.core.signing import content_hash

    async with tenant_transaction(tenant.id):
        await IssuedDocument.filter(tenant_id=tenant.id, id=row.id).update(content_hash=content_hash(content))
    assert (await api.ok(VERIFY, {"c": code}))["verifyDocument"]["status"] == "ALTERED"


async def test_parallel_downloads_issue_one_registry_row(api):
    token = await api.token("bungo", "atasan")
    edges = (await api.ok(PLANS, None, token))["performancePlans"]["edges"]
    plan = edges[0]["node"]
    responses = await asyncio.gather(*[_download(api, plan["documentPath"], token) for _ in range(4)])
    codes = {r.headers["x-verification-code"] for r in responses}
    assert len(codes) == 1 and all(r.status_code == 200 for r in responses)
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    stored = await rows(IssuedDocument, tenant.id, code=codes.pop())
    assert len(stored) == 1
    from kinerja.core.audit_models import AuditLog

    entries = await rows(AuditLog, tenant.id, operation="issueDocument", object_id=stored[0].id)
    assert len(entries) == 1 and entries[0].object_type == "IssuedDocument"


async def test_verify_document_is_one_tenant_operation(api):
    body = await api.post("query { a: verifyDocument(code: \"bungo.AAAAAAAAAAAAAAAA\") { status } "
                          "b: verifyDocument(code: \"nanggalo.AAAAAAAAAAAAAAAA\") { status } }")
    assert error_codes(body) == ["BAD_USER_INPUT"]


EVALUATIONS = ("query { evaluations(first: 100, filter: {status: FINAL}) { edges { node { id documentPath "
               "predicateLabel resultsRating period { id name year kind } employee { id nip name } "
               "assessor { nip name orgUnit { id } supervisor { nip name } } } } } }")


async def test_evaluation_document_shows_ratings_realisations_feedback_and_signatures(api):
    import datetime as dt

    token = await api.token("bungo", "atasan")
    edges = (await api.ok(EVALUATIONS, None, token))["evaluations"]["edges"]
    this_year = [e["node"] for e in edges if e["node"]["period"]["year"] == dt.date.today().year
                 and e["node"]["period"]["kind"] != "ANNUAL" and e["node"]["assessor"]["supervisor"]]
    evaluation = this_year[0]
    response = await _download(api, evaluation["documentPath"], token)
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    code = response.headers["x-verification-code"]
    for expected in ["DOKUMEN EVALUASI KINERJA PEGAWAI", "PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA",
                     "ATASAN PEJABAT PENILAI KINERJA", "HASIL EVALUASI", "Rating hasil kerja", "Rating perilaku kerja",
                     "Predikat kinerja pegawai", evaluation["predicateLabel"], "REALISASI HASIL KERJA", "Target",
                     "Realisasi", f"{evaluation['period']['name']}:", "UMPAN BALIK",
                     "Jumlah umpan balik berkelanjutan:", evaluation["employee"]["nip"], evaluation["assessor"]["nip"],
                     evaluation["assessor"]["supervisor"]["nip"], "Atasan pejabat penilai kinerja",
                     f"Kode verifikasi: {code}"]:
        assert flat(expected) in text, expected
    snapshot(response.content, "evaluasi")
    verified = (await api.ok(VERIFY, {"c": code}))["verifyDocument"]
    assert verified["kind"] == "EVALUATION" and evaluation["period"]["name"] in verified["subject"]
    assert (await _download(api, evaluation["documentPath"], await api.token("nanggalo", "atasan"))).status_code == 404

    # Penetapan predikat of the assessor's unit for that period, beside the CSV.
    hr = await api.token("bungo", "bkpsdm")
    distribution = (await api.ok(
        "query($u: ID!, $p: ID!) { unitDistribution(orgUnitId: $u, periodId: $p) { documentPath sheetPath "
        "counts { predicate count } } }",
        {"u": evaluation["assessor"]["orgUnit"]["id"], "p": evaluation["period"]["id"]}, hr))["unitDistribution"]
    assert distribution["documentPath"].startswith(distribution["sheetPath"].split("predicates.csv")[0])
    response = await _download(api, distribution["documentPath"], hr)
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    for expected in ["PENETAPAN PREDIKAT KINERJA PEGAWAI", "Predikat kinerja organisasi",
                     "DAFTAR PREDIKAT KINERJA PEGAWAI", "DISTRIBUSI PREDIKAT", "Pimpinan unit kerja",
                     evaluation["employee"]["nip"], evaluation["predicateLabel"], "Sangat Baik", "Butuh Perbaikan"]:
        assert flat(expected) in text, expected
    snapshot(response.content, "penetapan-predikat")
    assert (await _download(api, distribution["documentPath"], await api.token("bungo", "pegawai"))).status_code == 404
    assert (await _download(api, distribution["documentPath"], await api.token("samarinda", "bkpsdm"))
            ).status_code == 404


async def test_pak_statement(api):
    from conftest import approved_plans

    from kinerja.auth.models import User
    from kinerja.org.models import Employee, Period, Position
    from kinerja.org.service import ensure_periods

    tenant = (await rows(Tenant, None, slug="tangerang-selatan"))[0]
    year = 2036
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    annual = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value == "ANNUAL")
    atasan_user = (await rows(User, tenant.id, username="atasan"))[0]
    positions = {p.id: p for p in await rows(Position, tenant.id)}
    member = next(m for m in sorted(await rows(Employee, tenant.id, supervisor_id=atasan_user.employee_id),
                                    key=lambda e: e.nip) if m.position_id and positions[m.position_id].level)
    await approved_plans(tenant.id, [member.id], year)
    atasan = await api.token("tangerang-selatan", "atasan")
    made = (await api.ok("mutation($i: EvaluateEmployeeInput!) { evaluateEmployee(input: $i) { evaluation { id "
                         "creditPoints } userErrors { code } } }",
                         {"i": {"employeeId": f"{_gid('Employee', member.id)}", "periodId": _gid("Period", annual.id),
                                "resultsRating": "DI_ATAS_EKSPEKTASI", "behaviourRating": "SESUAI_EKSPEKTASI"}},
                         atasan))["evaluateEmployee"]
    await api.ok("mutation($id: ID!) { finalizeEvaluation(input: {id: $id}) { userErrors { code } } }",
                 {"id": made["evaluation"]["id"]}, atasan)
    hr = await api.token("tangerang-selatan", "bkpsdm")
    pak = (await api.ok("mutation($i: IssueCreditAssessmentInput!) { issueCreditAssessment(input: $i) { "
                        "creditAssessment { year points total documentPath } userErrors { code } } }",
                        {"i": {"employeeId": _gid("Employee", member.id), "year": year}}, hr)
           )["issueCreditAssessment"]["creditAssessment"]
    response = await _download(api, pak["documentPath"], hr)
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    points = pak["points"].rstrip("0").rstrip(".").replace(".", ",")
    total = pak["total"].rstrip("0").rstrip(".").replace(".", ",")
    for expected in ["PENETAPAN ANGKA KREDIT", f"Tahun {year}", "Angka kredit tahun ini", points,
                     "Jumlah angka kredit kumulatif", total, "RINCIAN KONVERSI PREDIKAT KINERJA", "Baik",
                     "Evaluasi akhir tahun", member.nip, "Pejabat yang menetapkan", annual.name]:
        assert flat(expected) in text, expected
    snapshot(response.content, "pak")
    code = response.headers["x-verification-code"]
    assert (await api.ok(VERIFY, {"c": code}))["verifyDocument"]["kind"] == "PAK"
    assert (await _download(api, pak["documentPath"], await api.token("bungo", "bkpsdm"))).status_code == 404
    assert (await _download(api, pak["documentPath"].replace(str(year), "2035"), hr)).status_code == 404


def _gid(kind: str, value) -> str:
    from kinerja.core.ids import to_global_id

    return to_global_id(kind, value)


async def test_iku_report_of_a_unit_and_year(api):
    import datetime as dt

    from kinerja.auth.models import User
    from kinerja.org.models import Employee, Period

    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    year = dt.date.today().year
    kepala_user = (await rows(User, tenant.id, username="kepala"))[0]
    kepala = (await rows(Employee, tenant.id, id=kepala_user.employee_id))[0]
    annual = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value == "ANNUAL")
    token = await api.token("bungo", "kepala")
    data = await api.ok("query($u: ID!, $p: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name target "
                        "unitOfMeasure } unitAchievement(orgUnitId: $u, periodId: $p) { ikuReportPath achievement "
                        "orgUnit { name } } }",
                        {"u": _gid("OrgUnit", kepala.org_unit_id), "p": _gid("Period", annual.id), "y": year}, token)
    indicators, achievement = data["unitIndicators"], data["unitAchievement"]
    assert indicators
    response = await _download(api, achievement["ikuReportPath"], token)
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    for expected in ["LAPORAN CAPAIAN INDIKATOR KINERJA UTAMA", "CAPAIAN INDIKATOR KINERJA UTAMA",
                     "Capaian kinerja unit", f"Tahun : {year}", "Realisasi per periode", "Pimpinan unit kerja",
                     kepala.nip, achievement["orgUnit"]["name"]]:
        assert flat(expected) in text, expected
    for indicator in indicators:
        assert flat(indicator["name"])[:20] in text, indicator["name"]
    if achievement["achievement"] is not None:
        assert f"{float(achievement['achievement']):.2f}".replace(".", ",").rstrip("0").rstrip(",") in text
    snapshot(response.content, "capaian-iku")
    code = response.headers["x-verification-code"]
    assert (await api.ok(VERIFY, {"c": code}))["verifyDocument"]["kind"] == "IKU_REPORT"
    # The unit's achievement is the rule's (goals/rules.py: unit_achievement), as unitAchievement gives it.
    from decimal import Decimal

    from kinerja.goals.documents import percent

    signed = (await rows(IssuedDocument, tenant.id, code=code))[0].content
    assert signed["capaian_unit"] == percent(None if achievement["achievement"] is None
                                             else Decimal(achievement["achievement"]))
    assert (await _download(api, achievement["ikuReportPath"], await api.token("nanggalo", "kepala"))).status_code == 404


async def test_letterhead_and_logo_from_the_tenant_settings(api):
    import base64

    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(image, format="PNG")
    tenant = (await rows(Tenant, None, slug="tebingtinggi"))[0]
    settings = {**tenant.settings, "letterhead": ["Jl. Sutomo No. 14, Tebing Tinggi", "Telepon (0621) 21001"],
                "logo": base64.b64encode(image.getvalue()).decode(), "document_place": "Tebing Tinggi",
                "public_base_url": "https://kinerja.tebingtinggikota.go.id/"}
    from kinerja.tenancy.rules import TenantSettings

    TenantSettings.from_dict(settings)  # what the tenant file would be checked with
    async with tenant_transaction(None):
        await Tenant.filter(id=tenant.id).update(settings=settings)
    try:
        token = await api.token("tebingtinggi", "pegawai")
        plan = await _own_plan(api, token)
        response = await _download(api, plan["documentPath"], token)
        code = response.headers["x-verification-code"]
        reader = PdfReader(io.BytesIO(response.content))
        text = flat(pdf_text(response.content))
        for expected in ["Jl. Sutomo No. 14, Tebing Tinggi", "Telepon (0621) 21001", "Tebing Tinggi, ",
                         f"https://kinerja.tebingtinggikota.go.id/verify/{code}"]:
            assert expected in text, expected
        assert len(reader.pages[0].images) == 1  # the logo (the QR code is at the end of the last page)
        assert sum(len(page.images) for page in reader.pages) == 2
        snapshot(response.content, "skp-kop-logo")
    finally:
        async with tenant_transaction(None):
            await Tenant.filter(id=tenant.id).update(settings=tenant.settings)


def test_signing_keys_and_rotation():
    import base64

    import pytest

    from kinerja.core.config import ConfigError, Settings
    from kinerja.core.signing import keyring, public_key_b64

    old_seed, new_seed = base64.b64encode(b"\x01" * 32).decode(), base64.b64encode(b"\x02" * 32).decode()
    content = {"jenis": "SKP", "subjek": "Budi", "angka": "12,5", "\u00e9": ["\u00fc", 1]}
    old = keyring(Settings(mode="production", secret_key="x" * 32, signing_key=old_seed, signing_key_id="k1"))
    key_id, signature = old.sign(content)
    assert key_id == "k1" and old.verify(dict(reversed(list(content.items()))), "k1", signature)  # key order
    assert not old.verify({**content, "angka": "13"}, "k1", signature)
    old_public = public_key_b64(old.public["k1"])
    rotated = keyring(Settings(mode="production", secret_key="x" * 32, signing_key=new_seed, signing_key_id="k2",
                               signing_public_keys=f"k1:{old_public}"))
    assert rotated.verify(content, "k1", signature) and rotated.sign(content)[0] == "k2"
    retired = keyring(Settings(mode="production", secret_key="x" * 32, signing_key=new_seed, signing_key_id="k2"))
    assert not retired.verify(content, "k1", signature)
    with pytest.raises(Exception, match="KINERJA_SIGNING_KEY"):
        keyring(Settings(mode="production", secret_key="x" * 32)).sign(content)
    with pytest.raises(ConfigError):
        keyring(Settings(mode="production", secret_key="x" * 32, signing_key="not base64!"))
    with pytest.raises(ConfigError):
        keyring(Settings(mode="production", secret_key="x" * 32, signing_public_keys="k1"))


async def test_a_download_route_audits_what_it_changes(api, app):
    """``scoped_response`` audits as a GraphQL operation does: what the work changes is stored with the
    actor in the same transaction, rolled back with it, and what runs after the commit runs then."""
    import uuid

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from kinerja.auth.http import scoped_response
    from kinerja.auth.models import User
    from kinerja.core import clock
    from kinerja.core.audit_models import AuditLog
    from kinerja.core.errors import NotFound
    from kinerja.core.signing import content_hash, keyring
    from kinerja.documents.rules import DocumentKind, new_code

    committed: list[uuid.UUID] = []

    async def record_statement(request):
        async def work(ctx):
            content = {"jenis": "PAK", "penerbit": "Uji", "subjek": f"Uji {uuid.uuid4()}", "tanggal": "-"}
            key_id, signature = keyring(ctx.settings).sign(content)
            row = await IssuedDocument.create(
                tenant_id=ctx.require_tenant(), code=new_code("bungo"), kind=DocumentKind.PAK,
                subject_key=content["subjek"], subject_id=uuid.uuid4(), issued_by_id=ctx.actor.user_id,
                issued_at=clock.now(), content_hash=content_hash(content), content=content, signature=signature,
                key_id=key_id)
            ctx.after_commit.append(lambda: committed.append(row.id))
            if request.query_params.get("fail"):
                raise NotFound()
            return JSONResponse({"id": str(row.id)})

        return await scoped_response(request, work)

    probe = Starlette(routes=[Route("/probe", record_statement)])
    probe.state.settings = app.state.settings
    token = await api.token("bungo", "pegawai")
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    user = (await rows(User, tenant.id, username="pegawai"))[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=probe, client=("10.1.2.3", 1234)),
                                 base_url="http://test") as client:
        done = await client.get("/probe", headers={"authorization": f"Bearer {token}"})
        assert done.status_code == 200, done.text
        row_id = uuid.UUID(done.json()["id"])
        entries = await rows(AuditLog, tenant.id, object_id=row_id)
        assert [(e.operation, e.object_type, e.actor_user_id) for e in entries] == [
            ("record_statement", "IssuedDocument", user.id)]
        assert committed == [row_id]

        refused = await client.get("/probe?fail=1", headers={"authorization": f"Bearer {token}"})
        assert refused.status_code == 404 and committed == [row_id]  # rolled back: nothing runs after
    assert len(await rows(AuditLog, tenant.id, operation="record_statement")) == 1


async def test_a_flood_of_verifications_gets_the_public_rate_limit_answer(app):
    """The verify page and ``verifyDocument`` spend the limit public reads of a code spend
    (``citizen/service.py: track_limit``), per tenant and address, page and query alike."""
    import random

    import httpx

    from kinerja.citizen.service import track_limit
    from kinerja.tenancy.rules import TenantSettings

    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311 - a test address
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    _bucket, limit, _window = track_limit(address, TenantSettings.from_dict(tenant.settings))
    code = "bungo.AAAAAAAAAAAAAAAA"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)),
                                 base_url="http://test") as client:
        for n in range(limit):
            if n % 2:
                answer = await client.post("/graphql", json={"query": VERIFY, "variables": {"c": code}})
                assert answer.json()["data"]["verifyDocument"]["status"] == "UNKNOWN", answer.text
            else:
                assert (await client.get(f"/verify/{code}")).status_code == 404
        page = await client.get(f"/verify/{code}")
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        assert "Terlalu banyak permintaan" in page.text and "<script" not in page.text
        answer = await client.post("/graphql", json={"query": VERIFY, "variables": {"c": code}})
        assert answer.status_code == 429 and error_codes(answer.json()) == ["RATE_LIMITED"], answer.text
        assert answer.json()["errors"][0]["extensions"]["retryAfter"] > 0
        # Another tenant's codes are counted in that tenant; an unknown tenant spends nothing.
        assert (await client.get("/verify/nanggalo.AAAAAAAAAAAAAAAA")).status_code == 404
        assert (await client.get("/verify/atlantis.AAAAAAAAAAAAAAAA")).status_code == 404
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 1234)),
                                 base_url="http://test") as other:
        assert (await other.get(f"/verify/{code}")).status_code == 404  # another address is not refused


def test_dates_and_latin_text_have_one_home():
    """Today in a tenant's time zone, Indonesian month names and the PDF fonts' Latin-1 text are each
    written once, in core/ (``clock.today_in``, ``dates.MONTHS``, ``pdf.latin``)."""
    import datetime as dt
    import re

    from kinerja.core import clock, dates
    from kinerja.core.pdf import latin

    late_evening = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # 1 April, 03:00 in Jakarta
    assert clock.today_in("Asia/Jakarta", late_evening) == dt.date(2026, 4, 1)
    assert clock.today_in("Nowhere/Atlantis", late_evening) == dt.date(2026, 3, 31)  # unknown: UTC
    assert dates.tanggal(dt.date(2026, 12, 3)) == "3 Desember 2026" and latin("Łódź €") == "?ód? ?"
    source = Path(__file__).resolve().parents[1] / "src" / "kinerja"
    twice = {pattern: sorted(str(path.relative_to(source)) for path in source.rglob("*.py")
                             if re.search(pattern, path.read_text()))
             for pattern in (r"ZoneInfo\(", r"\"Januari\"", r"encode\(\"latin-1\", \"replace\"\)")}
    assert twice == {r"ZoneInfo\(": ["core/clock.py"], r"\"Januari\"": ["core/dates.py"],
                     r"encode\(\"latin-1\", \"replace\"\)": ["core/pdf.py"]}
