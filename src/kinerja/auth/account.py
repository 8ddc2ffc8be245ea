"""A user's own account: sessions (list, revoke), changing the password, and password resets an
admin starts with a one-time code.

A session is a refresh-token family: it starts at sign-in, each refresh rotates its token, and its
access tokens carry its id (``sid``). Every operation's binding checks that the session still has a
live token (migration 0074), so revoking it ends its access tokens at once, on HTTP and websockets.

Reset codes are stored as argon2 hashes, valid 24 hours, used once, and spent after
``RESET_MAX_ATTEMPTS`` wrong tries; a newer code ends the older ones. When a sender is registered in
``RESET_CODE_SENDERS`` (mail, when the tenant has a mail server and the user an address), the code is
sent after the operation commits and not shown."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kinerja.auth.models import PasswordResetCode, RefreshToken, User
from kinerja.auth.passwords import hash_password, password_problem, verify_password
from kinerja.auth.service import password_gate, record_failure
from kinerja.auth.sessions import end_sessions
from kinerja.core import audit, clock, once
from kinerja.core.context import RequestContext
from kinerja.core.errors import BadUserInput, Conflict, FieldError, Forbidden, NotFound, ValidationFailed

RESET_CODE_HOURS = 24
RESET_MAX_ATTEMPTS = 5
# Unambiguous letters and digits (no 0/O, 1/I/L): read aloud or typed from a screen.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVALID_RESET = "Unknown tenant, username or reset code"


@dataclass(frozen=True)
class ResetCodeMessage:
    """What a sender delivers: the code and whom it is for (never logged)."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    username: str
    code: str
    expires_at: dt.datetime


# Senders of reset codes (mail: registered by the application, ``app.py``). A sender is an async
# callable ``sender(message)`` run in the operation's transaction: it answers the delivery to run once
# the operation commits, or None when it cannot reach the user (no mail server or no address). The
# first sender that can deliver does (delivery MAILED, the code not shown); with none, it is SHOWN.
ResetCodeDelivery = Callable[[], Awaitable[None]]
RESET_CODE_SENDERS: list[Callable[[ResetCodeMessage], Awaitable[ResetCodeDelivery | None]]] = []


async def revoke_session(ctx: RequestContext, session_id: uuid.UUID) -> uuid.UUID:
    """End one of the caller's sessions: its refresh token and its access tokens stop working at once."""
    actor = ctx.require_actor()
    await once.lock_key("refresh-family", actor.tenant_id, session_id)
    if not await RefreshToken.exists(tenant_id=actor.tenant_id, user_id=actor.user_id, family=session_id):
        raise NotFound("Session not found", field="sessionId")
    if not await end_sessions(ctx, actor.tenant_id, actor.user_id, family=session_id):
        raise Conflict("This session has already ended", field="sessionId")
    return session_id


async def change_password(ctx: RequestContext, current_password: str, new_password: str) -> User:
    """Change the caller's own password; every other session of the caller ends."""
    actor = ctx.require_actor()
    user = await once.locked(User.filter(id=actor.user_id, tenant_id=actor.tenant_id, active=True))
    if user is None:
        raise NotFound("User not found")
    if not verify_password(user.password_hash, current_password):
        raise BadUserInput("The current password is wrong", field="currentPassword")
    if problem := password_problem(new_password):
        raise BadUserInput(problem, field="newPassword")
    if verify_password(user.password_hash, new_password):
        raise BadUserInput("The new password must differ from the current one", field="newPassword")
    user.password_hash = hash_password(new_password)
    await user.save(update_fields=["password_hash"])
    await end_sessions(ctx, user.tenant_id, user.id, keep=actor.session_id)
    return user


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalised(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())[:32]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class IssuedCode:
    user: User
    code: str | None  # shown once; None when a sender delivered it
    mailed: bool


async def reset_user_password(ctx: RequestContext, user_id: uuid.UUID) -> IssuedCode:
    """Issue a one-time code for the user (an admin's task): any older code ends."""
    await ctx.require("user", "manage")
    tenant_id = ctx.require_tenant()
    user = await once.locked(User.filter(id=user_id, tenant_id=tenant_id))
    if user is None:
        raise NotFound("User not found", field="userId")
    if user.id == ctx.require_actor().user_id:
        raise Forbidden("Change your own password with changePassword", field="userId")
    if not user.active:
        raise Conflict("The login is inactive: reactivate it first", field="userId")
    now = clock.now()
    await audit.update(PasswordResetCode.filter(tenant_id=tenant_id, user_id=user.id, ended_at=None), ended_at=now)
    code = _new_code()
    expires = now + dt.timedelta(hours=RESET_CODE_HOURS)
    await PasswordResetCode.create(tenant_id=tenant_id, user_id=user.id, code_hash=hash_password(code),
                                   expires_at=expires, issued_by=ctx.require_actor().user_id)
    message = ResetCodeMessage(tenant_id, user.id, user.username, code, expires)
    for sender in RESET_CODE_SENDERS:
        if (delivery := await sender(message)) is not None:
            ctx.after_commit.append(delivery)
            return IssuedCode(user, None, mailed=True)
    return IssuedCode(user, code, mailed=False)


async def complete_password_reset(ctx: RequestContext, tenant_slug: str, username: str, code: str,
                                  new_password: str) -> None:
    """Set a new password with a reset code (no token). Limited like login: per client IP, and per
    username (wrong codes count as failed logins); a code is spent after RESET_MAX_ATTEMPTS wrong
    tries. Every session of the user ends. Failed attempts are recorded: commit them."""
    if problem := password_problem(new_password):
        raise ValidationFailed([FieldError("newPassword", "BAD_USER_INPUT", problem)])
    gate = await password_gate(ctx, tenant_slug, username, code)
    if gate is None:
        raise BadUserInput(INVALID_RESET, field="code")
    tenant, username = gate
    user = await User.get_or_none(tenant_id=tenant.id, username=username, active=True)
    now = clock.now()
    reset = (await once.locked(PasswordResetCode.filter(tenant_id=tenant.id, user_id=user.id, ended_at=None,
                                                        expires_at__gt=now).order_by("-created_at"))
             if user is not None else None)
    if reset is None or user is None or not verify_password(reset.code_hash, _normalised(code)):
        if reset is None:
            verify_password(None, code)
        else:
            reset.attempts += 1
            if reset.attempts >= RESET_MAX_ATTEMPTS:
                reset.ended_at = now
            await reset.save(update_fields=["attempts", "ended_at"])
        await record_failure(ctx, tenant, username)
        raise BadUserInput(INVALID_RESET, field="code")
    audit.attribute_to(user.id)
    reset.ended_at = now
    await reset.save(update_fields=["ended_at"])
    user.password_hash = hash_password(new_password)
    await user.save(update_fields=["password_hash"])
    await end_sessions(ctx, user.tenant_id, user.id)
