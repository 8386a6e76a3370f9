"""The data model: typed SQLAlchemy models, grouped by meaning."""

from intake.models.audit import AuditEvent, AuditEventImmutable
from intake.models.calls import Call, CallQuestion, CallStatus, QuestionKind
from intake.models.contact import ContactMessage
from intake.models.enums import (
    ContactStatus,
    ContactTopic,
    CreditMode,
    Purpose,
    SubmissionStatus,
)
from intake.models.submissions import Answer, Consent, ConsentWording, Submission
from intake.models.types import utcnow

__all__ = [
    "Answer",
    "AuditEvent",
    "AuditEventImmutable",
    "Call",
    "CallQuestion",
    "CallStatus",
    "Consent",
    "ConsentWording",
    "ContactMessage",
    "ContactStatus",
    "ContactTopic",
    "CreditMode",
    "Purpose",
    "QuestionKind",
    "Submission",
    "SubmissionStatus",
    "utcnow",
]
