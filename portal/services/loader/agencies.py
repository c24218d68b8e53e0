"""Loading ``agencies.yml`` through the admins' services: each entry is written by
:func:`~portal.services.channels.save_agency` and its ``foi_office:`` by
:func:`~portal.services.xxgk.offices.save`, as the actor ``content``, so the rules of the admins' forms
(slug, unique name, kind, parent; the office's phone, e-mail and postcode) hold for the file too.

One savepoint per entry: a refused entry is reported by the line and name of the field at fault and writes
nothing; the others load. An entry whose values are those of the register writes nothing. A changed
entry overwrites an admin's edit of the fields it gives; the office fields it does not give stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency
from portal.services import channels
from portal.services.loader import ACTOR, ContentError, LoadReport, _Loader, find_agency, read_source
from portal.services.refusals import Refused
from portal.services.xxgk import offices

# The fields of the services' rules → the keys of an entry, to point at the line at fault.
_ENTRY_KEYS = {
    "parent_id": "parent",
    **{field: f"foi_office.{key}" for key, field in offices.FILE_KEYS.items()},
}


def _key_lines(node: yaml.Node, prefix: str = "") -> dict[str, int]:
    """The line of each key of an entry (``foi_office.phone`` for the office's)."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            lines[prefix + str(key_node.value)] = key_node.start_mark.line + 1
            if not prefix:
                lines.update(_key_lines(value, f"{key_node.value}."))
    return lines


def _entries(path: Path) -> list[tuple[Any, int, dict[str, int]]]:
    """The entries under ``agencies``, each with its line and the line of each of its keys."""
    src = read_source(path)
    entries = src.meta.get("agencies")
    if not isinstance(entries, list):
        raise ContentError("agencies.yml must hold a list under 'agencies'", 1)
    node = yaml.compose(path.read_text("utf-8"), Loader=_Loader)
    assert node is not None  # read_source found the list in it
    items = node.value[0][1].value
    return [
        (entry, item.start_mark.line + 1, _key_lines(item))
        for entry, item in zip(entries, items, strict=True)
    ]


def _office(entry: dict[str, Any]) -> dict[str, str]:
    office = entry.get("foi_office") or {}
    if not isinstance(office, dict):
        raise ContentError("'foi_office' must be a mapping of fields")
    unknown = sorted(set(office) - set(offices.FILE_KEYS))
    if unknown:
        raise ContentError(
            f"unknown foi_office field '{unknown[0]}' (allowed: {', '.join(offices.FILE_KEYS)})"
        )
    return {offices.FILE_KEYS[k]: str(v or "").strip() for k, v in office.items()}


def _load_entry(sess: Session, entry: Any, position: int, key_lines: dict[str, int]) -> tuple[str, Agency]:
    """Write one entry; returns what happened to it (created, updated, unchanged) and the agency."""
    if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
        raise ContentError("an agency needs 'slug' and 'name'")
    parent = None
    if entry.get("parent"):
        parent = find_agency(sess, str(entry["parent"]))
        if parent is None:
            raise ContentError(f"unknown parent agency '{entry['parent']}'", key_lines.get("parent"))
    form = channels.AgencyForm(
        slug=str(entry["slug"]).strip(),
        name=str(entry["name"]).strip(),
        short_name=str(entry.get("short_name") or "").strip(),
        kind=str(entry.get("kind") or "department").strip(),
        parent_id=parent.id if parent else None,
        external=bool(entry.get("external", False)),
        position=position,
    )
    office = _office(entry)
    agency = sess.scalars(select(Agency).where(Agency.slug == form.slug)).first()
    before = None if agency is None else channels.agency_state(agency)
    try:
        saved = channels.save_agency(sess, ACTOR, form, agency)
        # Only the fields the file gives: an admin's edit of the others in the staff area stays.
        office_changed = offices.save(sess, ACTOR, saved, office)
    except Refused as exc:
        field = exc.first.field
        raise ContentError(exc.first.en, key_lines.get(_ENTRY_KEYS.get(field, field))) from None
    if agency is None:
        return "created", saved
    changed = office_changed or before != channels.agency_state(saved)
    return ("updated" if changed else "unchanged"), saved


def load_agencies(sess: Session, path: Path, report: LoadReport) -> None:
    try:
        entries = _entries(path)
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    for position, (entry, line, key_lines) in enumerate(entries):
        try:
            with sess.begin_nested():
                outcome, agency = _load_entry(sess, entry, position, key_lines)
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or line}: {exc.message}")
            continue
        getattr(report, outcome).append(f"agency:{agency.slug}")
