"""Casbin enforcers, one per tenant, loaded from ``policy_rule`` rows through our own adapter.

Each worker process keeps a registry of enforcers. A policy change rebuilds the affected
tenant's enforcer and swaps it in whole: readers never see a half-loaded policy.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

import casbin
from casbin.model import Model

from kinerja.auth.models import PolicyRule
from kinerja.core.paths import policies_dir


def user_subject(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def role_subject(role_name: str) -> str:
    return f"role:{role_name}"


@lru_cache(maxsize=1)
def _model_text() -> str:
    return (policies_dir() / "model.conf").read_text(encoding="utf-8")


def new_model() -> Model:
    model = Model()
    model.load_model_from_text(_model_text())
    return model


class TortoiseAdapter:
    """Loads one tenant's rules. Writes go through the role service, in the request transaction."""

    async def load_tenant(self, tenant_id: uuid.UUID) -> list[tuple[str, list[str]]]:
        rows = await PolicyRule.filter(tenant_id=tenant_id).values_list("ptype", "v0", "v1", "v2", "v3")
        rules = []
        for ptype, v0, v1, v2, v3 in rows:
            values = [v0, v1, v2, v3] if ptype == "p" else [v0, v1, v2]
            rules.append((ptype, values))
        return rules


class TenantEnforcer:
    """A tenant's enforcer plus a per-user cache of resolved permission keys."""

    def __init__(self, tenant_id: uuid.UUID, rules: list[tuple[str, list[str]]]):
        self.tenant_id = tenant_id
        self.domain = str(tenant_id)
        self.enforcer = casbin.Enforcer(new_model())
        self.enforcer.auto_build_role_links = False
        model = self.enforcer.get_model()
        for ptype, values in rules:
            model.add_policy("p" if ptype == "p" else "g", ptype, values)
        self.enforcer.build_role_links()
        self._permissions: dict[str, frozenset[str]] = {}

    def enforce(self, user_id: uuid.UUID, obj: str, act: str) -> bool:
        return self.enforcer.enforce(user_subject(user_id), self.domain, obj, act)

    def permissions_of(self, user_id: uuid.UUID) -> frozenset[str]:
        subject = user_subject(user_id)
        cached = self._permissions.get(subject)
        if cached is None:
            implicit = self.enforcer.get_implicit_permissions_for_user(subject, self.domain)
            cached = frozenset(f"{obj}:{act}" for _sub, dom, obj, act in implicit if dom == self.domain)
            self._permissions[subject] = cached
        return cached

    def roles_of(self, user_id: uuid.UUID) -> list[str]:
        roles = self.enforcer.get_roles_for_user_in_domain(user_subject(user_id), self.domain)
        return sorted(r.removeprefix("role:") for r in roles)


class EnforcerRegistry:
    def __init__(self, adapter: TortoiseAdapter | None = None):
        self.adapter = adapter or TortoiseAdapter()
        self._enforcers: dict[uuid.UUID, TenantEnforcer] = {}

    async def get(self, tenant_id: uuid.UUID) -> TenantEnforcer:
        enforcer = self._enforcers.get(tenant_id)
        if enforcer is None:
            enforcer = await self.reload(tenant_id)
        return enforcer

    async def reload(self, tenant_id: uuid.UUID) -> TenantEnforcer:
        """Build a fresh enforcer (inside a transaction bound to that tenant) and swap it in."""
        enforcer = TenantEnforcer(tenant_id, await self.adapter.load_tenant(tenant_id))
        self._enforcers[tenant_id] = enforcer
        return enforcer

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        self._enforcers.pop(tenant_id, None)

    def cached_tenants(self) -> list[uuid.UUID]:
        return list(self._enforcers)


registry = EnforcerRegistry()
