"""Where the seed texts are: the official texts the demo corpus was imported from, kept in the repository."""

from __future__ import annotations

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "content" / "sources"


def find_seeds() -> Path:
    if not any(SEEDS_DIR.glob("*.txt")):
        raise SystemExit(f"seed texts not found in {SEEDS_DIR}")
    return SEEDS_DIR
