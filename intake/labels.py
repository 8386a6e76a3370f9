"""How the interface names the values of the model, in the visitor's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from intake.models import (
    ContactStatus,
    ContactTopic,
    CreditMode,
    DeclineReason,
    Purpose,
    Role,
    ScreeningLevel,
    SubmissionStatus,
)
from intake.screening.identifying import Kind

STATUS = {
    SubmissionStatus.RECEIVED: _l("Received"),
    SubmissionStatus.IN_REVIEW: _l("In review"),
    SubmissionStatus.AWAITING_SUBMITTER: _l("Waiting for the person"),
    SubmissionStatus.APPROVED: _l("Approved"),
    SubmissionStatus.PUBLISHED: _l("Published"),
    SubmissionStatus.REJECTED: _l("Declined"),
    SubmissionStatus.SPAM: _l("Spam"),
    SubmissionStatus.WITHDRAWN: _l("Withdrawn"),
}
ROLE = {
    Role.MODERATOR: _l("Moderator"),
    Role.EDITOR: _l("Editor"),
    Role.ADMIN: _l("Administrator"),
}
DECLINE_REASON = {
    DeclineReason.OFF_TOPIC: _l("Outside the subjects we cover"),
    DeclineReason.IDENTIFYING: _l("Too many identifying details to publish safely"),
    DeclineReason.DUPLICATE: _l("Already received"),
    DeclineReason.EDITORIAL: _l("Editorial choice"),
    DeclineReason.OTHER: _l("Another reason"),
}
PURPOSE = {
    Purpose.HEALTH_DATA: _l("Processing of health data"),
    Purpose.AGE: _l("Minimum age attested"),
    Purpose.PUBLISH_SITE: _l("Article on the website"),
    Purpose.PUBLISH_SOCIAL: _l("Excerpts on social media"),
    Purpose.PUBLISH_AUDIO: _l("Read aloud (podcast, video)"),
    Purpose.PUBLISH_PRINT: _l("Print"),
    Purpose.EDIT: _l("Editing allowed"),
    Purpose.REVIEW_EDITS: _l("Wants to read the edited version first"),
    Purpose.CONTACT: _l("May be contacted"),
}
CREDIT = {
    CreditMode.ANONYMOUS: _l("Anonymous"),
    CreditMode.FIRST_NAME: _l("First name"),
    CreditMode.PSEUDONYM: _l("Pseudonym"),
    CreditMode.FULL_NAME: _l("Full name"),
}
URGENCY = {
    ScreeningLevel.NONE: _l("No signal"),
    ScreeningLevel.CONCERN: _l("Concern"),
    ScreeningLevel.URGENT: _l("Urgent"),
}
TOPIC = {
    ContactTopic.SHARE_STORY: _l("Share a story"),
    ContactTopic.VOLUNTEER: _l("Volunteering"),
    ContactTopic.PARTNERSHIP: _l("Partnership"),
    ContactTopic.PRESS: _l("Press"),
    ContactTopic.OTHER: _l("Other"),
}
DETAIL_KIND = {
    Kind.EMAIL: _l("e-mail address"),
    Kind.PHONE: _l("phone number"),
    Kind.URL: _l("web link"),
    Kind.HANDLE: _l("social media handle"),
    Kind.ADDRESS: _l("street address"),
    Kind.POSTCODE: _l("postcode and town"),
    Kind.DATE: _l("date"),
    Kind.SOCIAL_SECURITY: _l("social security number"),
    Kind.IBAN: _l("bank account (IBAN)"),
    Kind.NAME: _l("first name"),
    Kind.SURNAME: _l("surname"),
    Kind.CARE_PLACE: _l("care place"),
    Kind.SCHOOL: _l("school"),
}
# What a crisis rule looks for, by the middle part of its id (intake/screening/crisis_rules.yaml).
SIGNAL_KIND = {
    "intent": _l("suicidal intent"),
    "imminent": _l("an act announced as near"),
    "overdose": _l("an overdose"),
    "means": _l("means gathered"),
    "danger": _l("a dangerous place"),
    "self_harm": _l("self-harm"),
    "ideation": _l("suicidal thoughts"),
    "attempt": _l("a suicide attempt"),
    "relative": _l("someone close at risk"),
    "plan": _l("a plan"),
    "loss": _l("a loved one's suicide"),
    "distress": _l("strong distress"),
}


def signal_kind(rule: str) -> str:
    """What a crisis rule looks for, in words (« idées suicidaires »)."""
    parts = rule.split(".")
    label = SIGNAL_KIND.get(parts[1]) if len(parts) > 1 else None
    return str(label if label is not None else _l("crisis vocabulary"))


CONTACT_STATUS = {ContactStatus.NEW: _l("New"), ContactStatus.HANDLED: _l("Handled")}
