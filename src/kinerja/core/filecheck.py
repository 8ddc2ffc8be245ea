"""Uploaded files checked by their content, not by their first bytes: a PDF must parse as a PDF (pypdf),
a PNG or JPEG must decode (Pillow), a DOCX or XLSX must be a sound Office Open XML package. Each
check answers None when the file is acceptable, else a short reason for the uploader (never the
file's own bytes).

What is refused, and why:
- PDF: no parsable structure (catalog, page tree, at least one page), bytes after the last ``%%EOF``
  (a payload appended to a document), encryption (the supervisor could not read it), and active
  content: JavaScript, launch actions, embedded files.
- PNG and JPEG: a format other than the declared one, an image that does not decode whole, more than
  ``MAX_PIXELS`` pixels (a decompression bomb; a PNG decodes at full size, a JPEG at 1/8), bytes after
  a PNG's IEND chunk.
- DOCX and XLSX: not a zip, more than ``MAX_ENTRIES`` entries, more than ``MAX_UNCOMPRESSED_BYTES``
  once inflated or a compression ratio over ``MAX_RATIO`` (zip bombs), encrypted or unusually
  compressed entries, unsafe entry names, no ``[Content_Types].xml`` or a main part of another kind
  (a macro-enabled document declared as DOCX), macros, OLE objects and executables inside (by name
  and by their first bytes).
"""

from __future__ import annotations

import io
import re
import stat
import warnings
import zipfile
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A PNG is decoded whole (4 bytes a pixel); a JPEG at 1/8 of its size.
MAX_PIXELS = {"PNG": 25_000_000, "JPEG": 64_000_000}
MAX_PDF_PAGES = 2_000
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100


def content_problem(content: bytes, content_type: str) -> str | None:
    """Why ``content`` is not an acceptable file of ``content_type`` (None when it is)."""
    check = _CHECKS.get(content_type)
    if check is None:
        return "Allowed file types: PDF, PNG, JPEG, DOCX, XLSX"
    return check(content)


# --- PDF -------------------------------------------------------------------------------------------

_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm"}


def _pdf_problem(content: bytes) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not content.startswith(b"%PDF-"):
        return "The file is not a PDF"
    tail = content[-2048:]
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail[end + 5:].strip(b"\r\n\t \x00"):
        return "The PDF does not end where its structure ends"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                return "Password-protected or encrypted PDFs are not accepted"
            # The catalogue is a dictionary in every readable PDF; anything else fails below (AttributeError).
            root: Any = reader.trailer["/Root"].get_object()
            pages = len(reader.pages)
            if not 1 <= pages <= MAX_PDF_PAGES:
                return f"A PDF must have 1 to {MAX_PDF_PAGES} pages"
            names = root.get("/Names")
            names = names.get_object() if names is not None else {}
            if "/JavaScript" in names or "/EmbeddedFiles" in names:
                return "PDFs with scripts or embedded files are not accepted"
            if _active(root.get("/OpenAction")) or "/AA" in root:
                return "PDFs with scripts or automatic actions are not accepted"
            for page in reader.pages:
                if "/AA" in page:
                    return "PDFs with scripts or automatic actions are not accepted"
                for annotation in page.get("/Annots") or []:
                    annotation = annotation.get_object()
                    if _active(annotation.get("/A")) or "/AA" in annotation:
                        return "PDFs with scripts or automatic actions are not accepted"
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError, OSError,
            AssertionError, ZeroDivisionError):
        return "The PDF cannot be read"
    return None


def _active(action: Any) -> bool:
    if action is None:
        return False
    action = action.get_object()
    return hasattr(action, "get") and action.get("/S") in _ACTIVE_ACTIONS


# --- images ----------------------------------------------------------------------------------------

def _image_problem(content: bytes, expected: str) -> str | None:
    from PIL import Image

    if expected == "PNG" and not content.endswith(b"IEND\xaeB`\x82"):
        return "The PNG does not end where its image ends"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                if image.width * image.height > MAX_PIXELS[expected]:
                    return f"{expected} images may have at most {MAX_PIXELS[expected] // 1_000_000} megapixels"
                image.verify()
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                if expected == "JPEG":
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))  # decode at 1/8 size
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"{expected} images may have at most {MAX_PIXELS[expected] // 1_000_000} megapixels"
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, MemoryError):
        return f"The file is not a complete {expected} image"
    return None


# --- Office Open XML -------------------------------------------------------------------------------

