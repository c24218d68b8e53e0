"""What a citizen's submission gets back: a receipt code to quote, a query password to see it again, and the
keys that make a resubmission return the first receipt instead of a second submission.

Shared by every citizen-facing area that takes submissions with private data (FOI requests, enquiries).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# The query password is 50 random bits, not a person's chosen secret: a light argon2 (about 5 ms) already
# puts guessing it offline out of reach, and keeps registering a batch of letters fast.
_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def new_code(prefix: str, year: int) -> str:
    """``YSQ2020-ABCD2345``: the area's prefix, the year, eight random characters (40 bits)."""
    return f"{prefix}{year}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


def normalize_code(text: str) -> str:
    return re.sub(r"\s", "", (text or "").upper())[:16]


def is_valid_key(key: str) -> bool:
    return bool(_KEY_RE.match(key or ""))


def submission_key(nonce: str, parts: Iterable[str]) -> str:
    """The idempotency key of a submission: the browser session's nonce and what it says.

    The same text sent twice from one browser session (double click, reload, back button and submit again,
    whatever the browser cached) is one submission with one receipt; a different text is a new one.
    """
    content = "\x1f".join(re.sub(r"\s+", " ", part.strip()) for part in parts)
    return hmac.new(nonce.encode(), content.encode(), hashlib.sha256).hexdigest()[:40]


def sender_hash(secret_key: str, area: str, address: str) -> str:
    """A keyed hash of the client address: enough to count a sender's submissions, useless to identify one."""
    return hmac.new(secret_key.encode(), f"{area}-sender:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def query_password(secret_key: str, area: str, idempotency_key: str) -> str:
    """The submitter's query password, derived from the submission's key: a resubmission shows the same
    password, and only its hash is stored."""
    digest = hmac.new(secret_key.encode(), f"{area}:{idempotency_key}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10].translate(str.maketrans("01OI", "2345"))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, (password or "").strip().upper())
    except (VerificationError, InvalidHashError):
        return False


def spend_time_like_a_check() -> None:
    """As slow as a wrong password, so that codes cannot be probed by response time."""
    _hasher.hash("timing")
