"""Ending sessions: one place for every way a session ends (sign-out, a revoked session, a changed or
reset password, a disabled login, a reused refresh token).

A session is a refresh-token family. Ending it revokes its live tokens; its access tokens then fail at
their next operation (the binding's session check, ``kinerja_bind``), and the user's open sockets are
told at once so that an idle subscription closes too (``api/websocket.py``)."""

from __future__ import annotations

import datetime as dt
import uuid

from kinerja.auth.models import RefreshToken
from kinerja.core import audit, clock
from kinerja.core.context import RequestContext
from kinerja.core.events import Event, publish

SESSIONS_ENDED = "SESSIONS_ENDED"  # the event's subject is the user whose sessions ended


async def end_sessions(ctx: RequestContext | None, tenant_id: uuid.UUID, user_id: uuid.UUID, *,
                       family: uuid.UUID | None = None, keep: uuid.UUID | None = None,
                       now: dt.datetime | None = None) -> int:
    """End the user's live sessions (only ``family``, or all but ``keep``), in the caller's
    transaction; returns how many tokens were revoked."""
    live = RefreshToken.filter(tenant_id=tenant_id, user_id=user_id, revoked_at=None)
    if family is not None:
        live = live.filter(family=family)
    if keep is not None:
        live = live.exclude(family=keep)
    ended = await audit.update(live, revoked_at=now or clock.now())
    if ended:
        await publish(ctx, Event(tenant_id, SESSIONS_ENDED, user_id))
    return ended
