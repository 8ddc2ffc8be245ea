"""Login, token refresh and logout.

Every check-then-write here is serialised (``core/once.py``): attempts for one username run one at a
time, so the failures counted include every earlier concurrent attempt; exchanges and revocations of
one refresh-token family run one at a time, so a token is exchanged at most once and a revocation
reaches every successor, concurrent ones included."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kinerja.auth.models import LoginFailure, RefreshToken, User
from kinerja.auth.passwords import verify_password
from kinerja.auth.sessions import end_sessions
from kinerja.auth.tokens import (
    RefreshTokenParts,
    compose_refresh_token,
    hash_secret,
    issue_access_token,
    new_secret,
    parse_refresh_token,
    secret_matches,
    successor_secret,
)
from kinerja.core import audit, clock, metrics, once, ratelimit
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import Conflict, RateLimited, Unauthenticated
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.origins import require_origin

INVALID_LOGIN = "Unknown tenant, username or password"


class ReusedRefreshToken(Unauthenticated):
    """Raised after the token family was revoked: that revocation must be committed."""


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime


async def login(ctx: RequestContext, tenant_slug: str, username: str, password: str) -> Session:
    """Raises Unauthenticated (same message whatever was wrong) or RateLimited.

    A failed attempt is recorded; the caller must commit it even though login failed.
    """
    gate = await password_gate(ctx, tenant_slug, username, password)
    if gate is None:
        raise Unauthenticated(INVALID_LOGIN)
    tenant, username = gate
    user = await User.get_or_none(tenant_id=tenant.id, username=username, active=True)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        await record_failure(ctx, tenant, username)
        raise Unauthenticated(INVALID_LOGIN)
    session, _token = await _open_session(ctx, user, family=uuid.uuid4(), secret=new_secret())
    return session


async def password_gate(ctx: RequestContext, tenant_slug: str, username: str,
                        secret: str) -> tuple[Tenant, str] | None:
    """What every attempt with a secret of a user passes first (a login, completing a password reset):
    the tenant and its allowed origins, the per-IP limit, one attempt per username at a time, and the
    username's failures in the window (RATE_LIMITED). Answers the tenant and the username as stored, or
    None for an unknown tenant (after hashing ``secret`` anyway, so the time does not tell)."""
    settings = ctx.settings
    tenant = await Tenant.get_or_none(slug=tenant_slug.strip().lower()[:63])
    if tenant is None:
        verify_password(None, secret)
        return None
    await require_origin(ctx, tenant.id)
    await switch_tenant(connection(), tenant.id)
    window = settings.login_window_minutes * 60
    await ratelimit.hit(tenant.id, f"login-ip:{ctx.ip}", settings.login_ip_max_attempts, window)
    username = username.strip()[:64]
    # One attempt per username at a time: the failures counted below include those of every attempt
    # that ran before, so at most login_max_failures secrets are checked per window.
    await once.lock_key("login", tenant.id, username)
    window_start = clock.now() - dt.timedelta(seconds=window)
    recent = LoginFailure.filter(tenant_id=tenant.id, username=username, created_at__gte=window_start)
    failures = await recent.count()
    if failures >= settings.login_max_failures:
        # Open again once enough failures have left the window to fall below the maximum.
        freeing = await recent.order_by("created_at").offset(failures - settings.login_max_failures).first()
        retry_after = (int((freeing.created_at + dt.timedelta(seconds=window) - clock.now()).total_seconds()) + 1
                       if freeing is not None else window)
        metrics.rate_limit_refused("login-user")
        raise RateLimited("Too many failed logins for this user; try again later", retry_after=max(retry_after, 1))
    return tenant, username


async def record_failure(ctx: RequestContext, tenant: Tenant, username: str) -> None:
    """A failed attempt, counted by ``password_gate`` (the caller commits it although it fails)."""
    await LoginFailure.create(tenant_id=tenant.id, username=username, ip=ctx.ip[:64])


def _access(ctx: RequestContext, user_id: uuid.UUID, tenant_id: uuid.UUID,
            session_id: uuid.UUID) -> tuple[str, dt.datetime]:
    """An access token of the session ``session_id`` (its refresh-token family, the ``sid`` claim): it
    works only while that session has a live refresh token (checked by every operation's binding)."""
    return issue_access_token(ctx.settings.secret_key, user_id, tenant_id, ctx.settings.access_token_seconds,
                              session_id)


def _user_agent(ctx: RequestContext) -> str:
    headers = getattr(ctx.request, "headers", None)
    return (headers.get("user-agent", "") if headers is not None else "")[:300]


async def _open_session(ctx: RequestContext, user: User, family: uuid.UUID, secret: str) -> tuple[Session, RefreshToken]:
    audit.attribute_to(user.id)
    access, expires = _access(ctx, user.id, user.tenant_id, family)
    token = await RefreshToken.create(
        tenant_id=user.tenant_id,
        user_id=user.id,
        secret_hash=hash_secret(secret),
        family=family,
        expires_at=clock.now() + dt.timedelta(days=ctx.settings.refresh_token_days),
        user_agent=_user_agent(ctx),
        ip=ctx.ip[:64],
    )
    return Session(access, compose_refresh_token(user.tenant_id, token.id, secret), expires), token


async def _check_refresh_token(parts: RefreshTokenParts) -> RefreshToken:
    token = await RefreshToken.get_or_none(id=parts.token_id, tenant_id=parts.tenant_id)
    if token is None or not secret_matches(parts.secret, token.secret_hash):
        raise Unauthenticated("Invalid refresh token")
    return token


async def _family_locked(token: RefreshToken) -> RefreshToken:
    """Take the family's lock, then the token as committed now."""
    await once.lock_key("refresh-family", token.tenant_id, token.family)
    return await RefreshToken.get(id=token.id, tenant_id=token.tenant_id)


async def refresh(ctx: RequestContext, raw_refresh_token: str) -> Session:
    """Rotate: the presented token is spent and a new one of the same family issued. Presented again
    within the grace window, it answers that same successor while it is unused; later (or once the
    successor is used), the reuse revokes the whole family (the token was probably stolen). Exchanges
    are limited per client IP within the token's tenant (RATE_LIMITED)."""
    parts = parse_refresh_token(raw_refresh_token)
    if not await Tenant.exists(id=parts.tenant_id):
        raise Unauthenticated("Invalid refresh token")
    await switch_tenant(connection(), parts.tenant_id)
    await ratelimit.hit(parts.tenant_id, f"refresh-ip:{ctx.ip}", ctx.settings.refresh_ip_max_exchanges,
                        ctx.settings.login_window_minutes * 60)
    token = await _check_refresh_token(parts)
    await require_origin(ctx, token.tenant_id)
    audit.attribute_to(token.user_id)
    token = await _family_locked(token)
    now = clock.now()
    if token.revoked_at is not None:
        again = await _same_successor(ctx, token, parts, now)
        if again is not None:
            return again
        await end_sessions(ctx, token.tenant_id, token.user_id, family=token.family, now=now)
        raise ReusedRefreshToken("Refresh token was already used; sign in again")
    if token.expires_at <= now:
        raise Unauthenticated("Refresh token expired; sign in again")
    user = await _active_user(token)
    session, successor = await _open_session(
        ctx, user, family=token.family, secret=successor_secret(ctx.settings.secret_key, token.id, parts.secret))
    token.revoked_at, token.replaced_by_id = now, successor.id
    await token.save(update_fields=["revoked_at", "replaced_by_id"])
    return session


async def _active_user(token: RefreshToken) -> User:
    user = await User.get_or_none(id=token.user_id, tenant_id=token.tenant_id, active=True)
    if user is None:
        raise Unauthenticated("Invalid refresh token")
    return user


async def _same_successor(ctx: RequestContext, token: RefreshToken, parts: RefreshTokenParts,
                          now: dt.datetime) -> Session | None:
    """The session a rotation within the grace window issued, if its refresh token is still unused."""
    grace = dt.timedelta(seconds=ctx.settings.refresh_grace_seconds)
    if token.replaced_by_id is None or token.revoked_at is None or now - token.revoked_at > grace:
        return None
    successor = await RefreshToken.get_or_none(id=token.replaced_by_id, tenant_id=token.tenant_id, revoked_at=None)
    secret = successor_secret(ctx.settings.secret_key, token.id, parts.secret)
    if successor is None or successor.expires_at <= now or not secret_matches(secret, successor.secret_hash):
        return None
    user = await _active_user(token)
    access, expires = _access(ctx, user.id, user.tenant_id, token.family)
    return Session(access, compose_refresh_token(token.tenant_id, successor.id, secret), expires)


async def logout(ctx: RequestContext, raw_refresh_token: str) -> None:
    """Revoke every live token of the presented token's family (CONFLICT when none is left)."""
    parts = parse_refresh_token(raw_refresh_token)
    await switch_tenant(connection(), parts.tenant_id)
    token = await _check_refresh_token(parts)
    await require_origin(ctx, token.tenant_id)
    audit.attribute_to(token.user_id)
    token = await _family_locked(token)
    if not await end_sessions(ctx, token.tenant_id, token.user_id, family=token.family):
        raise Conflict("This session is already signed out", field="refreshToken")
