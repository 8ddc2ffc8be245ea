"""Sample files for upload tests, made on the fly: sound ones of every accepted type, and the hostile
ones content validation must refuse."""

from __future__ import annotations

import io
import zipfile
from functools import cache

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


@cache
def pdf(text: str = "Bukti dukung") -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=12)
    document.cell(0, 10, text)
    return bytes(document.output())


def pdf_with_javascript() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.add_open_action(JavaScript("app.alert('hi');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, 200 if mode != "RGB" else (20, 120, 200)).save(out, format=fmt)
    return out.getvalue()


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="{part}" ContentType="{main}"/>
</Types>"""
_MAIN = {
    DOCX: ("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>Bukti</w:t></w:r></w:p></w:body></w:document>'),
    XLSX: ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
           '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'),
}


def ooxml(kind: str = DOCX, *, extra: dict[str, bytes] | None = None, main_type: str | None = None,
          content_types: bool = True) -> bytes:
    part, main, body = _MAIN[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        if content_types:
            package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(part=part, main=main_type or main))
        package.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                        'relationships"/>')
        package.writestr(part.lstrip("/"), body)
        for name, content in (extra or {}).items():
            package.writestr(name, content)
    return out.getvalue()


def zip_bomb(kind: str = DOCX) -> bytes:
    """A valid-looking package whose one part inflates 64 MiB of zeros from about 64 KB."""
    return ooxml(kind, extra={"word/media/padding.xml": b"\x00" * (64 * 1024 * 1024)})
