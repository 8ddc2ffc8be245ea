"""Create or update a tenant from its declarative file, idempotently, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinerja.auth import templates
from kinerja.auth.enforcer import registry
from kinerja.citizen.models import Service, ServiceUnit
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.goals import rules as goal_rules
from kinerja.goals.models import GoalRule
from kinerja.org.models import OrgUnit, Position
from kinerja.org.service import ensure_periods
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.origins import origin_index
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantKind, file_owned_record, merged_settings
from kinerja.tenancy.spec import TenantSpec


@dataclass
class ApplyReport:
    tenant: Tenant
    created: bool
    org_units_created: int = 0
    org_units_updated: int = 0
    positions_created: int = 0
    periods_created: int = 0

    def summary(self) -> str:
        verb = "created" if self.created else "updated"
        return (
            f"tenant {self.tenant.slug} {verb}: org units +{self.org_units_created} "
            f"~{self.org_units_updated}, positions +{self.positions_created}, "
            f"periods +{self.periods_created}"
        )


async def apply_spec(spec: TenantSpec) -> ApplyReport:
    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=spec.slug)
        created = tenant is None
        owned = file_owned_record(spec.declared_settings, [u.code for u in spec.org_units],
                                  [p.name for p in spec.positions])
        if tenant is None:
            tenant = await Tenant.create(
                slug=spec.slug, name=spec.name, kind=spec.kind, settings=spec.settings.to_dict(), file_owned=owned,
            )
        else:
            # The file's keys are set; the keys it omits keep what the API stored (tenancy/rules.py).
            tenant.name, tenant.kind = spec.name, spec.kind
            tenant.settings, _owned = merged_settings(tenant.settings, spec.declared_settings)
            tenant.file_owned = owned
            await tenant.save()
        await switch_tenant(conn, tenant.id)
        report = ApplyReport(tenant, created)
        await _apply_org_units(spec, tenant, report)
        await _apply_positions(spec, tenant, report)
        await _apply_services(spec, tenant)
        await _apply_goal_rules(spec, tenant)
        years = spec.period_years or [dt.date.today().year]
        for year in years:
            report.periods_created += await ensure_periods(tenant, year)
        await templates.install_templates(tenant.id, templates.tenant_templates())
    registry.invalidate(tenant.id)
    origin_index.invalidate()
    return report


async def _apply_org_units(spec: TenantSpec, tenant: Tenant, report: ApplyReport) -> None:
    existing = {u.code: u for u in await OrgUnit.filter(tenant_id=tenant.id)}
    for unit in spec.org_units:
        row = existing.get(unit.code)
        if row is None:
            existing[unit.code] = await OrgUnit.create(
                tenant_id=tenant.id, code=unit.code, name=unit.name, kind=unit.kind
            )
            report.org_units_created += 1
        elif (row.name, row.kind) != (unit.name, unit.kind):
            row.name, row.kind = unit.name, unit.kind
            await row.save(update_fields=["name", "kind"])
            report.org_units_updated += 1
    for unit in spec.org_units:
        row = existing[unit.code]
        parent_id = existing[unit.parent].id if unit.parent else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            await row.save(update_fields=["parent_id"])


async def _apply_positions(spec: TenantSpec, tenant: Tenant, report: ApplyReport) -> None:
    existing = {p.name: p for p in await Position.filter(tenant_id=tenant.id)}
    for position in spec.positions:
        row = existing.get(position.name)
        if row is None:
            await Position.create(tenant_id=tenant.id, name=position.name, kind=position.kind, level=position.level)
            report.positions_created += 1
        elif (row.kind, row.level, row.credit_coefficient) != (position.kind, position.level, None):
            row.kind, row.level, row.credit_coefficient = position.kind, position.level, None  # type: ignore[assignment]  # level is a nullable column (null=True), which the field type does not carry
            await row.save(update_fields=["kind", "level", "credit_coefficient"])


class GoalRulesInvalid(ValueError):
    """Rules of organisation performance whose values mean nothing (an unknown kind, falling thresholds)."""


async def _apply_goal_rules(spec: TenantSpec, tenant: Tenant) -> None:
    """The file's rules per year replace the stored ones; years the file leaves out keep theirs."""
    for rule in spec.goal_rules:
        problems = goal_rules.rules_problems(rule.values)
        if problems:
            raise GoalRulesInvalid(f"{spec.slug}: goal_rules {rule.year}: {'; '.join(problems)}")
        row = await GoalRule.get_or_none(tenant_id=tenant.id, year=rule.year)
        if row is None:
            await GoalRule.create(tenant_id=tenant.id, year=rule.year, rules=rule.values, source=rule.source)
        elif (row.rules, row.source) != (rule.values, rule.source):
            row.rules, row.source = rule.values, rule.source
            await row.save(update_fields=["rules", "source"])


async def _apply_services(spec: TenantSpec, tenant: Tenant) -> None:
    org_units = {u.code: u.id for u in await OrgUnit.filter(tenant_id=tenant.id)}
    units = {u.code: u for u in await ServiceUnit.filter(tenant_id=tenant.id)}
    services = {s.code: s for s in await Service.filter(tenant_id=tenant.id)}
    for unit_spec in spec.service_units:
        org_unit_id = org_units.get(unit_spec.org_unit) if unit_spec.org_unit else None
        unit = units.get(unit_spec.code)
        if unit is None:
            unit = await ServiceUnit.create(tenant_id=tenant.id, code=unit_spec.code, name=unit_spec.name,
                                            org_unit_id=org_unit_id)
        elif (unit.name, unit.org_unit_id) != (unit_spec.name, org_unit_id):
            unit.name, unit.org_unit_id = unit_spec.name, org_unit_id
            await unit.save(update_fields=["name", "org_unit_id"])
        for service_spec in unit_spec.services:
            service = services.get(service_spec.code)
            if service is None:
                await Service.create(tenant_id=tenant.id, service_unit_id=unit.id, code=service_spec.code,
                                     name=service_spec.name, description=service_spec.description)
            elif (service.name, service.description, service.service_unit_id) != (
                    service_spec.name, service_spec.description, unit.id):
                service.name, service.description, service.service_unit_id = (
                    service_spec.name, service_spec.description, unit.id)
                await service.save(update_fields=["name", "description", "service_unit_id"])


async def ensure_platform_tenant() -> Tenant:
    async with tenant_transaction(None) as conn:
        tenant = await Tenant.get_or_none(slug=PLATFORM_SLUG)
        if tenant is None:
            tenant = await Tenant.create(
                slug=PLATFORM_SLUG, name="Kinerja platform", kind=TenantKind.PLATFORM, settings={}
            )
        await switch_tenant(conn, tenant.id)
        await templates.install_templates(tenant.id, templates.platform_templates())
    registry.invalidate(tenant.id)
    return tenant
