"""Where a compiled read runs: on the streaming replica (``KINERJA_REPLICA_URL``), unless the user who
reads wrote recently, whose reads go to the primary for ``KINERJA_REPLICA_STICKY_SECONDS`` so that he
or she sees what he or she just wrote while the replica catches up (read-your-writes).

A write is known on every host: the committing transaction sends ``pg_notify('kinerja_writes', user)``,
which each process's listener (a direct connection, ``core/listener.py``) receives when it commits,
and the writing process marks the user itself right after COMMIT returned, before it answers.

A replica that does not start a read within ``KINERJA_REPLICA_WAIT_SECONDS`` (down, or PgBouncer waiting
for it) hands the read to the primary and is left alone for a while (``ReplicaHealth``).
"""

from __future__ import annotations

import contextlib
import time
import uuid

from kinerja.core.listener import Channel

CHANNEL = "kinerja_writes"


class RecentWriters:
    """Users whose reads go to the primary, until when (monotonic seconds of this process)."""

    def __init__(self) -> None:
        self.sticky_seconds = 0.0
        self._until: dict[uuid.UUID, float] = {}
        self._everyone_until = 0.0

    def mark(self, user_id: uuid.UUID) -> None:
        now = time.monotonic()
        if len(self._until) > 10_000:  # forget the expired marks now and then: memory stays bounded
            self._until = {user: until for user, until in self._until.items() if until > now}
        self._until[user_id] = now + self.sticky_seconds

    def wrote_recently(self, user_id: uuid.UUID | None) -> bool:
        now = time.monotonic()
        return self._everyone_until > now or (user_id is not None and self._until.get(user_id, 0.0) > now)

    def missed_some(self) -> None:
        """The listener reconnected: writes announced meanwhile are unknown, so everyone reads from the
        primary for a while."""
        self._everyone_until = time.monotonic() + self.sticky_seconds

    def on_message(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self.mark(uuid.UUID(payload))

    def channel(self) -> Channel:
        return Channel(CHANNEL, self.on_message, self.missed_some)


class ReplicaHealth:
    """A replica that failed to start a read (down, or behind a pooler that waits for it) is left alone
    for ``rest_seconds``: meanwhile the primary answers, so only one read per process and rest pays the
    wait."""

    def __init__(self) -> None:
        self.wait_seconds = 2.0
        self.rest_seconds = 10.0
        self._resting_until = 0.0

    def usable(self) -> bool:
        return time.monotonic() >= self._resting_until

    def failed(self) -> None:
        self._resting_until = time.monotonic() + self.rest_seconds


writers = RecentWriters()
health = ReplicaHealth()
