"""Passwords (scrypt, via werkzeug) and signed, expiring bearer tokens (JWT, HS256)."""
import time
import uuid
from datetime import UTC, datetime

import jwt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.gateway.models import RevokedToken, User
from services.gateway.throttle import LOGINS
from shared.actors import sign
from shared.settings import token_secret, token_ttl_seconds

# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")


class Unauthorized(Exception):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthorized("Unknown username or wrong password.")
    if not check_password_hash(user.password_hash, password) or not user.active:
        raise Unauthorized("Unknown username or wrong password.")
    return user


def log_in(db, username: str, password: str, address: str) -> tuple[User, str, int]:
    """A token for the right password, with failures slowed down per account and address."""
    LOGINS.check(username, address)
    try:
        with db.transaction() as session:
            user = authenticate(session, username, password)
            session.expunge(user)
    except Unauthorized:
        LOGINS.failed(username, address)
        raise
    LOGINS.succeeded(username)
    return (user, *issue_token(user))


def issue_token(user: User) -> tuple[str, int]:
    ttl = token_ttl_seconds()
    claims = {"sub": user.username, "role": user.role, "assoc": user.association_code,
              "donor_id": user.donor_id, "volunteer_id": user.volunteer_id,
              "exp": int(time.time()) + ttl, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, token_secret(), algorithm="HS256"), ttl


def current_actor(db, header: str | None) -> dict:
    """The caller of an API request or a page: a valid token whose user still exists and is
    active, so a deactivation takes effect on the next request, not when the token expires."""
    claims = _claims(header)
    with db.transaction() as session:
        active = session.scalars(select(User.active)
                                 .where(User.username == claims["sub"])).one_or_none()
        revoked = session.get(RevokedToken, claims["jti"]) is not None
    if revoked:
        raise Unauthorized("This token was logged out; log in again.")
    if not active:
        raise Unauthorized("This login is no longer active.")
    return _actor(claims)


def revoke(db, header: str | None) -> None:
    """Log out: the token is refused from now on, not only when it expires."""
    claims = _claims(header)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    with db.transaction() as session:
        session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC)))
        if session.get(RevokedToken, claims["jti"]) is None:
            session.add(RevokedToken(token_id=claims["jti"], expires_at=expires))


def _claims(header: str | None) -> dict:
    """A valid token's claims, from `Authorization: Bearer <token>`; Unauthorized otherwise."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send `Authorization: Bearer <token>` from POST /api/v1/auth/token.")
    try:
        return jwt.decode(token.strip(), token_secret(), algorithms=["HS256"],
                          options={"require": ["exp", "sub", "role", "jti"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired; ask for a new one.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The token is not valid.") from None


def _actor(claims: dict) -> dict:
    # Signed for the services, which trust no actor the gateway did not sign.
    return sign({"username": claims["sub"], "role": claims["role"],
                 "association_code": claims.get("assoc"), "donor_id": claims.get("donor_id"),
                 "volunteer_id": claims.get("volunteer_id")})
