"""Shared parts of the all-or-nothing CSV imports: header mapping, row errors, the report."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass
class RowError:
    line: int
    column: str
    message: str


class ImportFailed(Exception):
    def __init__(self, path: str, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems in {path}")
        self.path, self.errors = path, errors

    def report(self) -> str:
        lines = [f"{self.path}: nothing imported, {len(self.errors)} problem(s):"]
        lines += [f"  line {e.line}, {e.column}: {e.message}" for e in self.errors]
        return "\n".join(lines)


def read_rows(text: str, source: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """Rows of a CSV (comma, semicolon or tab separated) and the index of each known column."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise ImportFailed(source, [RowError(1, "(header)", "the file is empty")])
    normalized = [h.strip().lower().replace(" ", "_") for h in rows[0]]
    found = {}
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
