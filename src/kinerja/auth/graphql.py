"""GraphQL operations of authentication: login, refreshToken, logout, viewer."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kinerja.graph.relay import UserError, user_errors
from kinerja.auth import service
from kinerja.auth.enforcer import registry
from kinerja.auth.models import User
from kinerja.core import audit
from kinerja.core.errors import DomainError, RateLimited, Unauthenticated
from kinerja.core.ids import to_global_id
from kinerja.org.graphql import Employee
from kinerja.org.models import Employee as EmployeeModel
from kinerja.tenancy.graphql import Tenant
from kinerja.tenancy.models import Tenant as TenantModel


@strawberry.input
class LoginInput:
    tenant: str = strawberry.field(description="Tenant slug, e.g. `bungo`.")
    username: str = strawberry.field(description="NIP or login name.")
    password: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.type(description="Tokens of a session. `accessToken` goes in `Authorization: Bearer`; it "
                             "expires at `expiresAt`, then `refreshToken` gets a new pair (once).")
class LoginPayload:
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: dt.datetime | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LogoutPayload:
    ok: bool
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The signed-in user.")
class Viewer:
    id: strawberry.ID
    username: str
    tenant: Tenant
    employee: Employee | None
    roles: list[str] = strawberry.field(description="Role names held in this tenant.")
    permissions: list[str] = strawberry.field(
        description="Permissions held (object:action:scope), so a frontend can show or hide actions.")


def _session_payload(session: service.Session) -> LoginPayload:
    return LoginPayload(access_token=session.access_token, refresh_token=session.refresh_token,
                        expires_at=session.expires_at)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in to a tenant. Wrong tenant, username or password all give "
                                     "the same error. Repeated failures of a user and too many attempts from one "
                                     "client IP answer a RATE_LIMITED error with `retryAfter` seconds.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        audit.begin(info.field_name)
        try:
            return _session_payload(await service.login(info.context, input.tenant, input.username, input.password))
        except RateLimited:
            raise  # a top-level RATE_LIMITED error with retryAfter (HTTP 429 with Retry-After)
        except DomainError as exc:
            # The failed attempt is recorded and must be committed: no rollback here.
            return LoginPayload(user_errors=user_errors(exc))

    @strawberry.mutation(description="Exchange a refresh token for a new token pair (rotation).")
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> LoginPayload:
        audit.begin(info.field_name)
        try:
            return _session_payload(await service.refresh(info.context, input.refresh_token))
        except RateLimited:
            raise
        except DomainError as exc:
            # Nothing but the exchange count (and a reused family's revocation) was written: keep it.
            return LoginPayload(user_errors=user_errors(exc))

    @strawberry.mutation(description="Revoke a refresh token and every token rotated from it.")
    async def logout(self, info: Info, input: RefreshTokenInput) -> LogoutPayload:
        audit.begin(info.field_name)
        try:
            await service.logout(info.context, input.refresh_token)
            return LogoutPayload(ok=True)
        except DomainError as exc:
            info.context.rollback = True
            return LogoutPayload(ok=False, user_errors=user_errors(exc))


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in user, with tenant, employee record, roles and permissions.")
    async def viewer(self, info: Info) -> Viewer:
        ctx = info.context
        actor = ctx.require_actor()
        user = await User.get_or_none(id=actor.user_id, tenant_id=actor.tenant_id, active=True)
        if user is None:
            raise Unauthenticated("This account no longer exists or is disabled")
        tenant = await TenantModel.get(id=actor.tenant_id)
        employee = None
        if user.employee_id is not None:
            employee = await EmployeeModel.get_or_none(id=user.employee_id, tenant_id=actor.tenant_id)
        enforcer = await registry.get(actor.tenant_id)
        return Viewer(
            id=to_global_id("User", user.id),
            username=user.username,
            tenant=Tenant.from_model(tenant),
            employee=Employee.from_model(employee) if employee else None,
            roles=enforcer.roles_of(user.id),
            permissions=sorted(await ctx.permissions()),
        )
