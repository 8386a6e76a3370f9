"""Flask extensions, created unbound and initialised once by the factory."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across SQLite and PostgreSQL."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def client_key() -> str:
    """Identify a client for rate limiting by a keyed hash of its address, never the address."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(client_key)
login_manager = LoginManager()
babel = Babel()
