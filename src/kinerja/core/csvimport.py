"""Shared parts of the all-or-nothing CSV imports: header mapping, row errors, the report."""

from __future__ import annotations

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
