"""GraphQL operations of authentication: login, refreshToken, logout, viewer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.auth import service
from kinerja.auth.models import User
from kinerja.core import audit
from kinerja.core.errors import DomainError, RateLimited, Unauthenticated
from kinerja.graph import sql
from kinerja.graph.relay import INPUT, UserError, user_errors, user_errors_field
from kinerja.org.graphql import Employee
from kinerja.tenancy.graphql import Tenant


@strawberry.input(description="Credentials of a sign-in (masuk).")
class LoginInput:
    tenant: str = strawberry.field(description="Tenant slug, e.g. `bungo`.")
    username: str = strawberry.field(description="NIP or login name.")
    password: str = strawberry.field(description="Kata sandi (password).")


@strawberry.input(description="A refresh token, as `login` or `refreshToken` gave it.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token (`tenant.token.secret`).")


@strawberry.type(description="Tokens of a session. `accessToken` goes in `Authorization: Bearer`; it "
                             "expires at `expiresAt`, then `refreshToken` gets a new pair (once).")
class LoginPayload:
    access_token: str | None = strawberry.field(default=None, description="Short-lived signed access token "
                                                                          "(JWT); null on failure.")
    refresh_token: str | None = strawberry.field(default=None, description="Opaque refresh token, usable once; "
                                                                            "null on failure.")
    expires_at: dt.datetime | None = strawberry.field(default=None, description="When the access token expires.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="The outcome of a sign-out (keluar).")
class LogoutPayload:
    ok: bool = strawberry.field(description="The token and every token rotated from it are revoked.")
    user_errors: list[UserError] = user_errors_field()


# The role names a user holds, as stored (sorted by code point, as Python sorts them).
HELD_ROLES = sql.Dialects(
    pg="(SELECT coalesce(json_agg(substr(r.v1, 6) ORDER BY substr(r.v1, 6) COLLATE \"C\"), '[]'::json) "
       "FROM policy_rule r WHERE r.tenant_id = {tenant} AND r.ptype = 'g' AND r.v0 = 'user:' || {t}.id::text)",
    sqlite="json((SELECT json_group_array(x.name) FROM (SELECT substr(r.v1, 6) AS name FROM policy_rule r "
           "WHERE r.tenant_id = {tenant} AND r.ptype = 'g' AND r.v0 = 'user:' || {t}.id ORDER BY name) x))")


def sorted_permissions(request) -> list[str]:
    return sorted(request.permissions)


@sql.table(User, description="The signed-in user.")
class Viewer:
    id: strawberry.ID = sql.global_id("User", description="Global id of the user (a `User`).")
    username: str = strawberry.field(description="Login name (often the NIP).")
    tenant: Tenant = sql.join("tenant_id", description="The tenant the session is bound to.")
    employee: Employee | None = sql.join("employee_id", description="The user's own employee record (pegawai); "
                                                                    "null for accounts that are no employee.")
    roles: list[str] = sql.expression(HELD_ROLES, description="Role names held in this tenant.")
    permissions: list[str] = sql.request_value(
        sorted_permissions, description="Permissions held (object:action:scope), so a frontend can show or hide actions.")


def _session_payload(session: service.Session) -> LoginPayload:
    return LoginPayload(access_token=session.access_token, refresh_token=session.refresh_token,
                        expires_at=session.expires_at)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in to a tenant. Wrong tenant, username or password all give "
                                     "the same error. Repeated failures of a user and too many attempts from one "
                                     "client IP answer a RATE_LIMITED error with `retryAfter` seconds.")
    async def login(self, info: Info, input: Annotated[LoginInput, INPUT]) -> LoginPayload:
        audit.begin(info.field_name)
        try:
            return _session_payload(await service.login(info.context, input.tenant, input.username, input.password))
        except RateLimited:
            raise  # a top-level RATE_LIMITED error with retryAfter (HTTP 429 with Retry-After)
        except DomainError as exc:
            # The failed attempt is recorded and must be committed: no rollback here.
            return LoginPayload(user_errors=user_errors(exc))

    @strawberry.mutation(description="Exchange a refresh token for a new token pair (rotation).")
    async def refresh_token(self, info: Info, input: Annotated[RefreshTokenInput, INPUT]) -> LoginPayload:
        audit.begin(info.field_name)
        try:
            return _session_payload(await service.refresh(info.context, input.refresh_token))
        except RateLimited:
            raise
        except DomainError as exc:
            # Nothing but the exchange count (and a reused family's revocation) was written: keep it.
            return LoginPayload(user_errors=user_errors(exc))

    @strawberry.mutation(description="Revoke a refresh token and every token rotated from it.")
    async def logout(self, info: Info, input: Annotated[RefreshTokenInput, INPUT]) -> LogoutPayload:
        audit.begin(info.field_name)
        try:
            await service.logout(info.context, input.refresh_token)
            return LogoutPayload(ok=True)
        except DomainError as exc:
            info.context.rollback = True
            return LogoutPayload(ok=False, user_errors=user_errors(exc))


@strawberry.type
class AuthQuery:
    @sql.builder(description="The signed-in user, with tenant, employee record, roles and permissions.")
    def viewer(self) -> Viewer:
        return sql.Row(where=(sql.where("{t}.id = {user} AND {t}.active"),),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: Unauthenticated("This account no longer exists or is disabled"))
