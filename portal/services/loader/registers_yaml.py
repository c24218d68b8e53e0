"""Reading a register of keyed entries (``content/foi/*.yml``, ``content/enquiries/*.yml``) one entry per
savepoint: an entry that fails is rolled back alone and reported by file, number and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

# (session, entry, where) -> whether the entry was new; raises ValueError (or a subclass) with a message.
EntryLoader = Callable[[Session, dict[str, Any], str], bool]


def load_register(
    sess: Session, path: Path, list_key: str, noun: str, area: str, load_entry: EntryLoader
) -> tuple[list[str], list[str], list[str]]:
    """Load every ``*.yml`` under ``path`` (or the file itself); returns (created, unchanged, errors)."""
    created: list[str] = []
    unchanged: list[str] = []
    errors: list[str] = []
    for file in sorted(path.glob("*.yml")) if path.is_dir() else [path]:
        try:
            data = yaml.safe_load(file.read_text("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            errors.append(f"{file}: not readable YAML ({exc})")
            continue
        entries = data.get(list_key) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            errors.append(f"{file}: expected a list under '{list_key}'")
            continue
        for number, entry in enumerate(entries, start=1):
            key = entry.get("key") if isinstance(entry, dict) else "?"
            where = f"{file}: {noun} {number} ({key})"
            savepoint = sess.begin_nested()
            try:
                if not isinstance(entry, dict):
                    raise ValueError(f"{where}: expected a mapping")
                new = load_entry(sess, entry, where)
                savepoint.commit()
            except (ValueError, TypeError) as exc:
                savepoint.rollback()
                message = getattr(exc, "message", None) or str(exc)
                errors.append(message if message.startswith(str(file)) else f"{where}: {message}")
                continue
            (created if new else unchanged).append(f"{area}/{key}")
    return created, unchanged, errors
