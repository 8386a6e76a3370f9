"""Keys derived from the data-encryption key, and AES-GCM for fields at rest."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with the configured key."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Keyring:
    """Purpose-bound keys, so that one key never serves two uses."""

    def __init__(self, master: bytes) -> None:
        self._aead = AESGCM(_derive(master, b"intake/field-encryption/v1"))
        self._receipt_key = _derive(master, b"intake/receipt-code/v1")
        self._lookup_key = _derive(master, b"intake/lookup-hash/v1")

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        """Encrypt text; the context (table and column) is authenticated, not stored."""
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext.encode(), context)

    def decrypt(self, blob: bytes, context: bytes) -> str:
        """Decrypt a value written by ``encrypt`` for the same context."""
        if blob[:1] != FORMAT_V1:
            raise DecryptionError("unknown encryption format")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, context).decode()
        except InvalidTag as error:
            raise DecryptionError("value does not decrypt with the configured key") from error

    def receipt_mac(self, message: bytes) -> bytes:
        """MAC used to derive follow-up codes from submission keys."""
        return hmac.new(self._receipt_key, message, hashlib.sha256).digest()

    def lookup_hash(self, message: bytes) -> str:
        """Keyed hash for indexed lookups (follow-up codes, idempotency keys)."""
        return hmac.new(self._lookup_key, message, hashlib.sha256).hexdigest()


def keyring() -> Keyring:
    """The keyring of the current application."""
    ring: Keyring = current_app.extensions["intake.keyring"]
    return ring
