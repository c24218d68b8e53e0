"""Loading messages from ``content/enquiries/*.yml`` (the demo board) through the same service functions staff
use, with the actor ``content``. A message is keyed by ``key``; one already loaded is left alone. Errors
name the file, the message and the step, and roll back that message only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ
from portal.ingest.dates import parse_day
from portal.models import Agency, Enquiry
from portal.services import receipts
from portal.services.enquiries import messages
from portal.services.loader.registers_yaml import load_register

ACTOR = "content"
STEPS = ("accept", "reject", "transfer", "extend", "draft", "answer", "publish")


class EnquiryContentError(ValueError):
    pass


def _agency(sess: Session, ref: str, where: str) -> Agency:
    agency = sess.scalars(select(Agency).where((Agency.slug == ref) | (Agency.name == ref))).first()
    if agency is None:
        raise EnquiryContentError(f"{where}: unknown agency '{ref}'")
    return agency


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), LOCAL_TZ).astimezone(UTC)


def _step(sess: Session, msg: Enquiry, step: dict[str, Any], where: str) -> None:
    name = step.get("step")
    if name not in STEPS:
        raise EnquiryContentError(f"{where}: unknown step '{name}' (expected one of {', '.join(STEPS)})")
    on = parse_day(step["date"]) if "date" in step else None  # not "on": YAML reads that as true
    if name == "accept":
        messages.accept(sess, ACTOR, msg, on)
    elif name == "reject":
        messages.reject(sess, ACTOR, msg, str(step.get("reason", "")), on)
    elif name == "transfer":
        messages.transfer(sess, ACTOR, msg, _agency(sess, str(step.get("agency", "")), where), on)
    elif name == "extend":
        messages.extend(sess, ACTOR, msg, str(step.get("reason", "")), on)
    elif name == "draft":
        messages.draft(sess, ACTOR, msg, str(step.get("reply", "")), bool(step.get("publish_question")), on)
    elif name == "answer":
        messages.answer(sess, ACTOR, msg, on)
    else:
        messages.publish(sess, ACTOR, msg, _moment(on) if on else None)


def _load_entry(sess: Session, entry: dict[str, Any], where: str, secret_key: str) -> bool:
    key = f"content-enquiry-{entry.get('key', '')}"
    if not receipts.is_valid_key(key):
        raise EnquiryContentError(f"{where}: 'key' must be letters, digits, - or _ (e.g. 2020-003)")
    if sess.scalars(select(Enquiry.id).where(Enquiry.idempotency_key == key)).first() is not None:
        return False
    msg, _password, _new = messages.submit(
        sess,
        _agency(sess, str(entry.get("agency", "")), where),
        kind=str(entry.get("kind", "consult")),
        topic=str(entry.get("topic", "other")),
        subject=str(entry.get("subject", "")),
        body=str(entry.get("body", "")),
        name=str(entry.get("name", "")),
        consent=bool(entry.get("consent", False)),
        page_url=str(entry.get("page_url", "")),
        key=key,
        secret_key=secret_key,
        received_at=_moment(parse_day(entry.get("received_on"))),
        actor=ACTOR,
        commit=False,
    )
    for number, step in enumerate(entry.get("steps") or [], start=1):
        located = f"{where}, step {number} ({step.get('step') if isinstance(step, dict) else '?'})"
        if not isinstance(step, dict):
            raise EnquiryContentError(f"{located}: expected a mapping with 'step'")
        try:
            _step(sess, msg, step, located)
        except messages.EnquiryError as exc:
            raise EnquiryContentError(f"{located}: {exc.message}") from None
    return True


def load_messages(sess: Session, path: Path, secret_key: str) -> tuple[list[str], list[str], list[str]]:
    """Load every ``*.yml`` under ``path``; returns (created, unchanged, errors)."""
    return load_register(
        sess,
        path,
        "messages",
        "message",
        "enquiries",
        lambda s, entry, where: _load_entry(s, entry, where, secret_key),
    )
