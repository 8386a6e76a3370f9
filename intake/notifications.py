"""Who is told what by e-mail when a story arrives or moves; never what the story says.

A person hears only that there is news and where to use their follow-up code; the team hears
that a story arrived, or is urgent, with a link to the moderation page. No mail ever holds
story text, names, the call's title, the team's questions or the code. Mails are queued and
leave after the commit (``intake.mail``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from intake.audit import record_event
from intake.extensions import db
from intake.mail import portal_url, queue_mail
from intake.models import (
    AuditEvent,
    Proofreading,
    Purpose,
    Role,
    ScreeningLevel,
    Submission,
    SubmissionStatus,
    User,
)

S = SubmissionStatus
IMMEDIATE, DAILY, OFF = "immediate", "daily", "off"
DIGEST_SENT = "notifications.digest_sent"
FIRST_DIGEST_WINDOW = timedelta(days=1)
# What each arrival tells the person; the others (spam, back to the queue, withdrawn) are silent.
NEWS = {S.APPROVED: "approved", S.PUBLISHED: "published", S.REJECTED: "rejected"}


def status_changed(submission: Submission, before: S, after: S) -> None:
    """Tell the person there is news, if they gave an address and agreed to be written to."""
    news = _news(submission, before, after)
    if news is not None:
        _tell_person(submission, news)


def team_wrote(submission: Submission) -> None:
    """A new question while another one already waits: the status stays, the news is real."""
    _tell_person(submission, "question")


def _tell_person(submission: Submission, news: str) -> None:
    if not submission.email or not submission.agreed_to(Purpose.CONTACT):
        return
    queue_mail(
        submission.email,
        "news",
        submission.locale,
        news=news,
        followup_url=portal_url("public.followup_entry"),
    )


def _news(submission: Submission, before: S, after: S) -> str | None:
    if after == S.IN_REVIEW:
        # Taken from the queue; coming back after the person's own answer is no news to them.
        return "in_review" if before == S.RECEIVED else None
    if after == S.AWAITING_SUBMITTER:
        return "rereading" if submission.proofreading == Proofreading.REQUESTED else "question"
    return NEWS.get(after)


def new_submission(submission: Submission) -> None:
    """Tell the team a story arrived: at once if urgent, else as NEW_SUBMISSION_NOTICE says."""
    if ScreeningLevel(submission.urgency or 0) >= ScreeningLevel.URGENT:
        urgent_flag(submission)
    elif notice_mode() == IMMEDIATE:
        _tell_team("new_submission", submission_url=_moderation_url(submission))


def urgent_flag(submission: Submission) -> None:
    """Alert the team at once that a story needs reading now."""
    _tell_team("urgent", submission_url=_moderation_url(submission))


def takedown_needed() -> None:
    """Tell the team at once that a story taken back must come down from a page or a file."""
    _tell_team("takedown", takedowns_url=portal_url("moderation.takedowns_page"))


def send_digest(now: datetime) -> int:
    """Mail the team how many stories arrived since the last digest (or in the last day)."""
    since = last_digest() or now - FIRST_DIGEST_WINDOW
    window = (Submission.created_at > since, Submission.created_at <= now)
    count = db.session.scalar(select(func.count()).select_from(Submission).where(*window)) or 0
    if count:
        _tell_team("digest", count=count, queue_url=portal_url("moderation.queue"))
        event = record_event(DIGEST_SENT, "notifications", "digest", actor="system", count=count)
        event.at = now  # the next digest starts where this one's count stopped
    return count


def last_digest() -> datetime | None:
    """When the last digest was sent, if ever."""
    query = select(AuditEvent.at).where(AuditEvent.action == DIGEST_SENT)
    return db.session.scalar(query.order_by(AuditEvent.at.desc()).limit(1))


def notice_mode() -> str:
    """How the team hears of stories that are not urgent: immediate, daily or off."""
    return str(current_app.config["NEW_SUBMISSION_NOTICE"])


def team_addresses() -> list[str]:
    """MODERATION_EMAIL's addresses, or else every active account that may moderate."""
    configured = current_app.config["MODERATION_EMAIL"].split(",")
    addresses = [a.strip() for a in configured if a.strip()]
    if not addresses:
        # Reading accounts must not flush the caller's half-made changes.
        with db.session.no_autoflush:
            users = db.session.scalars(select(User).where(User.active).order_by(User.id))
            addresses = [u.email for u in users if u.role.includes(Role.MODERATOR)]
    return list({a.lower(): a for a in addresses}.values())


def _tell_team(template: str, **context: object) -> None:
    # One message each: no member of the team sees the others' addresses.
    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    for address in team_addresses():
        queue_mail(address, template, locale, **context)


def _moderation_url(submission: Submission) -> str:
    return portal_url("moderation.submission", public_id=submission.public_id)
