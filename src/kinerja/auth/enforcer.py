"""Casbin enforcers, one per tenant, loaded from ``policy_rule`` rows through our own adapter.

Each worker process keeps a registry of enforcers. A policy change rebuilds the affected
tenant's enforcer and swaps it in whole: readers never see a half-loaded policy.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

import casbin
from casbin.model import Model

from kinerja.core.paths import policies_dir
from kinerja.core.sql import fetch_all, uuid_param


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
        rows = await fetch_all(
            "SELECT ptype, v0, v1, v2, v3 FROM policy_rule WHERE tenant_id = $1", [uuid_param(tenant_id)]
        )
        return [
            (r["ptype"], [r["v0"], r["v1"], r["v2"], r["v3"]] if r["ptype"] == "p" else [r["v0"], r["v1"], r["v2"]])
            for r in rows
        ]


class TenantEnforcer:
    """A tenant's enforcer plus a per-user cache of resolved permission keys."""

    def __init__(self, tenant_id: uuid.UUID, rules: list[tuple[str, list[str]]]):
        self.tenant_id = tenant_id
        self.domain = str(tenant_id)
        self.enforcer = casbin.Enforcer(new_model())
        self.enforcer.auto_build_role_links = False
        model = self.enforcer.get_model()
        # Rows are unique in the database, so the lists are assigned whole: Model.add_policy checks
        # for duplicates by scanning the list, which is quadratic over a tenant's policy.
        model["p"]["p"].policy = [values for ptype, values in rules if ptype == "p"]
        model["g"]["g"].policy = [values for ptype, values in rules if ptype == "g"]
        # No pattern roles are used: without this, pycasbin's domain role manager compares every
        # role name with every other (O(n^2)), 1.8 s for a tenant of 1,000 users.
        self.enforcer.get_role_manager().matching_func = None
        self.enforcer.build_role_links()
        self._permissions: dict[str, frozenset[str]] = {}

    def enforce(self, user_id: uuid.UUID, obj: str, act: str) -> bool:
        """The same answer as Casbin's enforce for this model, from the user's resolved permissions."""
        return f"{obj}:{act}" in self.permissions_of(user_id)

    def casbin_enforce(self, user_id: uuid.UUID, obj: str, act: str) -> bool:
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
    """Each tenant's enforcer, built lazily and rebuilt on policy changes. A build that started before
    a change was announced is used once but never kept, so a stale policy cannot outlive the change."""

    def __init__(self, adapter: TortoiseAdapter | None = None):
        self.adapter = adapter or TortoiseAdapter()
        self._enforcers: dict[uuid.UUID, TenantEnforcer] = {}
        self._generation: dict[uuid.UUID, int] = {}

    async def get(self, tenant_id: uuid.UUID) -> TenantEnforcer:
        enforcer = self._enforcers.get(tenant_id)
        if enforcer is None:
            enforcer = await self.reload(tenant_id)
        return enforcer

    async def reload(self, tenant_id: uuid.UUID) -> TenantEnforcer:
        """Build a fresh enforcer (call inside a transaction bound to that tenant) and swap it in.
        Every tenant holds its role templates, so no rules at all means the policy was read without
        the tenant binding (RLS hid it): such an enforcer is used once, never kept."""
        generation = self._generation.get(tenant_id, 0)
        rules = await self.adapter.load_tenant(tenant_id)
        enforcer = TenantEnforcer(tenant_id, rules)
        if rules and self._generation.get(tenant_id, 0) == generation:
            self._enforcers[tenant_id] = enforcer
        return enforcer

    def loaded(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self._enforcers

    def changed(self, tenant_id: uuid.UUID) -> None:
        """The tenant's policy changed: builds already under way are not kept (the current enforcer
        serves until the rebuild replaces it)."""
        self._generation[tenant_id] = self._generation.get(tenant_id, 0) + 1

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        self.changed(tenant_id)
        self._enforcers.pop(tenant_id, None)

    def cached_tenants(self) -> list[uuid.UUID]:
        return list(self._enforcers)


registry = EnforcerRegistry()
