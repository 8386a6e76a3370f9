"""Keeping robots out without third parties: a signed time stamp on every public form."""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner


def _signer() -> TimestampSigner:
    return TimestampSigner(str(current_app.config["SECRET_KEY"]), salt="intake.form-stamp")


def new_form_stamp() -> str:
    """A signed record of when a form was shown."""
    return _signer().sign("form").decode()


def form_age(stamp: str | None) -> float | None:
    """Seconds since the form was shown, or None when the stamp is missing or forged."""
    try:
        _, signed_at = _signer().unsign(stamp or "", return_timestamp=True)
    except BadSignature:
        return None
    return time.time() - signed_at.timestamp()


def too_fast(age: float) -> bool:
    """Whether a form came back sooner than a person could have filled it."""
    return age < int(current_app.config["MIN_FILL_SECONDS"])