_MAIN_PARTS = {
    DOCX: ("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
_EXECUTABLE_NAMES = re.compile(
    r"\.(exe|dll|com|scr|pif|cpl|msi|msp|bat|cmd|ps1|psm1|vbs|vbe|js|jse|wsf|wsh|hta|jar|sh|elf|so|dylib|app|"
    r"lnk|reg|apk|dmg|iso)$|(^|/)vbaProject\.bin$|(^|/)oleObject\d*\.bin$|\.(docm|xlsm|pptm|dotm|xltm)$",
    re.IGNORECASE)
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!",
                     b"\xd0\xcf\x11\xe0")  # PE, ELF, Mach-O, scripts, OLE compound files (macros, objects)
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _ooxml_problem(content: bytes, content_type: str) -> str | None:
    kind = "DOCX" if content_type == DOCX else "XLSX"
    if not content.startswith(b"PK\x03\x04"):
        return f"The file is not {_article(kind)} {kind} document"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ENTRIES:
                return f"The {kind} document has more than {MAX_ENTRIES} parts"
            names = [e.filename for e in entries]
            if len(set(names)) != len(names):
                return f"The {kind} document is not a sound package"
            declared = sum(e.file_size for e in entries)
            if declared > MAX_UNCOMPRESSED_BYTES or declared > MAX_RATIO * max(len(content), 1):
                return f"The {kind} document inflates too much (a zip bomb?)"
            for entry in entries:
                if problem := _entry_problem(entry, kind):
                    return problem
            if "[Content_Types].xml" not in names:
                return f"The {kind} document has no [Content_Types].xml"
            inflated = 0
            for entry in entries:
                with package.open(entry) as stream:
                    head = stream.read(8)
                    if entry.filename != "[Content_Types].xml" and head.startswith(_EXECUTABLE_MAGIC):
                        return f"The {kind} document holds a program or macro"
                    inflated += len(head)
                    while chunk := stream.read(1 << 16):
                        inflated += len(chunk)
                        if inflated > MAX_UNCOMPRESSED_BYTES:
                            return f"The {kind} document inflates too much (a zip bomb?)"
            return _content_types_problem(package.read("[Content_Types].xml"), content_type, kind)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError, KeyError):
        return f"The {kind} document cannot be read"


def _entry_problem(entry: zipfile.ZipInfo, kind: str) -> str | None:
    name = entry.filename
    if (entry.flag_bits & 0x1) or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"The {kind} document has encrypted or unusually compressed parts"
    if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or "\x00" in name:
        return f"The {kind} document has an unsafe part name"
    if stat.S_ISLNK(entry.external_attr >> 16):
        return f"The {kind} document has an unsafe part name"
    if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO and entry.file_size > 1 << 20:
        return f"The {kind} document inflates too much (a zip bomb?)"
    if _EXECUTABLE_NAMES.search(name):
        return f"The {kind} document holds a program or macro"
    return None


def _content_types_problem(xml: bytes, content_type: str, kind: str) -> str | None:
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        return f"The {kind} document is not a sound package"
    try:
        types = ElementTree.fromstring(xml)  # noqa: S314 - DTDs and entities are refused above, sizes before
    except ElementTree.ParseError:
        return f"The {kind} document is not a sound package"
    declared = [(e.get("PartName", ""), e.get("ContentType", "")) for e in types.iter(f"{_CONTENT_TYPES_NS}Override")]
    declared += [("", e.get("ContentType", "")) for e in types.iter(f"{_CONTENT_TYPES_NS}Default")]
    if any("macroenabled" in ct.lower() or "vbaproject" in ct.lower() for _, ct in declared):
        return f"The {kind} document holds a program or macro"
    part, main_type = _MAIN_PARTS[content_type]
    if (part, main_type) not in {(p.lower(), ct) for p, ct in declared}:
        return f"The file is not {_article(kind)} {kind} document"
    return None


def _article(kind: str) -> str:
    return "an" if kind == "XLSX" else "a"


_CHECKS: dict[str, Callable[[bytes], str | None]] = {
    PDF: _pdf_problem,
    PNG: lambda content: _image_problem(content, "PNG"),
    JPEG: lambda content: _image_problem(content, "JPEG"),
    DOCX: lambda content: _ooxml_problem(content, DOCX),
    XLSX: lambda content: _ooxml_problem(content, XLSX),
}
ALLOWED_TYPES = tuple(_CHECKS)
