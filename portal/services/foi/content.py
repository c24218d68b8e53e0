"""Loading requests from ``content/foi/*.yml`` (the demo register) through the same service functions staff
use, with the actor ``content``: every rule, event, due date and audit entry is the one a real request gets.

A request is keyed by ``key``; one already loaded is left as it is (its history is the record, and a reload
must not replay it). Errors name the file, the entry and the step, and roll back that entry only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ
from portal.ingest.dates import parse_day
from portal.models import Agency, InfoRequest
from portal.services import receipts
from portal.services.foi import requests as service
from portal.services.loader.registers_yaml import load_register

ACTOR = "content"
STEP_FIELDS = {
    "confirm": ("date",),
    "correction": ("date", "what", "deadline"),
    "correction_received": ("date",),
    "third_party": ("date", "party"),
    "third_party_replied": ("date",),
    "extend": ("date", "days", "reason"),
    "fee": ("date", "method", "pages"),
    "fee_paid": ("date",),
    "lapse": ("date",),
    "transfer": ("date", "agency", "note"),
    "draft": ("date", "outcome", "detail", "link", "body"),
    "issue": ("date",),
    "withdraw": ("date", "note"),
    "remedy": ("kind", "filed_on", "result", "decided_on"),
}


class FoiContentError(ValueError):
    pass


def _day(value: Any, where: str) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise FoiContentError(f"{where}: {exc}") from None


def _agency(sess: Session, ref: str, where: str) -> Agency:
    agency = sess.scalars(select(Agency).where((Agency.slug == ref) | (Agency.name == ref))).first()
    if agency is None:
        raise FoiContentError(f"{where}: unknown agency '{ref}'")
    return agency


def _step(sess: Session, req: InfoRequest, step: dict[str, Any], where: str) -> None:
    name = step.get("step")
    if name not in STEP_FIELDS:
        raise FoiContentError(f"{where}: unknown step '{name}' (expected one of {', '.join(STEP_FIELDS)})")
    unknown = set(step) - {"step", *STEP_FIELDS[name]}
    if unknown:
        raise FoiContentError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for step '{name}'")
    on = _day(step["date"], where) if "date" in step else None  # not "on": YAML reads that as true

    def dated() -> date:
        if on is None:  # only a transfer and a draft may leave the day to the service
            raise FoiContentError(f"{where}: step '{name}' needs a date")
        return on

    text = {k: str(step.get(k) or "") for k in ("what", "party", "reason", "note", "detail", "link", "body")}
    if name == "confirm":
        service.confirm(sess, ACTOR, req, dated())
    elif name == "correction":
        service.request_correction(sess, ACTOR, req, dated(), text["what"], _day(step.get("deadline"), where))
    elif name == "correction_received":
        service.correction_received(sess, ACTOR, req, dated())
    elif name == "third_party":
        service.third_party_sent(sess, ACTOR, req, dated(), text["party"])
    elif name == "third_party_replied":
        service.third_party_replied(sess, ACTOR, req, dated())
    elif name == "extend":
        service.extend(sess, ACTOR, req, dated(), int(step.get("days", 20)), text["reason"])
    elif name == "fee":
        service.fee_notice(sess, ACTOR, req, dated(), str(step.get("method")), int(step.get("pages") or 0))
    elif name == "fee_paid":
        service.fee_paid(sess, ACTOR, req, dated())
    elif name == "lapse":
        service.lapse(sess, ACTOR, req, dated())
    elif name == "transfer":
        service.transfer(sess, ACTOR, req, _agency(sess, str(step.get("agency")), where), text["note"], on)
    elif name == "draft":
        outcome = str(step.get("outcome"))
        service.draft_reply(sess, ACTOR, req, outcome, text["detail"], text["link"], text["body"], on=on)
    elif name == "issue":
        service.issue_reply(sess, ACTOR, req, dated())
    elif name == "withdraw":
        service.withdraw(sess, ACTOR, req, dated(), text["note"])
    else:
        decided = step.get("decided_on")
        service.add_remedy(
            sess,
            ACTOR,
            req,
            str(step.get("kind")),
            _day(step.get("filed_on"), where),
            str(step.get("result") or "pending"),
            _day(decided, where) if decided else None,
        )


def _load_entry(sess: Session, entry: dict[str, Any], where: str, secret_key: str) -> bool:
    key = f"content-foi-{entry.get('key', '')}"
    if not receipts.is_valid_key(key):
        raise FoiContentError(f"{where}: 'key' must be letters, digits, - or _ (e.g. 2020-003)")
    if sess.scalars(select(InfoRequest.id).where(InfoRequest.idempotency_key == key)).first() is not None:
        return False
    applicant = entry.get("applicant") or {}
    application = service.Application(
        applicant_type=str(applicant.get("type", "person")),
        name=str(applicant.get("name", "")),
        contact_person=str(applicant.get("contact_person", "")),
        id_type=str(applicant.get("id_type", "resident_id")),
        id_number=str(applicant.get("id_number", "")),
        phone=str(applicant.get("phone", "")),
        email=str(applicant.get("email", "")),
        address=str(applicant.get("address", "")),
        description=str(entry.get("description", "")),
        doc_ref=str(entry.get("doc_ref", "")),
        form_wanted=str(entry.get("form_wanted", "electronic")),
        delivery=str(entry.get("delivery") or ("email" if applicant.get("email") else "pickup")),
    )
    received_on = _day(entry.get("received_on"), where)
    arrived = datetime.combine(received_on, time(9, 30), LOCAL_TZ).astimezone(UTC)
    req, _password = service.register(
        sess,
        ACTOR,
        application,
        _agency(sess, str(entry.get("agency", "")), where),
        str(entry.get("channel", "in_person")),
        received_on,
        key=key,
        secret_key=secret_key,
        submitted_at=arrived,
    )
    for number, step in enumerate(entry.get("steps") or [], start=1):
        if not isinstance(step, dict):
            raise FoiContentError(f"{where}, step {number}: expected a mapping with 'step'")
        located = f"{where}, step {number} ({step.get('step')})"
        try:
            _step(sess, req, step, located)
        except service.FoiError as exc:
            raise FoiContentError(f"{located}: {exc.message}") from None
    return True


def load_requests(sess: Session, path: Path, secret_key: str) -> tuple[list[str], list[str], list[str]]:
    """Load every ``*.yml`` under ``path``; returns (created, unchanged, errors)."""
    return load_register(
        sess,
        path,
        "requests",
        "request",
        "foi",
        lambda s, entry, where: _load_entry(s, entry, where, secret_key),
    )
