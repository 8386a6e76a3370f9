"""The team's side: the queue, submissions and the contact inbox."""

from intake.moderation import (  # noqa: F401 - registers the routes
    calls,
    exports,
    inbox,
    queue,
    submissions,
    takedowns,
)
from intake.moderation.blueprint import bp

__all__ = ["bp"]
