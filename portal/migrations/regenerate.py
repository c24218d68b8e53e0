"""Regenerate the initial migration from the models (development only, before the first release).

Until the portal is first deployed there is one generated migration, ``0001_initial_schema``; areas add
models in parallel, and one generated file is easier to keep right than a chain of merges. After the first
release, add ordinary revisions with ``alembic revision --autogenerate`` instead.

Hand-written revisions on top of it (``0002_audit_append_only``: DDL autogenerate cannot see, such as
triggers) are kept: they are set aside while 0001 is generated (Alembic would otherwise find their
``down_revision`` missing), then put back.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from alembic import command

from portal.migrations import HERE, alembic_config


def main() -> None:
    versions = HERE / "versions"
    target = versions / "0001_initial_schema.py"
    target.unlink(missing_ok=True)
    kept = sorted(p for p in versions.glob("*.py") if p != target)
    with tempfile.TemporaryDirectory() as tmp:
        aside = Path(tmp) / "aside"
        aside.mkdir()
        for path in kept:
            shutil.move(path, aside / path.name)
        try:
            cfg = alembic_config(f"sqlite:///{Path(tmp) / 'empty.sqlite3'}")
            command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
        finally:
            for path in kept:
                shutil.move(aside / path.name, path)
    print(f"wrote {target} (kept {', '.join(p.name for p in kept) or 'no other revision'})")


if __name__ == "__main__":
    main()
