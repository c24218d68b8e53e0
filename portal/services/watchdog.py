"""The daily watchdog by e-mail: each member of staff gets one digest per area of what needs them before a
statutory or inspection deadline passes (FOI requests, enquiries). Run by ``portal watchdog --send``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import User
from portal.services.mail import MailError, send_mail


@dataclass
class Digest:
    user: User
    subject: str
    body: str


def digests(sess: Session, base_url: str, today: date | None = None) -> list[Digest]:
    from portal.services.enquiries import watchdog as enquiries
    from portal.services.foi import watchdog as foi

    return [*foi.digests(sess, base_url, today), *enquiries.digests(sess, base_url, today)]


def send(sess: Session, settings: Settings, today: date | None = None) -> tuple[int, list[str]]:
    """Send every digest; returns how many were sent and the errors of those that were not."""
    sent, errors = 0, []
    for digest in digests(sess, settings.base_url, today):
        try:
            send_mail(settings, [digest.user.email], digest.subject, digest.body)
            sent += 1
        except MailError as exc:
            errors.append(f"{digest.user.username}: {exc}")
    return sent, errors
