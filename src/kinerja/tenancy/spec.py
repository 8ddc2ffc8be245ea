"""Declarative tenant files (tenants/<slug>.toml): parsing and validation, with errors that name
the file, the line and the field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kinerja.org.rules import FunctionalLevel, OrgUnitKind, PositionKind
from kinerja.tenancy.rules import TenantKind, TenantSettings, validate_slug


class SpecError(ValueError):
    def __init__(self, path: str, line: int, field_path: str, message: str):
        super().__init__(f"{path}:{line}: {field_path}: {message}")
        self.path, self.line, self.field_path, self.message = path, line, field_path, message


@dataclass(frozen=True)
class OrgUnitSpec:
    code: str
    name: str
    kind: OrgUnitKind
    parent: str | None


@dataclass(frozen=True)
class PositionSpec:
    name: str
    kind: PositionKind
    level: FunctionalLevel | None = None


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class ServiceUnitSpec:
    code: str
    name: str
    org_unit: str | None
    services: list[ServiceSpec]


@dataclass(frozen=True)
class GoalRuleSpec:
    """The rules of organisation performance for one year (checked against their meaning where they are
    applied: ``goals/rules.py: rules_problems``)."""

    year: int
    source: str
    values: dict


@dataclass(frozen=True)
class TenantSpec:
    slug: str
    name: str
    kind: TenantKind
    settings: TenantSettings
    period_years: list[int]
    org_units: list[OrgUnitSpec] = field(default_factory=list)
    positions: list[PositionSpec] = field(default_factory=list)
    service_units: list[ServiceUnitSpec] = field(default_factory=list)
    goal_rules: list[GoalRuleSpec] = field(default_factory=list)
    # The settings the file declares (the rest of ``settings`` are defaults): the keys it owns.
    declared_settings: dict = field(default_factory=dict)


_TOP_KEYS = {"slug", "name", "kind", "settings", "period_years", "org_units", "positions", "service_units",
             "goal_rules"}
_GOAL_RULE_KEYS = {"year", "source", "cap_percent", "aggregation", "thresholds"}


class _Locator:
    """Finds the line of a field path like ('org_units', 3, 'kind') in TOML text."""

    _header = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line_of(self, path: tuple) -> int:
        table: tuple = ()
        counts: dict[str, int] = {}
        best = 1
        for number, line in enumerate(self.lines, start=1):
            header = self._header.match(line)
            if header:
                name = header.group(2)
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    table = (name, counts[name])
                else:
                    table = (name,)
                if path[: len(table)] == table:
                    best = number
                continue
            key = self._key.match(line)
            if key and table + (key.group(1),) == path[: len(table) + 1]:
                return number
        return best


def _path_text(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_tenant_file(path: Path) -> TenantSpec:
    text = path.read_text(encoding="utf-8")
    shown = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SpecError(shown, int(match.group(1)) if match else 1, "(syntax)", str(exc)) from None
    locator = _Locator(text)

    def fail(field_path: tuple, message: str) -> NoReturn:
        raise SpecError(shown, locator.line_of(field_path), _path_text(field_path), message)

    for key in raw:
        if key not in _TOP_KEYS:
            fail((key,), f"unknown key (expected one of {', '.join(sorted(_TOP_KEYS))})")

    def text_field(container: dict, path: tuple, *, max_len: int = 200) -> str:
        value = container.get(path[-1])
        if value is None:
            fail(path, "is required")
        if not isinstance(value, str) or not value.strip():
            fail(path, "must be a non-empty string")
        if len(value) > max_len:
            fail(path, f"must be at most {max_len} characters")
        return value.strip()

    def optional_text(container: dict, path: tuple, *, max_len: int = 200) -> str | None:
        if container.get(path[-1]) is None:
            return None
        return text_field(container, path, max_len=max_len)

    def enum_field(container: dict, path: tuple, enum_type):
        value = text_field(container, path, max_len=40)
        try:
            return enum_type(value)
        except ValueError:
            fail(path, f"must be one of {', '.join(m.value for m in enum_type)}")

    slug = text_field(raw, ("slug",), max_len=63)
    if problem := validate_slug(slug):
        fail(("slug",), problem)
    if path.stem != slug:
        fail(("slug",), f"must match the file name ({path.stem!r})")
    name = text_field(raw, ("name",))
    kind = enum_field(raw, ("kind",), TenantKind)
    if kind is TenantKind.PLATFORM:
        fail(("kind",), "PLATFORM is reserved for the platform domain")

    settings_raw = raw.get("settings", {})
    if not isinstance(settings_raw, dict):
        fail(("settings",), "must be a table")
    try:
        settings = TenantSettings.from_dict(settings_raw)
    except ValueError as exc:
        message, key = exc.args
        fail(("settings", key), message)

    years = raw.get("period_years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in years):
        fail(("period_years",), "must be a list of years from 2000 to 2100")

    units: list[OrgUnitSpec] = []
    codes: set[str] = set()
    for index, unit in enumerate(_table_list(raw, "org_units", fail)):
        base = ("org_units", index)
        _no_unknown(unit, base, {"code", "name", "kind", "parent"}, fail)
        code = text_field(unit, base + ("code",), max_len=50)
        if code in codes:
            fail(base + ("code",), f"duplicate org unit code {code!r}")
        codes.add(code)
        units.append(
            OrgUnitSpec(
                code,
                text_field(unit, base + ("name",)),
                enum_field(unit, base + ("kind",), OrgUnitKind),
                optional_text(unit, base + ("parent",), max_len=50),
            )
        )
    for index, declared in enumerate(units):
        if declared.parent is not None and declared.parent not in codes:
            fail(("org_units", index, "parent"), f"no org unit with code {declared.parent!r} in this file")
    _check_no_cycles(units, lambda i: fail(("org_units", i, "parent"), "org units form a cycle"))

    positions: list[PositionSpec] = []
    names: set[str] = set()
    for index, position in enumerate(_table_list(raw, "positions", fail)):
        base = ("positions", index)
        if "credit_coefficient" in position:
            fail(base + ("credit_coefficient",), "replaced by level: the jenjang's coefficient is rule data per year "
                                                  "(Peraturan BKN 3/2023)")
        _no_unknown(position, base, {"name", "kind", "level"}, fail)
        pname = text_field(position, base + ("name",))
        if pname in names:
            fail(base + ("name",), f"duplicate position {pname!r}")
        names.add(pname)
        position_kind = enum_field(position, base + ("kind",), PositionKind)
        level = enum_field(position, base + ("level",), FunctionalLevel) if "level" in position else None
        if level is not None and position_kind is not PositionKind.FUNGSIONAL:
            fail(base + ("level",), "only functional (FUNGSIONAL) positions have a jenjang")
        positions.append(PositionSpec(pname, position_kind, level))

    service_units: list[ServiceUnitSpec] = []
    service_codes: set[str] = set()
    unit_codes: set[str] = set()
    for index, raw_unit in enumerate(_table_list(raw, "service_units", fail)):
        base = ("service_units", index)
        _no_unknown(raw_unit, base, {"code", "name", "org_unit", "services"}, fail)
        ucode = text_field(raw_unit, base + ("code",), max_len=50)
        if ucode in unit_codes:
            fail(base + ("code",), f"duplicate service unit code {ucode!r}")
        unit_codes.add(ucode)
        org_unit = optional_text(raw_unit, base + ("org_unit",), max_len=50)
        if org_unit is not None and org_unit not in codes:
            fail(base + ("org_unit",), f"no org unit with code {org_unit!r} in this file")
        services = []
        raw_services = raw_unit.get("services", [])
        if not isinstance(raw_services, list) or not all(isinstance(v, dict) for v in raw_services):
            fail(base + ("services",), "must be a list of tables")
        for sindex, raw_service in enumerate(raw_services):
            sbase = base + ("services", sindex)
            _no_unknown(raw_service, sbase, {"code", "name", "description"}, fail)
            scode = text_field(raw_service, sbase + ("code",), max_len=50)
            if scode in service_codes:
                fail(sbase + ("code",), f"duplicate service code {scode!r}")
            service_codes.add(scode)
            services.append(ServiceSpec(scode, text_field(raw_service, sbase + ("name",)),
                                        optional_text(raw_service, sbase + ("description",),
                                                      max_len=2000) or ""))
        service_units.append(ServiceUnitSpec(ucode, text_field(raw_unit, base + ("name",)), org_unit, services))

    goal_rules: list[GoalRuleSpec] = []
    for index, raw_rule in enumerate(_table_list(raw, "goal_rules", fail)):
        base = ("goal_rules", index)
        _no_unknown(raw_rule, base, _GOAL_RULE_KEYS, fail)
        year = raw_rule.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            fail(base + ("year",), "must be a year from 2000 to 2100")
        if any(r.year == year for r in goal_rules):
            fail(base + ("year",), f"duplicate rules for {year}")
        source = text_field(raw_rule, base + ("source",), max_len=300)
        cap = raw_rule.get("cap_percent")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float))):
            fail(base + ("cap_percent",), "must be a number")
        for key in ("aggregation", "thresholds"):
            table = raw_rule.get(key, {})
            if not isinstance(table, dict):
                fail(base + (key,), "must be a table")
        values = {k: v for k, v in raw_rule.items() if k not in {"year", "source"}}
        goal_rules.append(GoalRuleSpec(year, source, values))

    file_settings = {key: value for key, value in settings.to_dict().items() if key in settings_raw}
    return TenantSpec(slug, name, kind, settings, sorted(set(years)), units, positions, service_units, goal_rules,
                      file_settings)


def _table_list(raw: dict, key: str, fail) -> list[dict]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        fail((key,), f"must be an array of tables ([[{key}]])")
    return value


def _no_unknown(table: dict, base: tuple, allowed: set[str], fail) -> None:
    for key in table:
        if key not in allowed:
            fail(base + (key,), f"unknown key (expected one of {', '.join(sorted(allowed))})")


def _check_no_cycles(units: list[OrgUnitSpec], fail) -> None:
    parent_of = {u.code: u.parent for u in units}
    for index, unit in enumerate(units):
        seen = {unit.code}
        current = unit.parent
        while current is not None:
            if current in seen:
                fail(index)
            seen.add(current)
            current = parent_of.get(current)
