"""Notification mail through the tenant's SMTP server (``aiosmtplib``). Only the worker sends mail,
never a request: notifications are an outbox (``notification.emailed_at``, ``digested_at``)."""

from __future__ import annotations

import os
from email.message import EmailMessage

import aiosmtplib

from kinerja.tenancy.rules import TenantSettings

TIMEOUT_SECONDS = 30


def password_for(slug: str) -> str | None:
    """The SMTP password of a tenant: from the environment, never from its file."""
    return (os.environ.get(f"KINERJA_SMTP_PASSWORD_{slug.upper().replace('-', '_')}")
            or os.environ.get("KINERJA_SMTP_PASSWORD") or None)


def message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail.set_content(body)
    return mail


async def send(settings: TenantSettings, slug: str, mails: list[EmailMessage]) -> None:
    """Send ``mails`` over one connection to the tenant's server (STARTTLS as configured)."""
    if not mails:
        return
    client = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                             start_tls=settings.smtp_starttls, timeout=TIMEOUT_SECONDS)
    async with client:
        if settings.smtp_username:
            await client.login(settings.smtp_username, password_for(slug) or "")
        for mail in mails:
            await client.send_message(mail)
