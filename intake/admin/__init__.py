"""Administration: team accounts and the audit trail."""

from intake.admin import audit, users  # noqa: F401 - registers the routes
from intake.admin.blueprint import bp

__all__ = ["bp"]
