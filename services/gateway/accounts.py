"""The login table's writes and reads for user management; each takes an open session."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.gateway.auth import hash_password
from services.gateway.models import User
from shared.errors import Conflict, NotFound


def _taken(username: str) -> Conflict:
    return Conflict(f"The username {username} is taken.", "username_taken",
                    {"username": ["This username is taken."]})


def create_user(session: Session, data: dict, association_code: str) -> User:
    if session.scalars(select(User.id).where(User.username == data["username"])).first():
        raise _taken(data["username"])
    user = User(username=data["username"], password_hash=hash_password(data["password"]),
                role=data["role"], display_name=data["display_name"],
                association_code=association_code, active=True)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # created by a concurrent request since the check above
        raise _taken(data["username"]) from None
    return user


def list_users(session: Session, association_code: str, limit: int,
               offset: int) -> tuple[list[User], int]:
    mine = User.association_code == association_code
    total = session.scalar(select(func.count()).select_from(User).where(mine))
    users = session.scalars(select(User).where(mine).order_by(User.id)
                            .limit(limit).offset(offset)).all()
    return list(users), total


def deactivate_user(session: Session, username: str, association_code: str,
                    by: str) -> User:
    user = session.scalars(select(User).where(User.username == username,
                                              User.association_code == association_code)
                           ).one_or_none()
    if user is None:
        raise NotFound(f"No user {username}.", "user_not_found")
    if user.username == by:  # an association must not lock out its last way in by mistake
        raise Conflict("You may not deactivate yourself.", "cannot_deactivate_self",
                       {"username": ["This is your own login."]})
    user.active = False
    return user


def user_out(user: User) -> dict:
    return {"username": user.username, "role": user.role, "display_name": user.display_name,
            "active": user.active, "association_code": user.association_code}
