"""The admin blueprint: accounts and the audit trail, for admins only."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from intake.auth.guard import guard_team
from intake.models import Role

bp = Blueprint("admin", __name__, url_prefix="/moderation/admin")


@bp.before_request
def _require_admin() -> ResponseReturnValue | None:
    return guard_team(Role.ADMIN)
