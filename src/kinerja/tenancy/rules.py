"""Tenant kinds and settings: pure rules, no I/O."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from enum import Enum, StrEnum
from typing import Any, TypeVar

from kinerja.core.errors import Conflict
from kinerja.core.origins import origin_problem

PLATFORM_SLUG = "platform"
E = TypeVar("E", bound=Enum)
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class TenantKind(StrEnum):
    PROVINSI = "PROVINSI"
    KABUPATEN = "KABUPATEN"
    KOTA = "KOTA"
    KECAMATAN = "KECAMATAN"
    KELURAHAN = "KELURAHAN"
    NAGARI = "NAGARI"
    PLATFORM = "PLATFORM"


class PeriodScheme(StrEnum):
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    SEMESTER = "SEMESTER"


class IkmWeighting(StrEnum):
    EXACT = "EXACT"  # weight exactly 1/9 per element, round only the final value
    PRINTED = "PRINTED"  # weight 0.11 as printed in PermenPANRB 14/2017


@dataclass(frozen=True)
class TenantSettings:
    period_scheme: PeriodScheme = PeriodScheme.QUARTERLY
    jp_target_pns: int = 20  # PP 11/2017 as amended by PP 17/2020, art. 203(4)
    jp_target_pppk: int = 24  # PP 49/2018 art. 40(1)
    ikm_weighting: IkmWeighting = IkmWeighting.EXACT
    timezone: str = "Asia/Jakarta"
    ticket_sla_days: int = 5  # a citizen's ticket is overdue when unanswered after this many days
    # Public operations, per client IP and per tenant, in fixed windows of rate_window_seconds.
    rate_window_seconds: int = 3600
    survey_per_ip: int = 20
    feedback_per_ip: int = 10
    public_per_tenant: int = 5000
    # Survey kiosks: responses per device and minute, and the burst of identical answers (so many within
    # so many minutes) from which a response is flagged for staff (flagged responses still count).
    kiosk_per_minute: int = 20
    kiosk_burst_identical: int = 10
    kiosk_burst_minutes: int = 10
    # Follow-up plans address the elements whose NRR (1-4) is below this, or the three lowest.
    follow_up_nrr_threshold: float | None = None
    # Whether the public timeline of a ticket names the staff member who answered.
    public_staff_names: bool = False
    # The page a survey code's QR leads to (it appends ?tenant=<slug>&code=<code>).
    survey_page_url: str = ""
    # Browser origins (scheme://host[:port]) whose pages may call the API for this tenant.
    allowed_origins: tuple[str, ...] = ()
    # Only persisted documents (schema/operations/ and the deployment's codegen manifests) may run for
    # this tenant: an allowlist for production frontends; documents sent as other text are FORBIDDEN.
    persisted_documents_only: bool = False
    # Evaluating a period needs the employee's approved SKP of its year (PermenPANRB 6/2022: evaluation
    # follows the plan); HR may waive it for one employee and year, with a reason (audited).
    evaluation_requires_approved_plan: bool = True
    # Days after a final evaluation within which the employee may object (keberatan) to the assessor's
    # superior: PP 30/2019 art. 59(2), "paling lama 14 (empat belas) hari".
    objection_days: int = 14
    # Every main (UTAMA) RHK of a unit head's plan names the IKU it intervenes before the plan is submitted.
    require_iku_link: bool = False
    # Official documents (PDF): lines under the tenant's name in the letterhead (address, ...), the logo
    # (PNG or JPEG in base64, at most 256 KiB decoded), the place printed before the date of signature,
    # and the public address the verification QR leads to (<address>/verify/<code>); empty = the API's own.
    letterhead: tuple[str, ...] = ()
    logo: str = ""
    document_place: str = ""
    public_base_url: str = ""
    # Notification mail (sent by `kinerja worker`): the tenant's SMTP server; an empty host sends no mail.
    # The password never sits in the tenant file: KINERJA_SMTP_PASSWORD_<SLUG> or KINERJA_SMTP_PASSWORD.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_username: str = ""
    # Reminders: plans of a year are due by this day of the year (MM-DD); a period's realisation is due
    # this many days after it ends, and its evaluation this many days after that; the daily digest mail
    # goes out at this hour (the tenant's time zone).
    plan_deadline: str = "01-31"
    realisation_due_days: int = 7
    evaluation_due_days: int = 14
    digest_hour: int = 7

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TenantSettings:
        """Build settings from stored or declared values; raises ValueError naming the key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}", unknown[0])
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "period_scheme":
                values[key] = _enum(PeriodScheme, value, key)
            elif key == "ikm_weighting":
                values[key] = _enum(IkmWeighting, value, key)
            elif key in {"jp_target_pns", "jp_target_pppk"}:
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 500:
                    raise ValueError(f"{key} must be a whole number from 0 to 500", key)
                values[key] = value
            elif key in {"ticket_sla_days", "rate_window_seconds", "survey_per_ip", "feedback_per_ip",
                         "public_per_tenant", "kiosk_per_minute", "kiosk_burst_identical", "kiosk_burst_minutes",
                         "objection_days", "realisation_due_days", "evaluation_due_days"}:
                if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1_000_000:
                    raise ValueError(f"{key} must be a whole number from 1 to 1000000", key)
                values[key] = value
            elif key == "allowed_origins":
                values[key] = _origins(value, key)
            elif key == "follow_up_nrr_threshold":
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                          or not 1 <= value <= 4):
                    raise ValueError(f"{key} must be a number from 1 to 4", key)
                values[key] = None if value is None else float(value)
            elif key == "public_staff_names":
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false", key)
                values[key] = value
            elif key == "survey_page_url":
                if not isinstance(value, str) or len(value) > 300 or (
                        value and not value.startswith(("https://", "http://"))):
                    raise ValueError(f"{key} must be an http(s) address of at most 300 characters", key)
                values[key] = value
            elif key in {"persisted_documents_only", "evaluation_requires_approved_plan", "require_iku_link"}:
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false", key)
                values[key] = value
            elif key == "letterhead":
                if not isinstance(value, list) or len(value) > 5 or not all(
                        isinstance(line, str) and len(line) <= 150 for line in value):
                    raise ValueError(f"{key} must be a list of at most 5 lines of at most 150 characters", key)
                values[key] = tuple(value)
            elif key == "logo":
                values[key] = _logo(value, key)
            elif key == "document_place":
                if not isinstance(value, str) or len(value) > 80:
                    raise ValueError(f"{key} must be text of at most 80 characters", key)
                values[key] = value
            elif key == "public_base_url":
                if not isinstance(value, str) or len(value) > 300 or (
                        value and not value.startswith(("https://", "http://"))):
                    raise ValueError(f"{key} must be an http(s) address of at most 300 characters", key)
                values[key] = value.rstrip("/")
            elif key in {"smtp_host", "smtp_from", "smtp_username"}:
                if not isinstance(value, str) or len(value) > 200 or any(c.isspace() for c in value):
                    raise ValueError(f"{key} must be text of at most 200 characters without spaces", key)
                values[key] = value
            elif key in {"smtp_port", "digest_hour"}:
                low, high = (1, 65535) if key == "smtp_port" else (0, 23)
                if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                    raise ValueError(f"{key} must be a whole number from {low} to {high}", key)
                values[key] = value
            elif key == "smtp_starttls":
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false", key)
                values[key] = value
            elif key == "plan_deadline":
                if not _month_day(value):
                    raise ValueError(f"{key} must be a day of the year as MM-DD", key)
                values[key] = value
            elif key == "timezone":
                if not isinstance(value, str) or not value:
                    raise ValueError("timezone must be a time zone name", key)
                values[key] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        plain = {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(self).items()}
        plain["allowed_origins"] = list(self.allowed_origins)
        plain["letterhead"] = list(self.letterhead)
        return plain


