"""Writing an export directory so that a re-export touches only what changed.

A manifest (``.freeze-manifest.json``) keeps the content hash of every file written by the last export.
A file whose new bytes hash the same, and which is still there, is left alone (its mtime too, so nginx,
rsync and a CDN see no change); files that are no longer public are deleted. Each write goes to a
temporary name and is renamed into place, so a server reading the directory never sees half a page.

Several export processes may write into one directory at once (each its own pages): each keeps its own
writer, and the parent merges the others' :meth:`ExportWriter.state` before :meth:`ExportWriter.finish`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MANIFEST = ".freeze-manifest.json"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ExportWriter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            self.previous: dict[str, str] = json.loads((out / MANIFEST).read_text())
        except (FileNotFoundError, ValueError):
            self.previous = {}
        self.current: dict[str, str] = {}
        self.written: list[str] = []
        self.unchanged = 0
        self.removed: list[str] = []
        self._root = os.fspath(out)
        self._dirs: set[str] = set()

    def write(self, relpath: str, data: bytes) -> None:
        """Write ``data`` to ``relpath`` (relative, "/"-separated) unless it already holds exactly that."""
        h = digest(data)
        self.current[relpath] = h
        # Plain os calls and string paths: an export writes thousands of small files, and pathlib's
        # objects cost as much as the system calls here.
        target = f"{self._root}/{relpath}"
        if self.previous.get(relpath) == h and os.path.isfile(target):
            self.unchanged += 1
            return
        folder, _, name = target.rpartition("/")
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        tmp = f"{folder}/.{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        self.written.append(relpath)

    def forget(self, relpath: str) -> None:
        """``relpath`` must not be in the export (now served by the app only)."""
        self.current.pop(relpath, None)

    def sibling(self) -> ExportWriter:
        """A writer into the same directory against the same previous manifest, for another process."""
        other = object.__new__(ExportWriter)
        other.__dict__.update(self.__dict__)
        other.current, other.written, other.unchanged, other.removed = {}, [], 0, []
        other._dirs = set(self._dirs)
        return other

    def state(self) -> tuple[dict[str, str], list[str], int]:
        """What this writer wrote (for :meth:`merge` in the process that finishes the export)."""
        return self.current, self.written, self.unchanged

    def merge(self, state: tuple[dict[str, str], list[str], int]) -> None:
        current, written, unchanged = state
        self.current.update(current)
        self.written.extend(written)
        self.unchanged += unchanged

    def finish(self) -> None:
        """Delete files of the previous export that are no longer public, then save the manifest."""
        for relpath in sorted(set(self.previous) - set(self.current)):
            target = self.out / relpath
            if target.is_file():
                target.unlink()
                self.removed.append(relpath)
            parent = target.parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        tmp = self.out / f"{MANIFEST}.tmp"
        tmp.write_text(json.dumps(self.current, ensure_ascii=False, sort_keys=True, indent=0))
        os.replace(tmp, self.out / MANIFEST)
