"""Uploaded files, through the API, on both storage backends: the local filesystem and an S3-compatible
object store (moto's server, started here). Sound files of every type are stored and downloaded;
hostile ones are refused and leave nothing; a rolled-back operation leaves no file; a full upload
disk answers 503 and leaves no partial file."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import uuid

import httpx
import pytest
import samples
from conftest import _free_port, error_codes, rows
from filesystems import fill, tiny_filesystem

from kinerja.app import create_app
from kinerja.core.db import tenant_transaction
from kinerja.org.service import ensure_periods
from kinerja.plans.models import Evidence
from kinerja.tenancy.models import Tenant
from kinerja.training.models import TrainingRecord

YEAR = 2028
TENANT = "tangerang-selatan"
RECORD_TRAINING = ("mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id certificateSha256 } "
                   "userErrors { field code message } } }")
RECORD = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) { realisation { id evidence { "
          "fileName sha256 downloadPath } } userErrors { field code message } } }")
BUCKET = "kinerja-files"


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3-compatible server on a loopback port, with a bucket, for this module."""
    from moto.server import ThreadedMotoServer

    previous = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="kinerja-test", AWS_SECRET_ACCESS_KEY="kinerja-test-secret",
                      AWS_DEFAULT_REGION="us-east-1")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class Stored:
    """What a storage backend holds, read without the application."""

    def __init__(self, settings):
        self.settings = settings

    def listing(self) -> set[str]:
        if self.settings.storage == "s3":
            import boto3

            client = boto3.client("s3", endpoint_url=self.settings.s3_endpoint_url, region_name="us-east-1")
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=self.settings.s3_prefix)
            return {o["Key"].removeprefix(self.settings.s3_prefix + "/") for p in pages for o in p.get("Contents", [])}
        root = self.settings.upload_dir
        return {os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files}


