"""Login, token refresh and logout."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kinerja.auth.models import LoginFailure, RefreshToken, User
from kinerja.auth.passwords import verify_password
from kinerja.auth.tokens import (
    RefreshTokenParts,
    compose_refresh_token,
    hash_secret,
    issue_access_token,
    new_secret,
    parse_refresh_token,
)
from kinerja.core import audit, clock, metrics, ratelimit
from kinerja.core.context import RequestContext
from kinerja.core.db import connection, switch_tenant
from kinerja.core.errors import RateLimited, Unauthenticated
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
    settings = ctx.settings
    tenant = await Tenant.get_or_none(slug=tenant_slug.strip().lower()[:63])
    if tenant is None:
        verify_password(None, password)
        raise Unauthenticated(INVALID_LOGIN)
    await require_origin(ctx, tenant.id)
    await switch_tenant(connection(), tenant.id)
    window = settings.login_window_minutes * 60
    await ratelimit.hit(tenant.id, f"login-ip:{ctx.ip}", settings.login_ip_max_attempts, window)
    username = username.strip()[:64]
    window_start = clock.now() - dt.timedelta(seconds=window)
    recent = LoginFailure.filter(tenant_id=tenant.id, username=username, created_at__gte=window_start)
    failures = await recent.count()
    if failures >= settings.login_max_failures:
        # Open again once enough failures have left the window to fall below the maximum.
        freeing = await recent.order_by("created_at").offset(failures - settings.login_max_failures).first()
        retry_after = int((freeing.created_at + dt.timedelta(seconds=window) - clock.now()).total_seconds()) + 1
        metrics.rate_limit_refused("login-user")
        raise RateLimited("Too many failed logins for this user; try again later", retry_after=max(retry_after, 1))
    user = await User.get_or_none(tenant_id=tenant.id, username=username, active=True)
    if not verify_password(user.password_hash if user else None, password):
        await LoginFailure.create(tenant_id=tenant.id, username=username, ip=ctx.ip[:64])
        raise Unauthenticated(INVALID_LOGIN)
    return await _open_session(ctx, user, family=uuid.uuid4())


async def _open_session(ctx: RequestContext, user: User, family: uuid.UUID) -> Session:
    audit.attribute_to(user.id)
    settings = ctx.settings
    access, expires = issue_access_token(
        settings.secret_key, user.id, user.tenant_id, settings.access_token_minutes
    )
    secret = new_secret()
    token = await RefreshToken.create(
        tenant_id=user.tenant_id,
        user_id=user.id,
        secret_hash=hash_secret(secret),
        family=family,
        expires_at=clock.now() + dt.timedelta(days=settings.refresh_token_days),
    )
    return Session(access, compose_refresh_token(user.tenant_id, token.id, secret), expires)


async def _lookup_refresh_token(raw: str) -> RefreshToken:
    parts = parse_refresh_token(raw)
    await switch_tenant(connection(), parts.tenant_id)
    return await _check_refresh_token(parts)


async def _check_refresh_token(parts: RefreshTokenParts) -> RefreshToken:
    token = await RefreshToken.get_or_none(id=parts.token_id, tenant_id=parts.tenant_id)
    if token is None or token.secret_hash != hash_secret(parts.secret):
        raise Unauthenticated("Invalid refresh token")
    return token


async def refresh(ctx: RequestContext, raw_refresh_token: str) -> Session:
    """Rotate: the presented token is spent and a new one of the same family issued. Presenting
    a spent token again revokes the whole family (it was probably stolen). Exchanges are limited per
    client IP within the token's tenant (RATE_LIMITED)."""
    parts = parse_refresh_token(raw_refresh_token)
    if not await Tenant.exists(id=parts.tenant_id):
        raise Unauthenticated("Invalid refresh token")
    await switch_tenant(connection(), parts.tenant_id)
    await ratelimit.hit(parts.tenant_id, f"refresh-ip:{ctx.ip}", ctx.settings.refresh_ip_max_exchanges,
                        ctx.settings.login_window_minutes * 60)
    token = await _check_refresh_token(parts)
    await require_origin(ctx, token.tenant_id)
    now = clock.now()
    audit.attribute_to(token.user_id)
    if token.revoked_at is not None:
        await revoke_family(token, now)
        raise ReusedRefreshToken("Refresh token was already used; sign in again")
    if token.expires_at <= now:
        raise Unauthenticated("Refresh token expired; sign in again")
    user = await User.get_or_none(id=token.user_id, tenant_id=token.tenant_id, active=True)
    if user is None:
        raise Unauthenticated("Invalid refresh token")
    token.revoked_at = now
    await token.save(update_fields=["revoked_at"])
    return await _open_session(ctx, user, family=token.family)


async def logout(ctx: RequestContext, raw_refresh_token: str) -> None:
    token = await _lookup_refresh_token(raw_refresh_token)
    await require_origin(ctx, token.tenant_id)
    audit.attribute_to(token.user_id)
    await revoke_family(token, clock.now())


async def revoke_family(token: RefreshToken, now: dt.datetime) -> None:
    """Revoke every live token of the token's family."""
    await audit.update(RefreshToken.filter(tenant_id=token.tenant_id, family=token.family, revoked_at=None),
                       revoked_at=now)

