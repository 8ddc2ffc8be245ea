"""GraphQL of the tenant settings: read them, and change those the tenant file does not own.

Resolver mode: the settings are one JSON value of the tenant row, not rows a described type maps."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from kinerja.graph import sql
from kinerja.graph.relay import INPUT, UserError, run_mutation, user_errors_field
from kinerja.org.graphql import PeriodScheme
from kinerja.provisioning import settings as service
from kinerja.tenancy.rules import IkmWeighting, TenantSettings


@strawberry.type(name="TenantSettings", description="Pengaturan tenant: every per-tenant setting of the tenant file, and which of them the "
                             "file owns.")
class TenantSettingsView:
    period_scheme: PeriodScheme = strawberry.field(description="Period scheme of years without one of their own.")
    jp_target_pns: int = strawberry.field(description="Yearly JP target of a PNS (0-500).")
    jp_target_pppk: int = strawberry.field(description="JP cap per contract year of a PPPK (0-500).")
    ikm_weighting: IkmWeighting = strawberry.field(description="IKM element weighting.")
    timezone: str = strawberry.field(description="Time zone name, e.g. `Asia/Jakarta`.")
    ticket_sla_days: int = strawberry.field(description="Days after which an unanswered ticket is overdue.")
    rate_window_seconds: int = strawberry.field(description="Window of the public rate limits, in seconds.")
    survey_per_ip: int = strawberry.field(description="Survey responses per client IP and window.")
    feedback_per_ip: int = strawberry.field(description="Feedback messages per client IP and window.")
    public_per_tenant: int = strawberry.field(description="Public operations per tenant and window.")
    kiosk_per_minute: int = strawberry.field(description="Responses per kiosk and minute.")
    kiosk_burst_identical: int = strawberry.field(description="Identical kiosk answers that flag a burst.")
    kiosk_burst_minutes: int = strawberry.field(description="Minutes within which a burst is counted.")
    follow_up_nrr_threshold: float | None = strawberry.field(
        description="Follow-up plans address elements whose NRR (1-4) is below this; null: the three lowest.")
    public_staff_names: bool = strawberry.field(description="Public ticket timelines name the answering staff.")
    survey_page_url: str = strawberry.field(description="The page a survey code's QR code leads to.")
    allowed_origins: list[str] = strawberry.field(description="Browser origins whose pages may call the API.")
    persisted_documents_only: bool = strawberry.field(description="Only persisted documents may run.")
    evaluation_requires_approved_plan: bool = strawberry.field(
        description="Evaluating a period needs the employee's approved SKP of its year.")
    objection_days: int = strawberry.field(description="Days after a final evaluation to file an objection.")
    require_iku_link: bool = strawberry.field(description="A unit head's main RHK must name the IKU it serves.")
    letterhead: list[str] = strawberry.field(description="Letterhead lines of official documents under the tenant's name.")
    logo: str = strawberry.field(description="Letterhead logo: PNG or JPEG in base64 (empty: none).")
    document_place: str = strawberry.field(description="Place printed before the date of signature on documents.")
    public_base_url: str = strawberry.field(description="Public address the verification QR codes lead to.")
    smtp_host: str = strawberry.field(description="SMTP server of notification mail (empty: no mail).")
    smtp_port: int = strawberry.field(description="SMTP port.")
    smtp_from: str = strawberry.field(description="Sender address of notification mail.")
    smtp_starttls: bool = strawberry.field(description="Use STARTTLS with the SMTP server.")
    smtp_username: str = strawberry.field(description="SMTP user name (the password comes from the server's "
                                                      "configuration, never from here).")
    plan_deadline: str = strawberry.field(description="Day of the year (MM-DD) by which plans are due.")
    realisation_due_days: int = strawberry.field(description="Days after a period's end a realisation is due.")
    evaluation_due_days: int = strawberry.field(description="Days after the realisation deadline an evaluation "
                                                            "is due.")
    digest_hour: int = strawberry.field(description="Hour (0-23, tenant time) of the daily digest mail.")
    owned_by_tenant_file: list[str] = strawberry.field(
        description="The settings (field names as here) the tenant file declares: only `kinerja tenants apply` "
                    "changes them; `updateTenantSettings` refuses them with OWNED_BY_TENANT_FILE.")

    @classmethod
    def of(cls, view: service.SettingsView) -> TenantSettingsView:
        values: dict[str, Any] = {f.name: getattr(view.settings, f.name) for f in fields(TenantSettings)}
        values["allowed_origins"] = list(view.settings.allowed_origins)
        values["letterhead"] = list(view.settings.letterhead)
        return cls(**values, owned_by_tenant_file=sorted(to_camel_case(k) for k in view.file_keys))


@strawberry.input(description="Settings to change; omitted ones stay. Each is checked as `kinerja tenants apply` "
                              "checks the tenant file; one the file declares is refused (OWNED_BY_TENANT_FILE).")
class UpdateTenantSettingsInput:
    period_scheme: PeriodScheme | None = strawberry.field(default=strawberry.UNSET, description="Period scheme.")
    jp_target_pns: int | None = strawberry.field(default=strawberry.UNSET, description="JP target of a PNS.")
    jp_target_pppk: int | None = strawberry.field(default=strawberry.UNSET, description="JP cap of a PPPK.")
    ikm_weighting: IkmWeighting | None = strawberry.field(default=strawberry.UNSET, description="IKM weighting.")
    timezone: str | None = strawberry.field(default=strawberry.UNSET, description="Time zone name.")
    ticket_sla_days: int | None = strawberry.field(default=strawberry.UNSET, description="Ticket SLA in days.")
    rate_window_seconds: int | None = strawberry.field(default=strawberry.UNSET, description="Rate window.")
    survey_per_ip: int | None = strawberry.field(default=strawberry.UNSET, description="Surveys per IP.")
    feedback_per_ip: int | None = strawberry.field(default=strawberry.UNSET, description="Feedback per IP.")
    public_per_tenant: int | None = strawberry.field(default=strawberry.UNSET, description="Public per tenant.")
    kiosk_per_minute: int | None = strawberry.field(default=strawberry.UNSET, description="Kiosk per minute.")
    kiosk_burst_identical: int | None = strawberry.field(default=strawberry.UNSET, description="Burst size.")
    kiosk_burst_minutes: int | None = strawberry.field(default=strawberry.UNSET, description="Burst minutes.")
    follow_up_nrr_threshold: float | None = strawberry.field(
        default=strawberry.UNSET, description="NRR threshold (1-4); null for the three lowest elements.")
    public_staff_names: bool | None = strawberry.field(default=strawberry.UNSET, description="Name staff.")
    survey_page_url: str | None = strawberry.field(default=strawberry.UNSET, description="Survey page URL.")
    allowed_origins: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Origins.")
    persisted_documents_only: bool | None = strawberry.field(default=strawberry.UNSET,
                                                             description="Persisted documents only.")
    evaluation_requires_approved_plan: bool | None = strawberry.field(default=strawberry.UNSET,
                                                                      description="Evaluation needs a plan.")
    objection_days: int | None = strawberry.field(default=strawberry.UNSET, description="Objection days.")
    require_iku_link: bool | None = strawberry.field(default=strawberry.UNSET, description="Require IKU link.")
    letterhead: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Letterhead lines.")
    logo: str | None = strawberry.field(default=strawberry.UNSET, description="Logo (PNG/JPEG, base64).")
    document_place: str | None = strawberry.field(default=strawberry.UNSET, description="Place of signature.")
    public_base_url: str | None = strawberry.field(default=strawberry.UNSET, description="Public address.")
    smtp_host: str | None = strawberry.field(default=strawberry.UNSET, description="SMTP server.")
    smtp_port: int | None = strawberry.field(default=strawberry.UNSET, description="SMTP port.")
    smtp_from: str | None = strawberry.field(default=strawberry.UNSET, description="Mail sender.")
    smtp_starttls: bool | None = strawberry.field(default=strawberry.UNSET, description="STARTTLS.")
    smtp_username: str | None = strawberry.field(default=strawberry.UNSET, description="SMTP user name.")
    plan_deadline: str | None = strawberry.field(default=strawberry.UNSET, description="Plan deadline (MM-DD).")
    realisation_due_days: int | None = strawberry.field(default=strawberry.UNSET, description="Realisation due.")
    evaluation_due_days: int | None = strawberry.field(default=strawberry.UNSET, description="Evaluation due.")
    digest_hour: int | None = strawberry.field(default=strawberry.UNSET, description="Digest hour.")


@strawberry.type(description="The outcome of changing tenant settings.")
class TenantSettingsPayload:
    settings: TenantSettingsView | None = strawberry.field(default=None, description="The settings as they are "
                                                                                    "now; null on failure.")
    user_errors: list[UserError] = user_errors_field()


def _changes(input: UpdateTenantSettingsInput) -> dict[str, Any]:
    changes = {}
    for f in fields(TenantSettings):
        value = getattr(input, f.name)
        if value is strawberry.UNSET:
            continue
        changes[f.name] = value.value if isinstance(value, (PeriodScheme, IkmWeighting)) else value
    return changes


# The request's tenant row's settings and the keys its tenant file owns, as JSON.
STORED = sql.Input(sql.Dialects("(SELECT n.settings FROM tenant n WHERE n.id = {tenant})",
                                "(SELECT json(n.settings) FROM tenant n WHERE n.id = {tenant})"))
FILE_OWNED = sql.Input(sql.Dialects("(SELECT n.file_owned FROM tenant n WHERE n.id = {tenant})",
                                    "(SELECT json(n.file_owned) FROM tenant n WHERE n.id = {tenant})"))


def _view(settings: dict | None, file_owned: dict | None) -> TenantSettingsView:
    return TenantSettingsView.of(service.settings_view(settings, file_owned))


@strawberry.type
class SettingsQuery:
    @sql.builder(description="The tenant's settings (needs `settings:read`).")
    def tenant_settings(self) -> TenantSettingsView:
        return sql.Value(_view, (STORED, FILE_OWNED),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                         access=sql.requires("settings", "read"))


@strawberry.type
class SettingsMutation:
    @strawberry.mutation(description="Change tenant settings the tenant file does not own, checked as `kinerja "
                                     "tenants apply` checks the file. Needs `settings:manage`.")
    async def update_tenant_settings(self, info: Info, input: Annotated[UpdateTenantSettingsInput, INPUT]
                                     ) -> TenantSettingsPayload:
        async def work():
            view = await service.update_settings(info.context, _changes(input))
            return {"settings": TenantSettingsView.of(view)}
        return await run_mutation(info, TenantSettingsPayload, work)
