"""The public side: calls, the testimony and contact forms, the follow-up, the privacy notice."""

from intake.public import followup as followup
from intake.public.views import bp

__all__ = ["bp"]
