"""Demo content for a fresh installation: two open calls, one with questions, three stories."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from intake.codes import new_submission_key
from intake.consent import wordings_for
from intake.extensions import db
from intake.models import (
    Call,
    CallQuestion,
    CallStatus,
    CreditMode,
    Purpose,
    QuestionKind,
    utcnow,
)
from intake.testimonies import TestimonyDraft, submit_testimony

PARENTING_BODY = """\
Être parent quand on vit avec un trouble psychique, c'est souvent une histoire qu'on garde
pour soi. Nous aimerions l'entendre, **telle que vous la vivez** : les moments difficiles,
les ressources, ce qui vous a aidé, ce que vous auriez aimé qu'on vous dise.

Vous pouvez écrire :

- en tant que parent concerné ;
- en tant qu'enfant devenu adulte ;
- en tant que proche ou professionnel.

Les témoignages sont **anonymes**. Vous choisissez les usages que vous acceptez.
"""

WORK_BODY = """\
Annoncer (ou non) un trouble à son employeur, reprendre après un arrêt, trouver des
aménagements : racontez-nous votre expérience du travail avec un trouble psychique.
"""


def seed_demo_content() -> bool:
    """Add the demo calls and stories to an empty database; return whether anything was added."""
    if db.session.scalar(select(func.count()).select_from(Call)):
        return False
    now = utcnow()
    uses = [p.value for p in Purpose.publication()]
    parenting = Call(
        slug="parentalite-et-troubles-psychiques",
        title="Parentalité et troubles psychiques",
        summary="Appel à témoignages anonymes : être parent avec un trouble psychique.",
        body_markdown=PARENTING_BODY,
        status=CallStatus.OPEN,
        opens_at=now - timedelta(days=1),
        closes_at=_paris_midnight_in(days=60),
        anonymous_only=True,
        publication_uses=uses,
        questions=[
            CallQuestion(
                position=0,
                label="Vous écrivez en tant que…",
                kind=QuestionKind.SINGLE_CHOICE,
                choices=["Parent concerné", "Enfant devenu adulte", "Proche", "Professionnel"],
                required=True,
                publishable=True,
            ),
            CallQuestion(
                position=1,
                label="Qu'est-ce qui vous a le plus aidé ?",
                kind=QuestionKind.LONG_TEXT,
                max_length=2000,
                publishable=True,
            ),
        ],
    )
    work = Call(
        slug="travail-et-sante-mentale",
        title="Travailler avec un trouble psychique",
        summary="Annonce, arrêt, reprise, aménagements : votre expérience nous intéresse.",
        body_markdown=WORK_BODY,
        status=CallStatus.OPEN,
        opens_at=now - timedelta(days=1),
        closes_at=_paris_midnight_in(days=120),
        publication_uses=[Purpose.PUBLISH_SITE.value, Purpose.PUBLISH_AUDIO.value],
    )
    db.session.add_all([parenting, work])
    db.session.flush()
    calls = {"parenting": parenting, "work": work}
    for call_key, story, granted in DEMO_STORIES:
        _file_demo_story(calls.get(call_key or ""), story, granted)
    return True


def _paris_midnight_in(days: int) -> datetime:
    """Midnight in Paris some days ahead, so that the deadline reads « jusqu'au 14 mars »."""
    paris = ZoneInfo("Europe/Paris")
    day = datetime.now(paris).date() + timedelta(days=days)
    return datetime.combine(day, time(0), tzinfo=paris).astimezone(UTC)


# Invented stories, so that a fresh installation has something to moderate.
DEMO_STORIES: list[tuple[str | None, str, list[Purpose]]] = [
    (
        "parenting",
        "Quand mon fils est né, je vivais avec un trouble bipolaire depuis huit ans. "
        "J'avais peur de ne pas tenir. Avec l'équipe de PMI et mon infirmière, nous avons "
        "préparé un plan pour les semaines difficiles.\n\nAujourd'hui il a six ans, et je "
        "lui explique avec des mots simples pourquoi maman a parfois besoin de repos.",
        [Purpose.PUBLISH_SITE, Purpose.PUBLISH_AUDIO, Purpose.EDIT],
    ),
    (
        "parenting",
        "Ma mère a une schizophrénie. Enfant, je ne comprenais pas ses absences. Devenu "
        "adulte, j'ai rencontré d'autres enfants de parents concernés et cela m'a aidé à "
        "mettre des mots sur ce que nous avions vécu.",
        [Purpose.PUBLISH_SITE, Purpose.PUBLISH_SOCIAL, Purpose.CONTACT],
    ),
    (
        None,
        "Après mon hospitalisation, reprendre le travail m'a semblé impossible. Un médecin du "
        "travail attentif a proposé un mi-temps thérapeutique. Je voulais dire aux autres "
        "que c'est possible, même si c'est long.",
        [Purpose.PUBLISH_SITE, Purpose.PUBLISH_PRINT, Purpose.EDIT, Purpose.REVIEW_EDITS],
    ),
]


def _file_demo_story(call: Call | None, story: str, uses: list[Purpose]) -> None:
    wordings = wordings_for(call)
    granted = {Purpose.AGE, Purpose.HEALTH_DATA, *uses}
    draft = TestimonyDraft(
        submission_key=new_submission_key(),
        story=story,
        credit_mode=CreditMode.ANONYMOUS,
        credit_name=None,
        email=None,
        locale="fr",
        consents={p: p in granted for p in wordings},
        wordings=wordings,
        answers=[(call.questions[0], call.questions[0].choices[0])]
        if call and call.questions
        else [],
    )
    submit_testimony(draft, call, utcnow())
