"""Logging in and out of the team's side, and the guard every team page goes through."""

from intake.auth.views import bp

__all__ = ["bp"]
