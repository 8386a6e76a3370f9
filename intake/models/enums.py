"""Enumerations shared by several models, and how they are stored."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from sqlalchemy import Enum


def enum_column(enum: type[StrEnum]) -> Enum:
    """Store an enum as its value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(
        enum,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Purpose(StrEnum):
    """What a person consents to; one Consent row per purpose per submission."""

    HEALTH_DATA = "health_data"
    AGE = "age"
    PUBLISH_SITE = "publish_site"
    PUBLISH_SOCIAL = "publish_social"
    PUBLISH_AUDIO = "publish_audio"
    PUBLISH_PRINT = "publish_print"
    EDIT = "edit"
    REVIEW_EDITS = "review_edits"
    CONTACT = "contact"

    @classmethod
    def publication(cls) -> list[Purpose]:
        """The publication uses, in the order the form shows them."""
        return [cls.PUBLISH_SITE, cls.PUBLISH_SOCIAL, cls.PUBLISH_AUDIO, cls.PUBLISH_PRINT]


class CreditMode(StrEnum):
    ANONYMOUS = "anonymous"
    FIRST_NAME = "first_name"
    PSEUDONYM = "pseudonym"
    FULL_NAME = "full_name"


class SubmissionStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    AWAITING_SUBMITTER = "awaiting_submitter"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SPAM = "spam"
    WITHDRAWN = "withdrawn"


class Proofreading(StrEnum):
    """Where the person's rereading of the edited version stands, when they asked for it."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"


class ContactTopic(StrEnum):
    SHARE_STORY = "share_story"
    VOLUNTEER = "volunteer"
    PARTNERSHIP = "partnership"
    PRESS = "press"
    OTHER = "other"


class ContactStatus(StrEnum):
    NEW = "new"
    HANDLED = "handled"


class ScreeningLevel(IntEnum):
    """How urgently a story needs a moderator; stored as a number so the queue can sort on it."""

    NONE = 0
    CONCERN = 1
    URGENT = 2


class DeclineReason(StrEnum):
    """Why a story was not kept, as the person will read it."""

    OFF_TOPIC = "off_topic"
    IDENTIFYING = "identifying"
    DUPLICATE = "duplicate"
    EDITORIAL = "editorial"
    OTHER = "other"
