"""GET /verify/{code}: the public verification page of an issued document (no login, no external
asset, in Indonesian). It shows only what the document itself shows: issuer, subject, date, hash."""

from __future__ import annotations

import base64
import hashlib
import html

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kinerja.auth.http import new_context
from kinerja.core.db import tenant_transaction
from kinerja.core.errors import BadUserInput, Forbidden, NotFound, RateLimited
from kinerja.documents.rules import KIND_TITLES, Verdict, VerificationStatus
from kinerja.documents.service import verify

STYLE = ("body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}"
         "h1{font-size:1.4rem}.ok{color:#0a6b2d}.bad{color:#a40000}dt{font-weight:600;margin-top:.6rem}"
         "dd{margin:0;word-break:break-all}footer{margin-top:2rem;font-size:.85rem;color:#666}")
# Only this page's own style runs: no script, no other source.
CSP = (f"default-src 'none'; style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def _page(title: str, body: str, status: int) -> HTMLResponse:
    document = (f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width,initial-scale=1">'
                f'<meta name="robots" content="noindex"><title>{html.escape(title)}</title>'
                f"<style>{STYLE}</style></head><body>{body}"
                f"<footer>Verifikasi dokumen elektronik. Tanda tangan: Ed25519 atas isi dokumen (SHA-256).</footer>"
                f"</body></html>")
    return HTMLResponse(document, status_code=status, headers={"content-security-policy": CSP})


def render(verdict: Verdict) -> HTMLResponse:
    if verdict.status is VerificationStatus.UNKNOWN:
        return _page("Dokumen tidak dikenal", '<h1 class="bad">Kode verifikasi tidak dikenal</h1>'
                     "<p>Tidak ada dokumen yang diterbitkan dengan kode ini. Periksa kembali kode pada dokumen.</p>",
                     404)
    if verdict.status is VerificationStatus.ALTERED:
        return _page("Dokumen tidak valid", '<h1 class="bad">Dokumen tidak valid / telah diubah</h1>'
                     "<p>Catatan dokumen dengan kode ini tidak lagi cocok dengan tanda tangan elektroniknya. "
                     "Jangan gunakan dokumen ini; hubungi instansi penerbit.</p>", 200)
    rows = [("Jenis dokumen", KIND_TITLES[verdict.kind] if verdict.kind else ""),
            ("Penerbit", verdict.issuer or ""), ("Subjek", verdict.subject or ""),
            ("Tanggal dokumen", verdict.date or ""),
            ("Hash isi (SHA-256)", verdict.content_hash or "")]
    items = "".join(f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in rows)
    return _page("Dokumen asli", '<h1 class="ok">Dokumen asli</h1>'
                 "<p>Dokumen ini diterbitkan dan ditandatangani secara elektronik oleh sistem. "
                 "Isinya harus sama dengan yang tercantum di bawah ini.</p>"
                 f"<dl>{items}</dl>", 200)


def too_many(retry_after: int) -> HTMLResponse:
    response = _page("Terlalu banyak permintaan", '<h1 class="bad">Terlalu banyak permintaan</h1>'
                     f"<p>Coba lagi dalam {retry_after} detik.</p>", 429)
    response.headers["retry-after"] = str(retry_after)
    return response


async def verify_page(request: Request) -> HTMLResponse:
    """Answered as the other public pages are (``citizen/http.py: public_report_csv``): a transaction
    bound to no tenant until ``verify`` binds the one the code names."""
    try:
        async with tenant_transaction(None):
            ctx = new_context(request.app.state.settings, request)
            verdict = await verify(ctx, request.path_params["code"])
    except RateLimited as exc:
        return too_many(exc.retry_after)
    except (NotFound, Forbidden, BadUserInput):
        verdict = Verdict(VerificationStatus.UNKNOWN)
    return render(verdict)
