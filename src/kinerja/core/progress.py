"""A minimal progress bar for command-line imports (stderr, only on a terminal)."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, total: int, label: str, enabled: bool = True):
        self.total, self.label, self.done = max(total, 1), label, 0
        self.enabled = enabled and sys.stderr.isatty()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and (self.done == self.total or self.done % 50 == 0):
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
