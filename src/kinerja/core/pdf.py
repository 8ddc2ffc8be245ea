"""One A4 document builder for the official documents (fpdf2, Latin-1 core fonts: no Unicode font is
bundled, so characters outside Latin-1 print as '?').

Every document has the tenant's letterhead (logo, name, extra lines from its settings), a title,
blocks of label/value rows, tables, signature blocks, and at the foot of its last page a QR code
leading to ``<public base>/verify/<code>`` with the verification code and the content hash printed."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

WIDTH = 190  # A4 less two 10 mm margins


def latin(text: object) -> str:
    """The PDF core fonts are Latin-1; anything else becomes '?' rather than failing."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def decode_logo(value: str) -> bytes | None:
    """A tenant's logo setting: a PNG or JPEG in base64 (optionally a data: URI)."""
    if not value:
        return None
    raw = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True)
class Letterhead:
    name: str
    lines: tuple[str, ...] = ()
    logo: bytes | None = None


@dataclass(frozen=True)
class Verification:
    url: str
    code: str
    content_hash: str


class Document:
    """A document under construction; ``finish(verification)`` prints the QR and returns the bytes."""

    def __init__(self, letterhead: Letterhead, title: str, subtitle: str = "", *, landscape: bool = False) -> None:
        self.pdf = FPDF(orientation="L" if landscape else "P", format="A4")
        self.width = 277 if landscape else WIDTH
        self.pdf.set_margins(10, 10, 10)
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_title(latin(title))
        self.pdf.set_creator("Kinerja")
        self.pdf.add_page()
        self._letterhead(letterhead)
        self.pdf.set_font("Helvetica", "B", 13)
        self.pdf.multi_cell(self.width, 7, latin(title.upper()), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.pdf.set_font("Helvetica", "", 10)
            self.pdf.multi_cell(self.width, 6, latin(subtitle), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(3)

    def _letterhead(self, head: Letterhead) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        if head.logo:
            # An unreadable logo leaves the letterhead without it (the setting is checked when stored).
            with contextlib.suppress(Exception):
                pdf.image(io.BytesIO(head.logo), x=12, y=top, h=20)
        pdf.set_xy(10, top)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(self.width, 7, latin(head.name.upper()), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9)
        for line in head.lines:
            pdf.multi_cell(self.width, 5, latin(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + 21))
        pdf.set_line_width(0.8)
        pdf.line(10, pdf.get_y() + 1, 10 + self.width, pdf.get_y() + 1)
        pdf.set_line_width(0.2)
        pdf.ln(5)

    def heading(self, text: str) -> None:
        self.pdf.ln(1)
        self.pdf.set_font("Helvetica", "B", 11)
        self.pdf.multi_cell(self.width, 7, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.pdf.set_font("Helvetica", "", size)
        self.pdf.multi_cell(self.width, 5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rows(self, rows: Sequence[tuple[str, object]], label_width: float = 55) -> None:
        """Label : value lines (an identity block)."""
        self.pdf.set_font("Helvetica", "", 10)
        for label, value in rows:
            self.pdf.cell(label_width, 6, latin(label))
            self.pdf.multi_cell(self.width - label_width, 6, latin(f": {value}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(self, header: Sequence[str], body: Sequence[Sequence[object]], widths: Sequence[float],
              size: float = 9) -> None:
        """A bordered table; the header repeats on every page it runs over."""
        scale = self.width / sum(widths)
        with self.pdf.table(col_widths=tuple(w * scale for w in widths), width=self.width, line_height=5,
                            text_align="LEFT", first_row_as_headings=True, repeat_headings=1) as table:
            self.pdf.set_font("Helvetica", "", size)
            head = table.row()
            for cell in header:
                head.cell(latin(cell))
            for line in body:
                row = table.row()
                for value in line:
                    row.cell(latin("" if value is None else value))
        self.pdf.ln(2)

    def signatures(self, blocks: Sequence[tuple[str, str, str]], place_date: str = "") -> None:
        """Signature blocks side by side: (role, name, NIP); the place and date above the last one."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 15 - 60:
            pdf.add_page()
        pdf.ln(4)
        column = self.width / max(len(blocks), 1)
        top = pdf.get_y()
        pdf.set_font("Helvetica", "", 10)
        for index, (role, name, nip) in enumerate(blocks):
            x = 10 + index * column
            pdf.set_xy(x, top)
            if place_date and index == len(blocks) - 1:
                pdf.multi_cell(column, 5, latin(place_date), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            else:
                pdf.ln(5)
                pdf.set_x(x)
            pdf.multi_cell(column, 5, latin(role), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.ln(16)
            pdf.set_x(x)
            pdf.set_font("Helvetica", "BU", 10)
            pdf.multi_cell(column, 5, latin(name), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_font("Helvetica", "", 10)
            pdf.set_x(x)
            pdf.multi_cell(column, 5, latin(f"NIP. {nip}" if nip else ""), align="C", new_x=XPos.LEFT,
                           new_y=YPos.NEXT)
        pdf.set_xy(10, top + 45)

    def finish(self, verification: Verification) -> bytes:
        """The QR code of the verify page, the code and the hash, then the PDF's bytes."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 15 - 34:
            pdf.add_page()
        pdf.ln(3)
        top = pdf.get_y()
        image = io.BytesIO()
        segno.make(verification.url, error="m").save(image, kind="png", scale=6, border=2)
        image.seek(0)
        pdf.image(image, x=10, y=top, w=30, h=30)
        pdf.set_xy(44, top + 2)
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(self.width - 34, 4, latin(
            "Dokumen ini ditandatangani secara elektronik oleh sistem (Ed25519). Keasliannya dapat diperiksa "
            "dengan memindai kode QR atau membuka alamat berikut."), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "B", 9)
        pdf.multi_cell(self.width - 34, 5, latin(f"Kode verifikasi: {verification.code}"), new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(self.width - 34, 4, latin(verification.url), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.multi_cell(self.width - 34, 4, latin(f"SHA-256: {verification.content_hash}"), new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
        return bytes(pdf.output())
