"""Read Whoosh's compound segments through their memory map, without a private copy in each process.

Whoosh opens each file inside a compound segment (``*.seg``) as a ``BufferFile`` over a memoryview of the
segment's memory map, and ``BufferFile`` hands that view to ``io.BytesIO``, which copies it. So every process
that opened an index held the whole index in private memory: at 50,000 documents 1.6 GB per web worker, read
in full before the first search. Positional reads (``get``: the postings, the term index, the columns)
already slice the map; only sequential reads (``read``, ``read_pickle``) went through the copy. Here they
read the map too, so the index stays one page cache shared by every worker, loaded as searches touch it.

``install()`` replaces the class ``whoosh.filedb.compound`` builds these files with (a private name of
Whoosh: ``tests/search/test_whoosh_private_api.py`` checks it), once per process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _MappedFile:
    """The file methods ``StructFile`` calls, over a buffer that is read in place, never copied whole."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        data = bytes(self._buf[self._pos : end])
        self._pos = max(end, self._pos)
        return data

    def readinto(self, target: memoryview | bytearray) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        end = self._pos
        while end < limit and self._buf[end] != 0x0A:
            end += 1
        return self.read(min(end + 1, limit) - self._pos)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._buf)}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class MappedBufferFile(BufferFile):
    """``BufferFile`` whose sequential reads use the buffer itself instead of a ``BytesIO`` copy of it."""

    def __init__(self, buf, name=None, onclose=None) -> None:  # noqa: ANN001 - Whoosh's own signature
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _MappedFile(memoryview(buf))


def install() -> None:
    compound.BufferFile = MappedBufferFile
