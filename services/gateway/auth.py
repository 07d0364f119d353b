"""Passwords (scrypt, via werkzeug) and signed, expiring bearer tokens (JWT, HS256)."""
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.gateway import idle_sessions, passwords
from services.gateway.models import RevokedToken, TokenUse, User
from services.gateway.throttle import LOGINS
from shared.actors import STAFF_SIDE, sign
from shared.clock import now_utc
from shared.errors import Forbidden, InvalidInput
from shared.settings import token_secret, token_ttl_seconds

# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")


class Unauthorized(Exception):
    code = "not_authenticated"


class SessionExpired(Unauthorized):
    """A staff-side token left unused for longer than SESSION_IDLE_MINUTES."""
    code = "session_expired"

    def __init__(self):
        super().__init__("The session ended after a while without use; log in again.")


class PasswordChangeRequired(Forbidden):
    """The login still has its one-time password: its token serves only to change it."""

    def __init__(self):
        super().__init__("Choose a new password first: POST /api/v1/auth/password.",
                         "password_change_required")


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


@dataclass(frozen=True)
class Token:
    """A bearer token issued to a user, good for `ttl` seconds."""
    user: User
    value: str
    ttl: int


def log_in(db, username: str, password: str, address: str) -> Token:
    """A token for the right password, with failures slowed down per account and address."""
    LOGINS.check(db, username, address)
    try:
        with db.transaction() as session:
            user = authenticate(session, username, password)
            session.expunge(user)
    except Unauthorized:
        LOGINS.failed(db, username, address)
        raise
    LOGINS.succeeded(db, username)
    return issue_token(user)


def issue_token(user: User) -> Token:
    ttl = token_ttl_seconds()
    now = int(time.time())
    claims = {"sub": user.username, "role": user.role, "assoc": user.association_code,
              "donor_id": user.donor_id, "volunteer_id": user.volunteer_id,
              "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
    if user.must_change_password:
        claims["otp"] = True  # issued on a one-time password (see current_actor)
    return Token(user, jwt.encode(claims, token_secret(), algorithm="HS256"), ttl)


def current_actor(db, header: str | None, password_pending: bool = False) -> dict:
    """The caller of an API request or a page: a valid token whose user still exists and is
    active, so a deactivation takes effect on the next request, not when the token expires.
    A login that must still change its one-time password may only do that (and log out):
    `password_pending` says the request is one of those. A token issued on a one-time
    password stops working once the password is changed. A staff-side token stops working
    once unused for SESSION_IDLE_MINUTES (see idle_sessions)."""
    claims = _claims(header)
    with db.reading(one_statement=True) as connection:  # on every request: no write lock,
        # no ORM, no transaction
        user = connection.execute(LOGIN_STATE, {"username": claims["sub"],
                                                 "token_id": claims["jti"]}).one()
    if user.revoked:
        raise Unauthorized("This token was logged out; log in again.")
    if user.active is None or not user.active:
        raise Unauthorized("This login is no longer active.")
    if claims.get("otp") and not user.must_change_password:
        raise Unauthorized("The password was changed since this token was issued; log in "
                           "again.")
    # Donors and volunteers keep the plain TTL: see idle_sessions for why.
    if claims["role"] in STAFF_SIDE and not idle_sessions.still_open(
            db, claims, user.last_used_at, now_utc()):
        raise SessionExpired()
    if user.must_change_password and not password_pending:
        raise PasswordChangeRequired()
    return _actor(claims)


def _login_of(column):
    return select(column).where(User.username == bindparam("username")).scalar_subquery()


# One row whatever exists: is the token revoked, when it was last used (None when not on
# record), and the login's flags (None when the login is gone). Built once: building and
# caching a statement per request cost more than running it.
LOGIN_STATE = select(
    exists().where(RevokedToken.token_id == bindparam("token_id")).label("revoked"),
    select(TokenUse.last_used_at).where(TokenUse.token_id == bindparam("token_id"))
    .scalar_subquery().label("last_used_at"),
    _login_of(User.active).label("active"),
    _login_of(User.must_change_password).label("must_change_password"))


def change_password(db, header: str | None, current: str, new: str,
                    address: str) -> Token:
    """The caller's password replaced, their one-time one included; the token used is
    logged out and a new one issued. A wrong current password counts as a failed login;
    a new one unfit for the login (passwords.weaknesses) is refused, named."""
    username = _claims(header)["sub"]
    LOGINS.check(db, username, address)
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)
                               .with_for_update()).one()
        right = check_password_hash(user.password_hash, current)
        weak = passwords.weaknesses(new, user.username, user.role)
        if right and not weak:
            user.password_hash = hash_password(new)
            user.must_change_password = False
            session.flush()
            session.expunge(user)
    unfit = {"new_password": weak} if weak else {}
    if not right:
        LOGINS.failed(db, username, address)
        raise InvalidInput("The current password is wrong.", "wrong_password",
                           {"current_password": ["Wrong password."], **unfit})
    if weak:
        raise InvalidInput("Some fields are invalid.", "invalid_input", unfit)
    revoke(db, header)
    return issue_token(user)


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
        # `iat` only starts the session (idle_sessions): a replica whose clock runs a
        # little behind the one that issued the token must not refuse it as not yet valid.
        return jwt.decode(token.strip(), token_secret(), algorithms=["HS256"],
                          options={"require": ["exp", "sub", "role", "jti"],
                                   "verify_iat": False})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired; ask for a new one.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The token is not valid.") from None


def _actor(claims: dict) -> dict:
    # Signed for the services, which trust no actor the gateway did not sign.
    return sign({"username": claims["sub"], "role": claims["role"],
                 "association_code": claims.get("assoc"), "donor_id": claims.get("donor_id"),
                 "volunteer_id": claims.get("volunteer_id")})
