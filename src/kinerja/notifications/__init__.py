"""Notifications: a persistent inbox per user, per-user preferences, mail (an outbox the worker sends)
and reminders (``worker.py``)."""
