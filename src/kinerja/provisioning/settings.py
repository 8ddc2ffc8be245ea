"""Tenant settings through the API: the keys the tenant file does not own (tenancy/rules.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.utils.str_converters import to_camel_case

from kinerja.core import once
from kinerja.core.context import RequestContext
from kinerja.core.errors import BadUserInput, FieldError, NotFound, ValidationFailed
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.origins import origin_index
from kinerja.tenancy.rules import OWNED_BY_TENANT_FILE, TenantSettings, merged_settings

FILE_OWNS_SETTING = "This setting is set by the tenant file: change it there and run `kinerja tenants apply`"
ORIGIN_PROBLEM = "allowedOrigins: each must be an origin scheme://host[:port] in lowercase, http or https"


def _invalid(exc: ValueError) -> BadUserInput:
    """``TenantSettings.from_dict``'s refusal, naming the API's field and never the submitted value."""
    message, key = exc.args
    field = to_camel_case(key)
    if key == "allowed_origins" and message.startswith("allowed_origins: "):
        message = ORIGIN_PROBLEM  # the origin check quotes the origin
    return BadUserInput(message.replace(key, field, 1), field=field)


@dataclass(frozen=True)
class SettingsView:
    settings: TenantSettings
    file_keys: list[str]


def settings_view(settings: dict | None, file_owned: dict | None) -> SettingsView:
    """The tenant's settings as stored (``tenant.settings``), with the keys its tenant file owns."""
    return SettingsView(TenantSettings.from_dict(settings or {}), list((file_owned or {}).get("settings", [])))


async def update_settings(ctx: RequestContext, changes: dict[str, Any]) -> SettingsView:
    """Change settings the tenant file does not own; every key is checked as `tenants apply` checks it."""
    await ctx.require("settings", "manage")
    if not changes:
        raise BadUserInput("Give at least one setting to change")
    tenant = await once.locked(Tenant.filter(id=ctx.require_tenant()))
    if tenant is None:  # the caller's own tenant exists while the caller is signed in
        raise NotFound("Tenant not found")
    try:
        stored, owned = merged_settings(tenant.settings, changes, tenant.file_owned)
    except ValueError as exc:
        raise _invalid(exc) from None
    if owned:
        raise ValidationFailed([FieldError(to_camel_case(key), OWNED_BY_TENANT_FILE, FILE_OWNS_SETTING) for key in owned])
    if "allowed_origins" in changes:
        origin_index.invalidate()
    tenant.settings = stored
    await tenant.save(update_fields=["settings", "updated_at"])
    return settings_view(stored, tenant.file_owned)
