"""Where the seed texts are: ``PORTAL_SEEDS_DIR`` or ``shared/seeds`` beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path


def find_seeds() -> Path:
    if os.environ.get("PORTAL_SEEDS_DIR"):
        return Path(os.environ["PORTAL_SEEDS_DIR"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    raise SystemExit("seed texts not found: set PORTAL_SEEDS_DIR or put shared/seeds beside the checkout")
