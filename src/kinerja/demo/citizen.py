"""Demo citizen feedback: a year and more of survey responses per service (different satisfaction
per unit) and feedback tickets in every state."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid

from kinerja.auth.models import User
from kinerja.citizen.models import FeedbackTicket, Service, SurveyCode, SurveyCodeBatch, SurveyKiosk, SurveyResponse
from kinerja.citizen.rules import (
    KIOSK_TOKEN_PREFIX,
    AgeRange,
    Education,
    Gender,
    Occupation,
    TicketKind,
    TicketStatus,
    new_ticket_code,
    token_hash,
)
from kinerja.core import clock
from kinerja.org.models import Employee

MESSAGES = [
    (TicketKind.COMPLAINT, "Antrean perekaman KTP-el sangat panjang, mohon tambah petugas pada hari Senin."),
    (TicketKind.FEEDBACK, "Petugas ramah dan informatif, terima kasih atas pelayanannya."),
    (TicketKind.COMPLAINT, "Informasi persyaratan di situs web berbeda dengan yang diminta di loket."),
    (TicketKind.FEEDBACK, "Mohon disediakan ruang laktasi di ruang tunggu pelayanan."),
    (TicketKind.COMPLAINT, "Pengajuan izin saya belum ada kabar setelah dua minggu."),
    (TicketKind.FEEDBACK, "Layanan daring sudah memudahkan, semoga terus ditingkatkan."),
]
STATES = [TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS, TicketStatus.ANSWERED, TicketStatus.CLOSED,
          TicketStatus.RECEIVED, TicketStatus.ANSWERED]


async def seed_citizen(tenant_id: uuid.UUID, slug: str) -> tuple[int, int]:
    if await SurveyResponse.exists(tenant_id=tenant_id):
        return 0, 0
    rng = random.Random(f"kinerja-citizen-{slug}")
    now = clock.now()
    services = await Service.filter(tenant_id=tenant_id).order_by("code")
    responses = []
    for index, service in enumerate(services):
        mood = [0.55, 0.35, 0.08, 0.02] if index % 3 == 0 else ([0.3, 0.5, 0.15, 0.05] if index % 3 == 1
                                                                else [0.15, 0.45, 0.3, 0.1])
        for n in range(rng.randint(40, 90)):
            when = now - dt.timedelta(days=rng.randint(1, 420), minutes=rng.randint(0, 600))
            scores = [rng.choices([4, 3, 2, 1], weights=mood)[0] for _ in range(9)]
            responses.append(SurveyResponse(
                tenant_id=tenant_id, service_id=service.id, service_unit_id=service.service_unit_id,
                **{f"u{i + 1}": s for i, s in enumerate(scores)}, gender=rng.choice(list(Gender)),
                age_range=rng.choice(list(AgeRange)), education=rng.choice(list(Education)),
                occupation=rng.choice(list(Occupation)), created_at=when,
                fingerprint=hashlib.sha256(f"demo|{service.id}|{n}".encode()).hexdigest()))
    await SurveyResponse.bulk_create(responses, batch_size=1000)
    # Tickets go to staff without a demo login, always the same ones: the demo users' inboxes start empty.
    with_login = await User.filter(tenant_id=tenant_id, employee_id__isnull=False).values_list("employee_id", flat=True)
    staff = await Employee.filter(tenant_id=tenant_id).exclude(id__in=with_login).order_by("nip").limit(5)
    tickets = []
    for index, (kind, message) in enumerate(MESSAGES):
        service = services[index % len(services)]
        status = STATES[index]
        received = now - dt.timedelta(days=2 + 3 * index)
        answered = status in (TicketStatus.ANSWERED, TicketStatus.CLOSED)
        tickets.append(FeedbackTicket(
            tenant_id=tenant_id, code=new_ticket_code(), kind=kind, service_id=service.id,
            service_unit_id=service.service_unit_id, message=message,
            contact="warga@example.id" if index % 2 else None, status=status,
            assigned_to_id=staff[index % len(staff)].id if status is not TicketStatus.RECEIVED else None,
            internal_note="Diteruskan ke kepala seksi pelayanan." if status is not TicketStatus.RECEIVED else "",
            public_answer="Terima kasih, masukan Anda sudah kami tindak lanjuti." if answered else None,
            answered_at=received + dt.timedelta(days=1) if answered else None, created_at=received,
            due_at=received + dt.timedelta(days=5),
            fingerprint=hashlib.sha256(f"demo-ticket|{index}".encode()).hexdigest()))
    await FeedbackTicket.bulk_create(tickets)
    return len(responses), len(tickets)


DEMO_CODES = 12  # one printed sheet


async def seed_counter(tenant_id: uuid.UUID, slug: str) -> str | None:
    """One survey kiosk at the first service unit and one batch of survey codes of its first service.
    The demo kiosk's token is fixed (``ksk_demo-<slug>``) so a demo kiosk page can use it; a real
    kiosk's token is random and shown once."""
    if await SurveyKiosk.exists(tenant_id=tenant_id):
        return None
    service = await Service.filter(tenant_id=tenant_id, active=True).order_by("code").first()
    if service is None:
        return None
    token = f"{KIOSK_TOKEN_PREFIX}demo-{slug}"
    await SurveyKiosk.create(tenant_id=tenant_id, service_unit_id=service.service_unit_id, name="Kios Loket 1",
                             token_hash=token_hash(token))
    rng = random.Random(f"kinerja-codes-{slug}")
    batch = await SurveyCodeBatch.create(tenant_id=tenant_id, service_id=service.id,
                                         service_unit_id=service.service_unit_id, count=DEMO_CODES)
    codes: set[str] = set()
    while len(codes) < DEMO_CODES:
        raw = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        codes.add(f"{raw[:5]}-{raw[5:]}")
    await SurveyCode.bulk_create([SurveyCode(tenant_id=tenant_id, batch_id=batch.id, service_id=service.id, code=c)
                                  for c in sorted(codes)])
    return token
