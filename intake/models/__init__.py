"""The data model: typed SQLAlchemy models, grouped by meaning."""

from intake.models.audit import AuditEvent, AuditEventImmutable
from intake.models.calls import Call, CallQuestion, CallStatus, QuestionKind
from intake.models.contact import ContactMessage
from intake.models.enums import (
    ContactStatus,
    ContactTopic,
    CreditMode,
    DeclineReason,
    Proofreading,
    Purpose,
    ScreeningLevel,
    SubmissionStatus,
)
from intake.models.followup import FollowupSession
from intake.models.messages import Message, Note, Sender
from intake.models.receipts import ReceiptDisplay
from intake.models.submissions import Answer, Consent, ConsentWording, Submission
from intake.models.takedowns import (
    ExportFile,
    Takedown,
    TakedownReason,
    exported_story,
    takedown_export,
)
from intake.models.types import utcnow
from intake.models.users import LoginFailure, Role, User

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
    "DeclineReason",
    "ExportFile",
    "FollowupSession",
    "LoginFailure",
    "Message",
    "Note",
    "Proofreading",
    "Purpose",
    "QuestionKind",
    "ReceiptDisplay",
    "Role",
    "ScreeningLevel",
    "Sender",
    "Submission",
    "SubmissionStatus",
    "Takedown",
    "TakedownReason",
    "User",
    "exported_story",
    "takedown_export",
    "utcnow",
]
