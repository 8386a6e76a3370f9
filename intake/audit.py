"""Writing to the audit trail."""

from __future__ import annotations

from typing import Any

from intake.extensions import db
from intake.models import AuditEvent

PUBLIC_ACTOR = "public"


def record_event(
    action: str, target_type: str, target_id: str, actor: str = PUBLIC_ACTOR, **details: Any
) -> AuditEvent:
    """Append one event; details hold identifiers and counts, never content."""
    event = AuditEvent(
        actor=actor, action=action, target_type=target_type, target_id=target_id, details=details
    )
    db.session.add(event)
    return event
