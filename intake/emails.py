"""The single place where e-mail addresses are checked and normalised."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """An address that cannot receive mail as written."""


def normalize_email(address: str) -> str:
    """Return the normalised form of an address, checking its syntax only (never DNS)."""
    try:
        result = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return str(result.normalized)
