"""Public forms: shape only; consent wording and rules live in the domain modules."""

from __future__ import annotations

from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from intake import abuse, codes
from intake.emails import InvalidEmail, normalize_email
from intake.formtools import MultiCheckboxField, TextForm, as_choices
from intake.models import Call, CallQuestion, ContactTopic, CreditMode, Purpose, QuestionKind
from intake.sanitize import clean_line, clean_text

STORY_MIN, STORY_MAX = 50, 20_000
# Answers moved from a call to the general form: room for several long answers.
MOVED_ANSWERS_MAX = 40_000
NAME_MAX, MESSAGE_MAX = 100, 5_000


CREDIT_CHOICES = as_choices(
    [
        (CreditMode.ANONYMOUS.value, _l("Anonymously")),
        (CreditMode.FIRST_NAME.value, _l("With my first name only")),
        (CreditMode.PSEUDONYM.value, _l("With a pseudonym")),
        (CreditMode.FULL_NAME.value, _l("With my full name")),
    ]
)
TOPIC_CHOICES = as_choices(
    [
        (ContactTopic.SHARE_STORY.value, _l("I would like to share my story")),
        (ContactTopic.VOLUNTEER.value, _l("Volunteering")),
        (ContactTopic.PARTNERSHIP.value, _l("Partnership")),
        (ContactTopic.PRESS.value, _l("Press")),
        (ContactTopic.OTHER.value, _l("Something else")),
    ]
)


class GuardedForm(TextForm):
    """A public form with a honeypot, a fill-time stamp and an idempotency key."""

    # Hidden from people by CSS and from assistive technology; robots fill it in.
    website = StringField(_l("Leave this field empty"))
    started = HiddenField()
    submission_key = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not codes.SUBMISSION_KEY_PATTERN.match(self.submission_key.data or ""):
            self.submission_key.data = codes.new_submission_key()
        if abuse.form_age(self.started.data) is None:
            self.started.data = abuse.new_form_stamp()
            self.stamp_was_missing = self.is_submitted()
        else:
            self.stamp_was_missing = False

    def validate_website(self, field: Field) -> None:
        if field.data:
            raise ValidationError(
                _l("We could not accept this form. Please check it and send it again.")
            )

    def validate_started(self, field: Field) -> None:
        age = abuse.form_age(field.data)
        if self.stamp_was_missing or age is None or abuse.too_fast(age):
            raise ValidationError(
                _l("That was very quick! Please read your text over, then send it again.")
            )


def _normalised_email(field: Field) -> None:
    try:
        field.data = normalize_email(field.data)
    except InvalidEmail as error:
        raise ValidationError(
            _l(
                "This e-mail address does not look right. "
                "Please check it (example: nom@exemple.fr)."
            )
        ) from error


def _story_length(form: TextForm, field: Field) -> None:
    """Keep a story within bounds, saying so with numbers written the visitor's way."""
    length = len(field.data or "")
    if not STORY_MIN <= length <= STORY_MAX:
        raise ValidationError(
            _(
                "Your story must be between %(min)s and %(max)s characters long (it has "
                "%(length)s).",
                min=format_number(STORY_MIN),
                max=format_number(STORY_MAX),
                length=format_number(length),
            )
        )


