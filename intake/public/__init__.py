"""The public side: calls, the testimony and contact forms, the privacy notice."""

from intake.public.views import bp

__all__ = ["bp"]
