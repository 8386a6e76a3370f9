"""The team's side: the queue, submissions and the contact inbox."""

from intake.moderation import exports, inbox, queue, submissions  # noqa: F401 - registers the routes
from intake.moderation.blueprint import bp

__all__ = ["bp"]
