"""The one showing of a follow-up code, held on the server until the thank-you page opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import db
from intake.models.types import EncryptedText, UTCDateTime, utcnow


class ReceiptDisplay(db.Model):  # type: ignore[name-defined,misc]
    """What the thank-you page shows once: the code (encrypted), the call, whether to put
    the help lines first. The cookie carries only a random token; the first showing deletes
    the row, so a copied cookie shows nothing, and no rating travels in the cookie."""

    __tablename__ = "receipt_display"

    # Keyed hash of the random token carried by the session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(EncryptedText("receipt_display.code"))
    call_slug: Mapped[str | None] = mapped_column(String(120))
    support: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