class TestimonyForm(GuardedForm):
    """A story, how to credit it, and the consents that go with it."""

    story = TextAreaField(
        _l("Your story"),
        filters=[clean_text],
        validators=[
            InputRequired(_l("Please write your story before sending it.")),
            _story_length,
        ],
    )
    credit_mode = RadioField(
        _l("How would you like to be credited if your story is published?"),
        choices=CREDIT_CHOICES,
        default=CreditMode.ANONYMOUS.value,
        validators=[InputRequired(_l("Please choose how you would like to be credited."))],
    )
    credit_name = StringField(
        _l("First name, pseudonym or full name"),
        filters=[clean_line],
        validators=[Length(max=NAME_MAX)],
    )
    email = EmailField(
        _l("E-mail address (optional)"), filters=[clean_line], validators=[Optional()]
    )
    # Labels are the consent sentences, set per request in the visitor's language.
    age = BooleanField(
        validators=[
            DataRequired(
                _l(
                    "This form is for people of the age shown. "
                    "Please tick the box if it applies to you."
                )
            )
        ]
    )
    health_data = BooleanField(
        validators=[
            DataRequired(
                _l(
                    "We can only read your story with this agreement. "
                    "Please tick the box to send it."
                )
            )
        ]
    )
    publish_site = BooleanField()
    publish_social = BooleanField()
    publish_audio = BooleanField()
    publish_print = BooleanField()
    edit = BooleanField()
    review_edits = BooleanField()
    contact = BooleanField()
    # Only on the general form: what was written for a call that closed, moved here.
    # ``move_from`` is the slug a call page's « send it through the general form » button
    # posts; it is never rendered back, so sending the pre-filled form files the story.
    # The call's answers come as « Question : … / Réponse : … » paragraphs in a visible field
    # rather than in hidden fields: the person sees and may edit every word that will be
    # sent, the wording they answered under travels with each answer, and the story keeps
    # its own 20,000 characters. They are filed after the story (a general story has no
    # call, so no questions to file answers under).
    move_from = HiddenField()
    call_answers = TextAreaField(
        _l("Your answers to the call's questions"),
        filters=[clean_text],
        validators=[
            Length(
                max=MOVED_ANSWERS_MAX,
                message=_l("Please keep these answers under %(max)d characters."),
            )
        ],
    )

    def validate_credit_name(self, field: Field) -> None:
        if self.credit_mode.data != CreditMode.ANONYMOUS.value and not field.data:
            raise ValidationError(
                _l("Please write the name to credit you with, or choose « Anonymously ».")
            )

    def validate_email(self, field: Field) -> None:
        if not field.data:
            return
        _normalised_email(field)
        if not self.contact.data:
            raise ValidationError(
                _l(
                    "You gave an e-mail address: "
                    "tick « The team may write to me » or leave the address empty."
                )
            )

    def consent_field(self, purpose: Purpose) -> BooleanField:
        """The check box for one purpose."""
        field: BooleanField = self[purpose.value]
        return field

    def credit(self) -> tuple[CreditMode, str | None]:
        """How to credit the story; a form without the choice (anonymous-only call) is anonymous."""
        if "credit_mode" not in self:
            return CreditMode.ANONYMOUS, None
        return CreditMode(self.credit_mode.data), self.credit_name.data or None

    def answer_fields(self) -> list[tuple[CallQuestion, Field]]:
        """The call's questions with their fields, in order."""
        return [(q, self[f"q_{q.id}"]) for q in getattr(self, "questions", [])]

    def answers_as_text(self) -> str:
        """The answers given, as « Question : … / Réponse : … » paragraphs to read and edit."""
        paragraphs = []
        for question, field in self.answer_fields():
            value = field.data
            words = ", ".join(value) if isinstance(value, list) else (value or "")
            if words.strip():
                paragraphs.append(
                    _("Question: %(label)s", label=question.label)
                    + "\n"
                    + _("Answer: %(answer)s", answer=words)
                )
        return "\n\n".join(paragraphs)

    def story_with_answers(self) -> str:
        """The story as filed: answers moved from a call follow it, after a blank line."""
        answers = self.call_answers.data if "call_answers" in self else ""
        return f"{self.story.data}\n\n{answers}" if answers else self.story.data


def testimony_form_class(call: Call | None) -> type[TestimonyForm]:
    """The testimony form for a call: its questions, and no credit choice if anonymous-only."""
    if call is None:
        return TestimonyForm
    fields: dict[str, Any] = {"move_from": None, "call_answers": None}
    if call.anonymous_only:
        fields.update(credit_mode=None, credit_name=None)
    if call.questions:
        fields["questions"] = list(call.questions)
        fields.update({f"q_{q.id}": _question_field(q) for q in call.questions})
    return type("CallTestimonyForm", (TestimonyForm,), fields)


def _question_field(question: CallQuestion) -> Field:
    kind = question.kind
    # Text answers are checked after cleaning, so that spaces alone do not count as one.
    text = kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
    required = (DataRequired if text else InputRequired)(_l("Please answer this question."))
    checks = [required if question.required else Optional()]
    choices = as_choices((c, c) for c in question.choices)
    if kind == QuestionKind.SINGLE_CHOICE:
        return RadioField(
            question.label, choices=choices, validators=checks, description=question.help_text
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(
            question.label, choices=choices, validators=checks, description=question.help_text
        )
    limit = Length(
        max=question.max_length, message=_l("Please keep this answer under %(max)d characters.")
    )
    field_class = TextAreaField if kind == QuestionKind.LONG_TEXT else StringField
    cleaner = clean_text if kind == QuestionKind.LONG_TEXT else clean_line
    return field_class(
        question.label,
        filters=[cleaner],
        validators=[*checks, limit],
        description=question.help_text,
    )


class ContactForm(GuardedForm):
    """A message for the team."""

    name = StringField(
        _l("Your name"),
        filters=[clean_line],
        validators=[InputRequired(_l("Please tell us your name.")), Length(max=NAME_MAX)],
    )
    email = EmailField(
        _l("Your e-mail address"),
        filters=[clean_line],
        validators=[InputRequired(_l("Please give an e-mail address so that we can answer you."))],
    )
    topic = RadioField(
        _l("Topic"),
        choices=TOPIC_CHOICES,
        validators=[InputRequired(_l("Please choose a topic."))],
    )
    message = TextAreaField(
        _l("Your message"),
        filters=[clean_text],
        validators=[
            InputRequired(_l("Please write your message.")),
            Length(
                max=MESSAGE_MAX, message=_l("Please keep your message under %(max)d characters.")
            ),
        ],
    )

    def validate_email(self, field: Field) -> None:
        _normalised_email(field)
