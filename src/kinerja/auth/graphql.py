"""GraphQL operations of authentication: login, refreshToken, logout, viewer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from kinerja.auth import account, service
from kinerja.auth.models import RefreshToken, User
from kinerja.core import audit
from kinerja.core.errors import DomainError, RateLimited, Unauthenticated
from kinerja.core.ids import parse_global_id, to_global_id
from kinerja.graph import sql
from kinerja.graph.relay import INPUT, UserError, run_mutation, user_errors, user_errors_field
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


# When a session began: the first token of its refresh-token family.
SESSION_STARTED = ("(SELECT min(f.created_at) FROM refresh_token f WHERE f.tenant_id = {tenant} "
                   "AND f.user_id = {t}.user_id AND f.family = {t}.family)")


@sql.table(RefreshToken, description="A signed-in session of yours (one sign-in and its refreshes).")
class Session:
    """A session is read through its live token: the one link of its family neither rotated nor revoked."""

    id: strawberry.ID = sql.global_id("Session", "family", description="Global id of the session; pass it to "
                                                                       "`revokeSession`.")
    created_at: dt.datetime = sql.expression(SESSION_STARTED, description="When you signed in.")
    last_used_at: dt.datetime = sql.column("created_at", description="When its tokens were last issued (sign-in "
                                                                     "or refresh).")
    user_agent: str = strawberry.field(description="The browser or client that last refreshed it, as it named "
                                                   "itself (may be empty).")
    ip: str = strawberry.field(description="The client IP that last refreshed it (may be empty).")
    current: bool = sql.expression("({t}.family IS NOT DISTINCT FROM {session})",
                                   description="This request's session.")


@strawberry.input(description="One of your sessions to end.")
class RevokeSessionInput:
    session_id: strawberry.ID = strawberry.field(description="Global id of the session (`mySessions`).")


@strawberry.type(description="The outcome of ending a session.")
class RevokeSessionPayload:
    revoked_id: strawberry.ID | None = strawberry.field(default=None, description="Global id of the ended "
                                                                                  "session; null on failure.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Your current password and the new one.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password you signed in with.")
    new_password: str = strawberry.field(description="The new password (10 to 256 characters).")


@strawberry.type(description="The outcome of a password change.")
class ChangePasswordPayload:
    ok: bool = strawberry.field(default=False, description="The password changed; your other sessions ended.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="A one-time reset code and the new password (no sign-in needed).")
class CompletePasswordResetInput:
    tenant: str = strawberry.field(description="Tenant slug, e.g. `bungo`.")
    username: str = strawberry.field(description="NIP or login name.")
    code: str = strawberry.field(description="The one-time code `resetUserPassword` gave.")
    new_password: str = strawberry.field(description="The new password (10 to 256 characters).")


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

    @strawberry.mutation(description="End one of your sessions: its refresh token and access tokens stop working "
                                     "at once, on HTTP and websockets.")
    async def revoke_session(self, info: Info, input: Annotated[RevokeSessionInput, INPUT]) -> RevokeSessionPayload:
        async def work():
            revoked = await account.revoke_session(info.context, parse_global_id(input.session_id, "Session"))
            return {"revoked_id": to_global_id("Session", revoked)}
        return await run_mutation(info, RevokeSessionPayload, work)

    @strawberry.mutation(description="Change your own password (the same rules as createUser's); your other "
                                     "sessions end.")
    async def change_password(self, info: Info, input: Annotated[ChangePasswordInput, INPUT]) -> ChangePasswordPayload:
        async def work():
            await account.change_password(info.context, input.current_password, input.new_password)
            return {"ok": True}
        return await run_mutation(info, ChangePasswordPayload, work)

    @strawberry.mutation(description="Set a new password with a one-time code from `resetUserPassword` (no sign-in). "
                                     "Wrong tenant, username or code all give the same error; attempts are limited "
                                     "like logins (RATE_LIMITED with `retryAfter`). Every session of the user ends.")
    async def complete_password_reset(self, info: Info,
                                      input: Annotated[CompletePasswordResetInput, INPUT]) -> ChangePasswordPayload:
        audit.begin(info.field_name)
        try:
            await account.complete_password_reset(info.context, input.tenant, input.username, input.code,
                                                  input.new_password)
            return ChangePasswordPayload(ok=True)
        except RateLimited:
            raise
        except DomainError as exc:
            # A wrong code is recorded (its attempt and the failure count) and must be committed.
            return ChangePasswordPayload(user_errors=user_errors(exc))


@strawberry.type
class AuthQuery:
    @sql.builder(description="The signed-in user, with tenant, employee record, roles and permissions.")
    def viewer(self) -> Viewer:
        return sql.Row(where=(sql.where("{t}.id = {user} AND {t}.active"),),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                       missing=lambda: Unauthenticated("This account no longer exists or is disabled"))

    @sql.builder(description="Your signed-in sessions, most recently used first.")
    def my_sessions(self) -> list[Session]:
        return sql.Rows(where=(sql.where("{t}.user_id = {user}"), sql.is_null("revoked_at"),  # type: ignore[return-value]  # a described read: the compiler answers its specification
                               sql.where("{t}.expires_at > {now}")), order=("-created_at", "-family"))
