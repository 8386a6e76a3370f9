"""Demo content for a fresh installation: two open calls, one with its own questions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from intake.extensions import db
from intake.models import Call, CallQuestion, CallStatus, Purpose, QuestionKind, utcnow

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
    """Add the demo calls to an empty database; return whether anything was added."""
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
        closes_at=now + timedelta(days=60),
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
        closes_at=now + timedelta(days=120),
        publication_uses=[Purpose.PUBLISH_SITE.value, Purpose.PUBLISH_AUDIO.value],
    )
    db.session.add_all([parenting, work])
    return True
