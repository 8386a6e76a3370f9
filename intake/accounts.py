"""Team accounts: passwords, logins and their throttling, and ending sessions."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from intake.audit import record_event
from intake.crypto import keyring
from intake.emails import InvalidEmail, normalize_email
from intake.extensions import db
from intake.models import LoginFailure, Role, User, utcnow

PASSWORD_MIN, PASSWORD_MAX = 12, 1024
DISPLAY_NAME_MAX = 100
LOCK_AFTER, LOCK_WINDOW = 10, timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(ValueError):
    """An account operation that cannot be done as asked."""


class WeakPassword(AccountError):
    """A password that does not meet the policy; ``reason`` says which rule."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccountExists(AccountError):
    """An account already uses this address."""


class OwnAccount(AccountError):
    """An admin tried to close their own account or drop their own admin role."""


class LoginFailed(Exception):
    """Wrong address or password (deliberately not saying which)."""


class AccountLocked(Exception):
    """Too many failed logins for this address lately."""


def check_password(password: str, email: str = "") -> None:
    """Refuse passwords that are too short, too long to hash whole, or too common."""
    if len(password) < PASSWORD_MIN:
        raise WeakPassword("too_short")
    if len(password) > PASSWORD_MAX:
        raise WeakPassword("too_long")
    lowered = password.lower()
    if lowered in _common_passwords() or (email and email.lower().split("@")[0] in lowered):
        raise WeakPassword("too_common")


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("intake.data").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def create_user(email: str, display_name: str, role: Role, password: str, actor: str) -> User:
    """Open an account; the address is normalised and must be new."""
    address = normalize_email(email).lower()
    check_password(password, address)
    if len(display_name) > DISPLAY_NAME_MAX:
        raise AccountError("display name too long")
    if find_user(address) is not None:
        raise AccountExists(address)
    user = User(
        email=address,
        display_name=display_name.strip() or address.split("@")[0],
        role=role,
        password_hash=_hasher.hash(password),
        session_token=secrets.token_hex(32),
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.created", "user", str(user.id), actor=actor, role=role.value)
    return user


def list_users() -> list[User]:
    """Every team account, active ones first, by name."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.display_name)))


def find_user(email: str) -> User | None:
    """The account of an address, written however the person types it."""
    try:
        address = normalize_email(email).lower()
    except InvalidEmail:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def authenticate(email: str, password: str, now: datetime) -> User:
    """Check a login; failures are counted per address, and ten in fifteen minutes lock it."""
    account = _account_hash(email)
    user = find_user(email)
    if _recent_failures(account, now) >= LOCK_AFTER:
        record_event("login.locked", "user", _target(user), actor="anonymous")
        raise AccountLocked()
    # The password is checked first, so that a closed account answers as slowly as any other.
    verified = _verify(user.password_hash if user else None, password)
    if user is None or not verified or not user.active:
        db.session.add(
            LoginFailure(account_hash=account, at=now, user_id=user.id if user else None)
        )
        record_event("login.failed", "user", _target(user), actor="anonymous")
        raise LoginFailed()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    db.session.execute(delete(LoginFailure).where(LoginFailure.account_hash == account))
    record_event("login.succeeded", "user", str(user.id), actor=user.actor)
    return user


# Verifying against a real hash when the address is unknown keeps both cases equally slow.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def _account_hash(email: str) -> str:
    return keyring().lookup_hash(b"login:" + email.strip().lower().encode())


def _recent_failures(account: str, now: datetime) -> int:
    query = select(func.count()).where(
        LoginFailure.account_hash == account, LoginFailure.at > now - LOCK_WINDOW
    )
    return db.session.scalar(query) or 0


def _target(user: User | None) -> str:
    return str(user.id) if user else "unknown"


def end_sessions(user: User) -> None:
    """Invalidate every session of this account, on every device."""
    user.session_token = secrets.token_hex(32)


def log_out(user: User) -> None:
    """Log out everywhere: the cookie of any device no longer matches."""
    end_sessions(user)
    record_event("logout", "user", str(user.id), actor=user.actor)


def change_password(user: User, current: str, new: str) -> None:
    """A person changes their own password, which ends their other sessions."""
    if not _verify(user.password_hash, current):
        raise LoginFailed()
    set_password(user, new, actor=user.actor)


def set_password(user: User, new: str, actor: str) -> None:
    """Give an account a new password and end its sessions."""
    check_password(new, user.email)
    user.password_hash = _hasher.hash(new)
    user.password_changed_at = utcnow()
    end_sessions(user)
    record_event("user.password_changed", "user", str(user.id), actor=actor)


def deactivate_user(user: User, actor: str) -> None:
    """Close an account and end its sessions; its history stays. Nobody closes their own."""
    if actor == user.actor:
        raise OwnAccount(actor)
    user.active = False
    end_sessions(user)
    record_event("user.deactivated", "user", str(user.id), actor=actor)


def change_role(user: User, role: Role, actor: str) -> None:
    """Give an account another role; an admin cannot drop their own, lest none remain."""
    if actor == user.actor and role != Role.ADMIN:
        raise OwnAccount(actor)
    if role != user.role:
        record_event(
            "user.role_changed",
            "user",
            str(user.id),
            actor=actor,
            before=user.role.value,
            after=role.value,
        )
        user.role = role


def load_session_user(session_id: str) -> User | None:
    """The account a login cookie names, if its token is still the current one."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None
