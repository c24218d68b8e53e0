"""Writing an export directory so that a re-export touches only what changed.

A manifest (``.freeze-manifest.json``) keeps the content hash of every file written by the last export.
A file whose new bytes hash the same, and which is still there, is left alone (its mtime too, so nginx,
rsync and a CDN see no change); files that are no longer public are deleted. Each write goes to a
temporary name and is renamed into place, so a server reading the directory never sees half a page.

Several export processes may write into one directory at once (each its own pages): each keeps its own
writer, and the parent merges the others' :meth:`ExportWriter.state` before :meth:`ExportWriter.finish`.

Nothing is written or deleted outside the output folder: a relative path must be plain segments (no
``.``/``..``, no empty segment, no backslash or control character, not absolute), and every folder the
writer creates, writes into or deletes from is resolved (symbolic links followed) and compared with the
resolved output folder. A path that fails either check is refused with :class:`UnsafePath` (a write) or
listed in :attr:`ExportWriter.refused` (a deletion asked for by the previous manifest) and never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

MANIFEST = ".freeze-manifest.json"
# Absolute, a "." or ".." segment, an empty segment, a backslash (a separator on Windows hosts and Samba
# shares) or a control character: refused before any system call.
_UNSAFE = re.compile(r"^/|(?:^|/)\.{0,2}(?:/|$)|\\|[\x00-\x1f\x7f]")
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)


class UnsafePath(ValueError):
    """A path the export refuses: it is not a plain path inside the output folder."""


def check_relpath(relpath: str) -> str:
    """``relpath`` itself if it is a plain relative path of an export, else :class:`UnsafePath`."""
    if not relpath or _UNSAFE.search(relpath):
        raise UnsafePath(f"not a plain relative path: {relpath!r}")
    return relpath


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
        self.refused: list[str] = []  # stale paths of the previous manifest that were not deleted
        self._root = os.fspath(out)
        self._real_root = os.path.realpath(out)
        self._dirs: set[str] = set()  # folders this writer made sure exist
        self._proven: set[str] = set()  # folders proven to be inside the output folder

    def _inside(self, folder: str) -> bool:
        """Whether ``folder`` resolves (symbolic links followed) to the output folder or inside it."""
        real = os.path.realpath(folder)
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _contained(self, folder: str) -> bool:
        """:meth:`_inside` for ``folder`` under the root, at one ``lstat`` per folder not seen before.

        A folder whose parent was proven inside, whose name is a plain segment (:func:`check_relpath`)
        and which is not a symbolic link, is inside too; anything else is resolved in full. The name
        written into a proven folder is a plain segment as well, and ``os.replace`` puts a file in place
        of a symbolic link rather than following it, so the file is inside."""
        if folder == self._root or folder in self._proven:
            return True
        parent = folder.rpartition("/")[0]
        if (not os.path.islink(folder) and self._contained(parent)) or self._inside(folder):
            self._proven.add(folder)
            return True
        return False

    def write(self, relpath: str, data: bytes) -> None:
        """Write ``data`` to ``relpath`` (relative, "/"-separated) unless it already holds exactly that."""
        check_relpath(relpath)
        # Plain os calls and string paths: an export writes thousands of small files, and pathlib's
        # objects cost as much as the system calls here.
        target = f"{self._root}/{relpath}"
        folder, _, name = target.rpartition("/")
        if folder not in self._dirs:
            if not self._contained(folder):
                raise UnsafePath(f"{relpath!r} resolves outside {self._real_root}")
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        h = digest(data)
        self.current[relpath] = h
        if self.previous.get(relpath) == h and os.path.isfile(target):
            self.unchanged += 1
            return
        tmp = f"{folder}/.{name}.{os.getpid()}.tmp"
        # O_NOFOLLOW: a symbolic link planted at the temporary name is not followed out of the folder.
        fd = os.open(tmp, _WRITE_FLAGS, 0o644)
        with os.fdopen(fd, "wb") as f:
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
        other._dirs, other._proven, other.refused = set(self._dirs), set(self._proven), []
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
            try:
                check_relpath(relpath)
            except UnsafePath:
                self.refused.append(relpath)  # a manifest written before these checks, or edited by hand
                continue
            folders = relpath.split("/")[:-1]
            target = f"{self._root}/{relpath}"
            if not self._inside(target.rpartition("/")[0]):
                self.refused.append(relpath)
                continue
            if os.path.isfile(target) or os.path.islink(target):  # a link is removed, never followed
                os.unlink(target)
                self.removed.append(relpath)
            # Empty folders up to, never including, the output folder; each one resolved inside it.
            while folders:
                folder = f"{self._root}/{'/'.join(folders)}"
                if os.path.islink(folder) or not os.path.isdir(folder) or not self._inside(folder):
                    break
                with os.scandir(folder) as entries:
                    if any(entries):
                        break
                os.rmdir(folder)
                folders.pop()
        tmp = self.out / f"{MANIFEST}.tmp"
        tmp.write_text(json.dumps(self.current, ensure_ascii=False, sort_keys=True, indent=0))
        os.replace(tmp, self.out / MANIFEST)
