"""Mail through the tenant's SMTP server (``aiosmtplib``). Notification mail is sent by the worker,
never a request: notifications are an outbox (``notification.emailed_at``, ``digested_at``). A
password reset code is the exception: it is never stored readable, so it is mailed once the
operation that issued it commits."""

from __future__ import annotations

import logging
import os
from email.message import EmailMessage
from typing import TYPE_CHECKING

import aiosmtplib

from kinerja.auth.models import User
from kinerja.core import clock
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings

if TYPE_CHECKING:
    from kinerja.auth.account import ResetCodeDelivery, ResetCodeMessage

log = logging.getLogger("kinerja.mail")

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


async def reset_code_mail(reset: ResetCodeMessage) -> ResetCodeDelivery | None:
    """A password reset code by mail (a sender of ``auth/account.py``), when the tenant has a mail
    server and the user an address; the mail goes out once the operation has committed. A code whose
    mail fails is not shown anywhere: the admin issues a new one."""
    tenant = await Tenant.get(id=reset.tenant_id)
    settings = TenantSettings.from_dict(tenant.settings)
    address = await User.filter(tenant_id=reset.tenant_id, id=reset.user_id).values_list("email", flat=True)
    if not (settings.smtp_host and settings.smtp_from and address and address[0]):
        return None
    until = reset.expires_at.astimezone(clock.zone(settings.timezone)).strftime("%d-%m-%Y %H:%M")
    mail = message(settings.smtp_from, str(address[0]), "Kode atur ulang kata sandi Kinerja",
                   f"Kode untuk mengatur ulang kata sandi akun {reset.username}: {reset.code}\n\n"
                   f"Kode ini berlaku sampai {until} dan hanya dapat dipakai sekali.\n"
                   "Abaikan pesan ini jika Anda tidak memintanya.\n")

    async def deliver() -> None:
        try:
            await send(settings, tenant.slug, [mail])
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("the reset code mail of user %s failed: %s", reset.user_id, type(exc).__name__)

    return deliver
