"""What each consent says, and the proof that it was given under that exact wording."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from intake.extensions import db
from intake.models import Call, Consent, ConsentWording, Purpose, Submission

DEFAULT_MIN_AGE = 15
REQUIRED = (Purpose.AGE, Purpose.HEALTH_DATA)
ALWAYS_ASKED = (
    Purpose.AGE,
    Purpose.HEALTH_DATA,
    Purpose.EDIT,
    Purpose.REVIEW_EDITS,
    Purpose.CONTACT,
)


class ConsentMissing(ValueError):
    """A consent the processing depends on was not given."""

    def __init__(self, purpose: Purpose) -> None:
        super().__init__(f"consent required: {purpose.value}")
        self.purpose = purpose


def wording(purpose: Purpose, min_age: int) -> str:
    """The sentence shown beside a consent box, in the current language."""
    sentences = {
        Purpose.AGE: _("I am %(age)s or older.", age=min_age),
        Purpose.HEALTH_DATA: _(
            "I agree that the team processes my story, which may contain information about "
            "my health, in order to read it and prepare a possible publication, as described "
            "in the notice above."
        ),
        Purpose.PUBLISH_SITE: _("My story may be published as an article on the website."),
        Purpose.PUBLISH_SOCIAL: _("Excerpts of my story may be posted on social media."),
        Purpose.PUBLISH_AUDIO: _("My story may be read aloud (podcast, video)."),
        Purpose.PUBLISH_PRINT: _("My story may be printed (magazine, booklet)."),
        Purpose.EDIT: _("The team may shorten or correct my text, without changing its meaning."),
        Purpose.REVIEW_EDITS: _("I want to read the edited version before it is published."),
        Purpose.CONTACT: _(
            "The team may write to me about my story (by e-mail if I give one, otherwise "
            "through my follow-up code)."
        ),
    }
    return sentences[purpose]


def asked_purposes(publication_uses: Iterable[Purpose]) -> list[Purpose]:
    """Every purpose a form asks about, given the publication uses it offers."""
    return [*ALWAYS_ASKED[:2], *publication_uses, *ALWAYS_ASKED[2:]]


def wordings_for(call: Call | None) -> dict[Purpose, str]:
    """The sentence of every purpose a call's form asks about (the general form if None)."""
    uses = call.asked_uses() if call else Purpose.publication()
    min_age = call.min_age if call else DEFAULT_MIN_AGE
    return {p: wording(p, min_age) for p in asked_purposes(uses)}


def wording_hash(text: str) -> str:
    """The version of a wording: SHA-256 of its exact text."""
    return hashlib.sha256(text.encode()).hexdigest()


def record_consents(
    submission: Submission,
    decisions: Mapping[Purpose, bool],
    wordings: Mapping[Purpose, str],
    locale: str,
) -> None:
    """Add one Consent row per purpose asked, each tied to the wording shown."""
    for purpose in REQUIRED:
        if not decisions.get(purpose):
            raise ConsentMissing(purpose)
    for purpose, text in wordings.items():
        digest = ensure_wording(text, locale)
        submission.consents.append(
            Consent(purpose=purpose, granted=bool(decisions.get(purpose)), wording_hash=digest)
        )


def ensure_wording(text: str, locale: str) -> str:
    """Store a wording the first time it is shown; concurrent writers may race, so no error."""
    digest = wording_hash(text)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ConsentWording).values(hash=digest, locale=locale, text=text)
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["hash"]))
    return digest
