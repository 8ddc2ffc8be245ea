"""Shared parts of the all-or-nothing CSV imports: decoding, RFC 4180 reading, header mapping, row
errors, the report.

Files come from spreadsheets: UTF-8 (with or without the BOM Excel writes) or Windows-1252 (Excel's
"CSV" on Indonesian and English Windows; Latin-1 text reads the same). A file that is neither is
refused with the line and byte at fault, never guessed at."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

# How a caller follows a long import: ``progress(label, total)`` returns the function called after
# each of ``total`` steps (the command line draws progress bars with it).
ProgressFactory = Callable[[str, int], Callable[[], None]]


def progress_steps(progress: ProgressFactory | None, label: str, total: int) -> Callable[[], None]:
    return progress(label, total) if progress is not None else _no_step


def _no_step() -> None:
    pass


def describe_columns(columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> str:
    """One line per column: the header names accepted (any case) and whether it is required."""
    return "\n".join(f"  {key}{' (required)' if key in required else ''}: {', '.join(names)}"
                      for key, names in columns.items())


@dataclass
class RowError:
    line: int
    column: str
    message: str
    # The machine code of the problem (as a userError's): NOT_FOUND for a reference to nothing known,
    # CONFLICT for a duplicate, BAD_USER_INPUT otherwise.
    code: str = "BAD_USER_INPUT"


class ImportFailed(Exception):
    def __init__(self, path: str, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems in {path}")
        self.path, self.errors = path, errors

    def report(self) -> str:
        lines = [f"{self.path}: nothing imported, {len(self.errors)} problem(s):"]
        lines += [f"  line {e.line}, {e.column}: {e.message}" for e in self.errors]
        return "\n".join(lines)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode_csv(data: bytes, source: str) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else Windows-1252; anything else is refused
    with a message naming the encoding problem and its line."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFailed(source, [RowError(1, "(encoding)", "the file is UTF-16 (Excel's \"Unicode text\"): "
                                                              "save it as \"CSV UTF-8\"")])
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        raise ImportFailed(source, [RowError(line, "(encoding)", f"a NUL byte at character {column}: "
                                                                 "this is not a text file")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
        line, column = _position(data, bad)
        if data.startswith(codecs.BOM_UTF8) or any(byte >= 0x80 for byte in data[:bad]):
            # Valid UTF-8 text before the fault: a damaged UTF-8 file, not another encoding.
            raise ImportFailed(source, [RowError(line, "(encoding)", (
                f"byte 0x{data[bad]:02X} at character {column} is not valid UTF-8, although the file is UTF-8 "
                "before it: correct that line or save the file again as \"CSV UTF-8\""))]) from None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise ImportFailed(source, [RowError(line, "(encoding)", (
            f"byte 0x{data[exc.start]:02X} at character {column} is neither UTF-8 nor Windows-1252 (CP1252): "
            "save the file as \"CSV UTF-8\""))]) from None


def _delimiter(header: str) -> str:
    """The separator of the header line (comma, semicolon or tab), counted outside quotes."""
    counts, quoted = {",": 0, ";": 0, "\t": 0}, False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def read_rows(text: str, source: str, columns: dict[str, tuple[str, ...]],
              required: tuple[str, ...]) -> tuple[list[tuple[int, list[str]]], dict[str, int]]:
    """The rows of a CSV (comma, semicolon or tab separated; quoting as RFC 4180: fields in double
    quotes, a doubled quote inside them) with the line each starts on, and the index of each known
    column. Returns ``([(line, cells), ...], columns)``; the first pair is the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]),
                        quotechar='"', doublequote=True, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            rows.append((line, cells))
    except csv.Error as exc:
        raise ImportFailed(source, [RowError(reader.line_num, "(quoting)", f"malformed quoting: {exc}")]) from None
    if not rows:
        raise ImportFailed(source, [RowError(1, "(header)", "the file is empty")])
    normalized = [h.strip().lower().replace(" ", "_") for h in rows[0][1]]
    found: dict[str, int] = {}
    for key, names in columns.items():
        for name in names:
            if name in normalized:
                found[key] = normalized.index(name)
                break
    missing = [c for c in required if c not in found]
    if missing:
        raise ImportFailed(source, [RowError(1, "(header)", f"missing column(s): {', '.join(missing)}")])
    return rows, found


def cell(row: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""
