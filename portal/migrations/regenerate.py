"""Regenerate the initial migration from the models (development only, before the first release).

Until the portal is first deployed there is one migration, ``0001_initial_schema``; areas add models
in parallel, and one generated file is easier to keep right than a chain of merges. After the first
release, add ordinary revisions with ``alembic revision --autogenerate`` instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from portal.migrations import HERE, alembic_config


def main() -> None:
    target = HERE / "versions" / "0001_initial_schema.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(f"sqlite:///{Path(tmp) / 'empty.sqlite3'}")
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
