"""Rules shared by every path that writes a document: loader, importer and staff forms."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

from portal.ingest.docnumber import DOC_NUMBER_RE, is_valid_doc_number, normalize_doc_number
from portal.models.documents import DISCLOSURE, VALIDITY, Document

__all__ = ["DOC_NUMBER_RE", "is_valid_doc_number", "normalize_doc_number"]  # used by services and web


def _label_map(mapping: dict[str, str]) -> dict[str, str]:
    """Accept both the code and its Chinese label (有效 or valid)."""
    return {**{k: k for k in mapping}, **{v: k for k, v in mapping.items()}}


VALIDITY_INPUT = _label_map(VALIDITY)
DISCLOSURE_INPUT = _label_map(DISCLOSURE)


# -- duplicate keys ---------------------------------------------------------------------------------

# Bodies shorter than this (after normalising) are not compared: "见附件" is not a duplicate of "见附件".
MIN_BODY_CHARS = 200
BANDS = 4  # 64-bit SimHash in four 16-bit bands: within 3 bits, two bodies share at least one band
NEAR_BITS = 3
_WORD_RE = re.compile(r"\w+")


def title_key(title: str) -> str:
    """A title as compared for duplicates: full-width folded, case, spaces and punctuation ignored."""
    return "".join(_WORD_RE.findall(unicodedata.normalize("NFKC", title or "").lower()))[:500]


def body_simhash(body_md: str) -> int | None:
    """64-bit SimHash of a body's overlapping 4-character shingles (Markdown marks, spaces and
    punctuation ignored); None when the body is too short to compare.

    Computed with numpy over all shingles at once: the ``simhash`` package takes 0.2 s for a 10,000
    character text, which a bulk load of a thousand documents would feel; this takes about 10 ms.
    """
    text = "".join(_WORD_RE.findall(unicodedata.normalize("NFKC", body_md or "").lower()))
    if len(text) < MIN_BODY_CHARS:
        return None
    digests = b"".join(
        hashlib.blake2b(text[i : i + 4].encode(), digest_size=8).digest() for i in range(len(text) - 3)
    )
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    # A bit of the fingerprint is set where most shingles have it set.
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > bits.shape[0]
    return int.from_bytes(np.packbits(votes, bitorder="little").tobytes(), "little")


def bands(value: int) -> list[int]:
    return [(value >> (16 * i)) & 0xFFFF for i in range(BANDS)]


def from_bands(values: dict[int, int]) -> int:
    return sum(v << (16 * i) for i, v in values.items())


def update_duplicate_keys(doc: Document) -> None:
    """Keep a document's title key and body fingerprint in step with its text (every writer calls this)."""
    from portal.models import BodyFingerprint

    doc.title_key = title_key(doc.title)
    value = body_simhash(doc.body_md)
    wanted = [] if value is None else bands(value)
    if [f.value for f in sorted(doc.fingerprint, key=lambda f: f.band)] != wanted:
        doc.fingerprint = [BodyFingerprint(band=i, value=v) for i, v in enumerate(wanted)]


def book_title(title: str) -> str:
    """A title in book-title marks, 《…》, without doubling marks a title already carries."""
    title = (title or "").strip()
    if title.startswith("《") and title.endswith("》"):
        return title
    return f"《{title}》"
