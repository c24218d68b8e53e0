"""The tokens of the links a subscriber gets, and the keyed hashes that stand in for an address.

No token is ever stored. Each is an HMAC of the app secret over what it opens (a purpose, a row id, a
generation); the database keeps only its SHA-256, to find the row a link points at. A database copy alone
therefore opens nothing, and bumping a generation revokes every link made from the old one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def derive(secret_key: str, purpose: str, row_id: int, generation: int = 0) -> str:
    """``purpose`` is confirm, unsubscribe or manage: a token for one of them never opens another."""
    digest = hmac.new(
        secret_key.encode(), f"subscription-{purpose}:{row_id}:{generation}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_token(text: str) -> bool:
    return bool(TOKEN_RE.match(text or ""))


def normalize_email(address: str) -> str:
    """Addresses are compared without case: mail systems in use treat the local part that way too."""
    return (address or "").strip().lower()


def email_hash(secret_key: str, address: str) -> str:
    """Keyed hash of an address: finds its subscriber and counts mail sent to it, without the address."""
    return hmac.new(
        secret_key.encode(), f"subscriber:{normalize_email(address)}".encode(), hashlib.sha256
    ).hexdigest()


def sender_hash(secret_key: str, address: str) -> str:
    """Keyed hash of a client address, for the per-sender throttle."""
    return hmac.new(
        secret_key.encode(), f"subscription-sender:{address}".encode(), hashlib.sha256
    ).hexdigest()
