"""Sending one plain-text e-mail through the configured SMTP server (``PORTAL_SMTP_HOST``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from portal.config import Settings

TIMEOUT_SECONDS = 10


class MailError(RuntimeError):
    """The SMTP server refused the message or could not be reached."""


def send_mail(
    settings: Settings, to: list[str], subject: str, body: str, headers: dict[str, str] | None = None
) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
