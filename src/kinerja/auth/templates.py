"""Default role templates (policies/roles.toml) and their installation into a tenant."""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

from kinerja.auth import permissions
from kinerja.auth.enforcer import role_subject, user_subject
from kinerja.auth.models import PolicyRule, Role
from kinerja.core import audit
from kinerja.core.paths import policies_dir


@dataclass(frozen=True)
class RoleTemplate:
    name: str
    description: str
    permissions: tuple[str, ...]


def load_templates(path: Path) -> list[RoleTemplate]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    templates = []
    for name, body in raw.items():
        for key in body.get("permissions", []):
            permissions.parse(key)  # an unknown permission in a template is a deployment bug
        templates.append(RoleTemplate(name, body.get("description", ""), tuple(body["permissions"])))
    return templates


def tenant_templates() -> list[RoleTemplate]:
    return load_templates(policies_dir() / "roles.toml")


def platform_templates() -> list[RoleTemplate]:
    return load_templates(policies_dir() / "platform.toml")


def permission_rule(tenant_id: uuid.UUID, role_name: str, key: str) -> dict:
    perm = permissions.parse(key)
    return dict(tenant_id=tenant_id, ptype="p", v0=role_subject(role_name), v1=str(tenant_id),
                v2=perm.object, v3=perm.casbin_act)


def assignment_rule(tenant_id: uuid.UUID, user_id: uuid.UUID, role_name: str) -> dict:
    return dict(tenant_id=tenant_id, ptype="g", v0=user_subject(user_id), v1=role_subject(role_name),
                v2=str(tenant_id), v3="")


async def install_templates(tenant_id: uuid.UUID, templates: list[RoleTemplate]) -> None:
    """Create or re-sync the built-in roles: their permissions are exactly the template's."""
    for template in templates:
        role = await Role.get_or_none(tenant_id=tenant_id, name=template.name)
        if role is None:
            await Role.create(tenant_id=tenant_id, name=template.name,
                              description=template.description, built_in=True)
        elif role.description != template.description or not role.built_in:
            role.description, role.built_in = template.description, True
            await role.save(update_fields=["description", "built_in"])
        await audit.delete(PolicyRule.filter(tenant_id=tenant_id, ptype="p", v0=role_subject(template.name)))
        await PolicyRule.bulk_create(
            [PolicyRule(**permission_rule(tenant_id, template.name, key)) for key in template.permissions]
        )


async def assign(tenant_id: uuid.UUID, user_id: uuid.UUID, role_name: str) -> bool:
    """Give a user a role; False when the user already had it."""
    rule = assignment_rule(tenant_id, user_id, role_name)
    if await PolicyRule.exists(**rule):
        return False
    await PolicyRule.create(**rule)
    return True
