"""The code passes mypy with the project's settings (``[tool.mypy]`` in pyproject.toml: strict for
``core/`` and every area's ``rules.py``, normal elsewhere); every ignore names its error code and
carries its reason."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "kinerja"
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_mypy_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_ignore_names_its_code_and_reason():
    unexplained = []
    for path in sorted(SOURCE.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = IGNORE.search(line)
            if match and not (match.group("codes") and re.match(r"\s*#\s*\S", match.group("rest"))):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")
    assert unexplained == []