@pytest.fixture(params=["local", "s3"])
async def files_api(request, database, api, tmp_path):
    """An HTTP client of the app with its files on the backend of the parameter, and a view of them."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        settings = dataclasses.replace(database, storage="s3", s3_bucket=BUCKET, s3_endpoint_url=endpoint,
                                       s3_prefix=f"run-{uuid.uuid4().hex[:8]}", s3_region="us-east-1")
    else:
        settings = dataclasses.replace(database, upload_dir=str(tmp_path / "uploads"))
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, Stored(settings), settings


async def _post(client, query, variables, token):
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def _file(name: str, content_type: str, content: bytes) -> dict:
    return {"fileName": name, "contentType": content_type, "contentBase64": base64.b64encode(content).decode()}


def _training(certificate: dict | None, title: str = "Pelatihan berkas") -> dict:
    return {"i": {"title": title, "kind": "WORKSHOP", "organiser": "BKPSDM", "startsOn": "2026-03-02",
                  "endsOn": "2026-03-03", "jp": 4, "completed": True, **({"certificate": certificate} if certificate else {})}}


@pytest.fixture(scope="module")
async def indicator(database):
    """An indicator of an approved plan with periods open for realisation (pegawai of tangerang-selatan)."""
    from conftest import Api

    tenant = (await rows(Tenant, None, slug=TENANT))[0]
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, YEAR)
    app = create_app(database, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        api = Api(client)
        pegawai, atasan = await api.token(TENANT, "pegawai"), await api.token(TENANT, "atasan")
        plan = (await api.ok("mutation($i: CreatePerformancePlanInput!) { createPerformancePlan(input: $i) "
                             "{ plan { id } userErrors { code message } } }",
                             {"i": {"year": YEAR, "approach": "KUANTITATIF"}}, pegawai))["createPerformancePlan"]["plan"]
        result = (await api.ok("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
                               "userErrors { code message } } }", {"i": {"planId": plan["id"], "kind": "UTAMA",
                                                                         "description": "Laporan berkas"}}, pegawai))
        result_id = result["addResultTarget"]["resultTarget"]["id"]
        added = (await api.ok("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id } } }",
                              {"i": {"resultId": result_id, "aspect": "KUANTITAS", "description": "Jumlah",
                                     "targetValue": "4", "targetUnit": "dokumen"}}, pegawai))
        for mutation, token in (("submitPerformancePlan", pegawai), ("approvePerformancePlan", atasan)):
            answer = await api.ok(f"mutation($id: ID!) {{ {mutation}(input: {{id: $id}}) {{ userErrors {{ code message }} }} }}",
                                  {"id": plan["id"]}, token)
            assert answer[mutation]["userErrors"] == [], answer
        periods = (await api.ok(f"{{ periods(year: {YEAR}) {{ id kind }} }}", token=pegawai))["periods"]
    period = next(p["id"] for p in periods if p["kind"] != "ANNUAL")
    return added["addIndicator"]["indicator"]["id"], period


SOUND = [
    ("laporan.pdf", "application/pdf", lambda tag: samples.pdf(f"Bukti {tag}")),
    # Sizes from the tag: every run's images differ (the same content is attached to a realisation once).
    ("foto.png", "image/png", lambda tag: samples.image("PNG", (40 + int(tag[:4], 16) % 200, 30 + int(tag[4:8], 16) % 200))),
    ("foto.jpg", "image/jpeg", lambda tag: samples.image("JPEG", (50 + int(tag[8:12], 16) % 200, 20 + int(tag[12:16], 16) % 200))),
    ("catatan.docx", samples.DOCX, lambda tag: samples.ooxml(samples.DOCX, extra={"docProps/tag.xml": tag.encode()})),
    ("tabel.xlsx", samples.XLSX, lambda tag: samples.ooxml(samples.XLSX, extra={"docProps/tag.xml": tag.encode()})),
]


async def test_sound_files_are_stored_and_downloaded_on_both_backends(files_api, api, indicator):
    client, stored, _ = files_api
    pegawai = await api.token(TENANT, "pegawai")
    tag = uuid.uuid4().hex
    files = [(name, kind, make(tag)) for name, kind, make in SOUND]
    answer = (await _post(client, RECORD, {"i": {"indicatorId": indicator[0], "periodId": indicator[1], "value": "1",
                                                 "evidence": [_file(*f) for f in files]}}, pegawai))["data"]
    assert answer["recordRealisation"]["userErrors"] == [], answer
    evidence = answer["recordRealisation"]["realisation"]["evidence"]
    tenant = (await rows(Tenant, None, slug=TENANT))[0]
    by_name = {item["fileName"]: item for item in evidence}
    assert set(by_name) == {name for name, _, _ in files}
    for name, kind, content in files:
        item = by_name[name]
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
        assert f"{tenant.id}/{item['sha256'][:2]}/{item['sha256']}" in stored.listing()
        download = await client.get(item["downloadPath"], headers={"authorization": f"Bearer {pegawai}"})
        assert download.status_code == 200 and download.content == content
        assert download.headers["content-type"].startswith(kind) and name in download.headers["content-disposition"]
    outsider = await api.token("bungo", "admin")
    assert (await client.get(by_name["laporan.pdf"]["downloadPath"], headers={"authorization": f"Bearer {outsider}"})).status_code == 404

    certificate = samples.pdf(f"Sertifikat {tag}")
    recorded = (await _post(client, RECORD_TRAINING, _training(_file("sertifikat.pdf", "application/pdf", certificate)),
                            pegawai))["data"]["recordTraining"]
    assert recorded["userErrors"] == []
    path = f"/certificates/{recorded['record']['id']}"
    download = await client.get(path, headers={"authorization": f"Bearer {pegawai}"})
    assert download.status_code == 200 and download.content == certificate
    assert (await client.get(path, headers={"authorization": f"Bearer {outsider}"})).status_code == 404
    assert (await client.get(path)).status_code == 401


HOSTILE = [
    ("a PDF header on an executable", "application/pdf", b"%PDF-1.7\n" + samples.EXE + b"\n%%EOF\n", "PDF"),
    ("an executable after a PDF", "application/pdf", samples.pdf() + samples.EXE, "PDF"),
    ("a PDF with JavaScript", "application/pdf", samples.pdf_with_javascript(), "scripts"),
    ("a PNG that does not decode", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64 + b"IEND\xaeB`\x82", "PNG"),
    ("a JPEG cut short", "image/jpeg", samples.image("JPEG", (300, 200))[:400], "JPEG"),
    ("a PNG declared as JPEG", "image/jpeg", samples.image("PNG"), "JPEG"),
    ("a decompression bomb", "image/png", samples.image("PNG", (10000, 10000), "1"), "megapixels"),
    ("a zip bomb declared as DOCX", samples.DOCX, samples.zip_bomb(), "zip bomb"),
    ("a zip holding an .exe", samples.DOCX, samples.ooxml(extra={"word/media/setup.exe": samples.EXE}), "program"),
    ("an executable renamed inside", samples.XLSX, samples.ooxml(samples.XLSX, extra={"xl/media/a.png": samples.EXE}),
     "program"),
    ("macros in a DOCX", samples.DOCX, samples.ooxml(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60}),
     "macro"),
    ("a DOCX without [Content_Types].xml", samples.DOCX, samples.ooxml(content_types=False), "Content_Types"),
    ("a DOCX declared as XLSX", samples.XLSX, samples.ooxml(samples.DOCX), "XLSX"),
    ("a plain executable", samples.DOCX, samples.EXE, "DOCX"),
]


@pytest.mark.parametrize(("what", "content_type", "content", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_files_are_refused_and_nothing_is_stored(files_api, api, indicator, what, content_type, content,
                                                              words):
    client, stored, _ = files_api
    pegawai = await api.token(TENANT, "pegawai")
    before = stored.listing()
    tenant = (await rows(Tenant, None, slug=TENANT))[0]
    evidence_before = len(await rows(Evidence, tenant.id))
    upload = _file("bukti.bin", content_type, content)
    answer = (await _post(client, RECORD, {"i": {"indicatorId": indicator[0], "periodId": indicator[1], "value": "1",
                                                 "evidence": [upload]}}, pegawai))["data"]["recordRealisation"]
    assert answer["realisation"] is None and [e["code"] for e in answer["userErrors"]] == ["BAD_USER_INPUT"]
    assert words in answer["userErrors"][0]["message"], answer
    training = (await _post(client, RECORD_TRAINING, _training(upload), pegawai))["data"]["recordTraining"]
    assert training["record"] is None and training["userErrors"][0]["field"] == "certificate", training
    assert stored.listing() == before
    assert len(await rows(Evidence, tenant.id)) == evidence_before


@pytest.mark.parametrize("name", ["laporan\x00.pdf", "a\u202efdp.exe", "\x1b[31m.pdf", "", "   ", "x" * 256])
async def test_bad_file_names_are_refused_before_anything_is_stored(files_api, api, name):
    client, stored, _ = files_api
    pegawai = await api.token(TENANT, "pegawai")
    before = stored.listing()
    answer = (await _post(client, RECORD_TRAINING, _training(_file(name, "application/pdf",
                                                                   samples.pdf(uuid.uuid4().hex))), pegawai))
    training = answer["data"]["recordTraining"]
    assert training["record"] is None and training["userErrors"][0]["field"] == "certificate", training
    assert "fileName" in training["userErrors"][0]["message"]
    assert stored.listing() == before


async def test_an_operation_that_rolls_back_leaves_no_file(files_api, api):
    """The certificate is stored, then a later field of the same document fails: the operation's
    transaction rolls back, and the file it stored goes with it."""
    client, stored, _ = files_api
    pegawai = await api.token(TENANT, "pegawai")
    tenant = (await rows(Tenant, None, slug=TENANT))[0]
    content = samples.pdf(f"Dibatalkan {uuid.uuid4().hex}")
    key = f"{tenant.id}/{hashlib.sha256(content).hexdigest()[:2]}/{hashlib.sha256(content).hexdigest()}"
    document = ("mutation($i: RecordTrainingInput!, $bad: RecordTrainingInput!) { "
                "first: recordTraining(input: $i) { record { id } userErrors { code } } "
                "second: recordTraining(input: $bad) { record { id } userErrors { code } } }")
    bad = _training(None, title="")["i"]
    body = await _post(client, document, {"i": _training(_file("batal.pdf", "application/pdf", content))["i"],
                                          "bad": bad}, pegawai)
    assert body["data"]["second"]["userErrors"], body
    assert key not in stored.listing()
    assert await rows(TrainingRecord, tenant.id, certificate_sha256=hashlib.sha256(content).hexdigest()) == []
    # The same file alone is stored; a second operation storing it again keeps the one copy.
    for _ in range(2):
        alone = (await _post(client, RECORD_TRAINING, _training(_file("batal.pdf", "application/pdf", content)),
                             pegawai))["data"]["recordTraining"]
        assert alone["userErrors"] == []
    assert key in stored.listing()
    # A rolled-back operation does not delete a file that another one stored before it.
    await _post(client, document, {"i": _training(_file("batal.pdf", "application/pdf", content))["i"], "bad": bad},
                pegawai)
    assert key in stored.listing()


async def test_a_full_upload_disk_answers_503_and_leaves_no_partial_file(database, api):
    pegawai = await api.token(TENANT, "pegawai")
    tenant = (await rows(Tenant, None, slug=TENANT))[0]
    with tiny_filesystem(1024) as disk:
        settings = dataclasses.replace(database, upload_dir=str(disk / "uploads"), upload_min_free_bytes=64 * 1024)
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            assert (await client.get("/readyz")).json()["uploads"] == "ok"
            filler = fill(disk)
            content = samples.pdf(f"Penuh {uuid.uuid4().hex}" * 20)
            response = await client.post("/graphql", json={"query": RECORD_TRAINING, "variables": _training(
                _file("penuh.pdf", "application/pdf", content))}, headers={"authorization": f"Bearer {pegawai}"})
            ready = await client.get("/readyz")
            left = sorted(str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file())
            written = await rows(TrainingRecord, tenant.id, certificate_sha256=hashlib.sha256(content).hexdigest())
            filler.unlink()
            again = await client.post("/graphql", json={"query": RECORD_TRAINING, "variables": _training(
                _file("penuh.pdf", "application/pdf", content))}, headers={"authorization": f"Bearer {pegawai}"})
            ready_again = await client.get("/readyz")
    print(f"\nfull upload disk: {response.status_code} {error_codes(response.json())}, /readyz {ready.status_code} "
          f"{ready.json()}; files left: {left}; space freed: {again.status_code}, /readyz {ready_again.status_code}")
    assert response.status_code == 503 and error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
    assert response.json()["errors"][0]["message"] == "File storage unavailable, retry shortly"
    assert response.headers["retry-after"].isdigit()
    assert left == ["filler"]  # no partial file
    assert written == []  # and no row
    assert ready.status_code == 503 and ready.json()["uploads"].startswith("upload storage full")
    assert again.status_code == 200 and again.json()["data"]["recordTraining"]["userErrors"] == []
    assert len(await rows(TrainingRecord, tenant.id, certificate_sha256=hashlib.sha256(content).hexdigest())) == 1
    assert ready_again.status_code == 200


async def test_readyz_reports_an_unreachable_object_store(database, s3_endpoint):
    settings = dataclasses.replace(database, storage="s3", s3_bucket="no-such-bucket", s3_endpoint_url=s3_endpoint,
                                   s3_region="us-east-1")
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503 and "object storage" in ready.json()["uploads"], ready.json()
    settings = dataclasses.replace(settings, s3_bucket=BUCKET, s3_endpoint_url=f"http://127.0.0.1:{_free_port()}")
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503 and "object storage" in ready.json()["uploads"], ready.json()

