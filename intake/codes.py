"""Follow-up codes, public ids and the keys that make a retried form idempotent.

A follow-up code is derived from the form's random submission key with a keyed MAC, so a
double click or a retry of the same form shows the same code again, while the database only
holds keyed hashes of the key and of the code: a dump reveals neither.
"""

from __future__ import annotations

import base64
import re
import secrets

from intake.crypto import keyring

# Crockford's base32: no I, L, O or U, so a code reads aloud and types without ambiguity.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_SIZE = 4, 4  # 16 symbols x 5 bits = 80 bits
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
SUBMISSION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_public_id() -> str:
    """A random, unguessable identifier for URLs, never the row id."""
    return secrets.token_hex(16)


def new_submission_key() -> str:
    """A random key carried by one form, so that sending it twice files one story."""
    return secrets.token_urlsafe(32)


def derive_submission_key(submission_key: str, text: str) -> str:
    """The key for another text sent with an already used form, the same on every retry."""
    mac = keyring().receipt_mac(b"reuse:" + submission_key.encode() + b"\0" + text.encode())
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def derive_code(submission_key: str) -> str:
    """The follow-up code for a submission key, formatted as four groups of four."""
    number = int.from_bytes(keyring().receipt_mac(submission_key.encode())[:10], "big")
    symbols = []
    for _ in range(GROUPS * GROUP_SIZE):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    raw = "".join(symbols)
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normalize_code(typed: str) -> str | None:
    """Read a typed code kindly: any case, spaces or dashes, O for 0 and I or L for 1."""
    compact = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if len(compact) != GROUPS * GROUP_SIZE or any(c not in ALPHABET for c in compact):
        return None
    return compact


def hash_code(code: str) -> str | None:
    """Keyed hash of a code as stored and looked up; None when it cannot be a code."""
    compact = normalize_code(code)
    return None if compact is None else keyring().lookup_hash(b"receipt:" + compact.encode())


def hash_submission_key(submission_key: str) -> str:
    """Keyed hash of a form's submission key, as stored under a UNIQUE constraint."""
    return keyring().lookup_hash(b"form:" + submission_key.encode())