MAX_ALLOWED_ORIGINS = 20
MAX_LOGO_BYTES = 256 * 1024


def _logo(value: object, key: str) -> str:
    """A PNG or JPEG in base64: checked by its signature bytes (the PDF builder decodes it whole)."""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a PNG or JPEG image in base64", key)
    problem = _logo_problem(value)
    if problem == 1:  # not base64
        raise ValueError(f"{key} must be a PNG or JPEG image in base64", key)
    if problem == 2:  # not a PNG or JPEG of at most MAX_LOGO_BYTES
        raise ValueError(f"{key} must be a PNG or JPEG image in base64 of at most 256 KiB", key)
    return value


@functools.lru_cache(maxsize=64)
def _logo_problem(value: str) -> int:
    """Settings are read on every request: a logo is decoded once per distinct value, not each time.
    0: fine (or none), 1: not base64, 2: not a PNG or JPEG of at most MAX_LOGO_BYTES."""
    if not value:
        return 0
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return 1
    if len(raw) > MAX_LOGO_BYTES or not raw.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return 2
    return 0


def _month_day(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 5 or value[2] != "-":
        return False
    try:
        dt.date(2024, int(value[:2]), int(value[3:]))  # a leap year: 02-29 is a day too
    except ValueError:
        return False
    return True


def _origins(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_ALLOWED_ORIGINS:
        raise ValueError(f"{key} must be a list of at most {MAX_ALLOWED_ORIGINS} origins", key)
    for origin in value:
        if problem := origin_problem(origin):
            raise ValueError(f"{key}: {problem}", key)
    if len(set(value)) != len(value):
        raise ValueError(f"{key} lists an origin twice", key)
    return tuple(value)


def _enum(enum_type: type[E], value: object, key: str) -> E:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise ValueError(f"{key} must be one of {allowed}", key) from None


def validate_slug(slug: object) -> str | None:
    """Return a problem with the slug, or None when it is valid."""
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug) or len(slug) > 63:
        return "slug must be lowercase letters, digits and single hyphens (at most 63)"
    return None


# --- who owns what: the tenant file or the API ---------------------------------------------------
# What the tenant file declares is owned by the file: a settings key under [settings], an org unit (by
# code), a position (by name). `tenants apply` sets it; the API refuses to change it
# (OWNED_BY_TENANT_FILE). What the file omits is owned by the API: `tenants apply` keeps a stored setting
# it omits and leaves units and positions it does not list alone. Removing something from the file hands
# it to the API as it is.

OWNED_BY_TENANT_FILE = "OWNED_BY_TENANT_FILE"


class OwnedByTenantFile(Conflict):
    """A change the API refuses because the tenant file declares what it would change."""

    code = OWNED_BY_TENANT_FILE


def file_owned_record(settings_keys: Iterable[str], unit_codes: Iterable[str], position_names: Iterable[str]
                      ) -> dict[str, list[str]]:
    """What `tenants apply` records as the file's (``tenant.file_owned``)."""
    return {"settings": sorted(settings_keys), "org_units": sorted(unit_codes), "positions": sorted(position_names)}


def owned_by_file(record: dict[str, Any] | None, part: str, key: str) -> bool:
    """Whether the tenant file owns ``key`` of ``part`` (settings, org_units, positions)."""
    return key in (record or {}).get(part, ())


def merged_settings(stored: dict[str, Any], changes: dict[str, Any], file_owned: dict[str, Any] | None = None
                    ) -> tuple[dict[str, Any], list[str]]:
    """What is stored for ``changes`` over the stored settings (the keys it omits keep their value), and the
    keys it may not change because the tenant file owns them in ``file_owned`` (then nothing is stored).
    `tenants apply` passes no record (the file's keys are its own), the API the tenant's. Both are
    validated alike: raises ValueError(message, key) as ``TenantSettings.from_dict`` does."""
    owned = sorted(key for key in changes if owned_by_file(file_owned, "settings", key))
    if owned:
        return stored, owned
    kept = {key: value for key, value in stored.items() if key in _KNOWN}
    return TenantSettings.from_dict({**kept, **changes}).to_dict(), []


_KNOWN = frozenset(f.name for f in fields(TenantSettings))
