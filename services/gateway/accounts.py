"""The login table's writes and reads for user management; each takes an open session."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.gateway.auth import hash_password
from services.gateway.models import User
from shared.errors import Conflict, NotFound
from shared.paging import Page


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


def create_volunteer_login(session: Session, username: str, password: str,
                           application: dict, association_code: str) -> User:
    """The approved applicant's login, on a one-time password they must change first. One
    per volunteer: approving again after the login was made is a conflict."""
    volunteer_id = application["volunteer_id"]
    if _login_of(session, volunteer_id):
        raise _approved(volunteer_id)
    if session.scalars(select(User.id).where(User.username == username)).first():
        raise _taken(username)
    user = User(username=username, password_hash=hash_password(password), role="volunteer",
                display_name=application["name"], association_code=association_code,
                volunteer_id=volunteer_id, active=True, must_change_password=True)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # made by a concurrent approval since the checks above
        session.rollback()
        raise (_approved(volunteer_id) if _login_of(session, volunteer_id)
               else _taken(username)) from None
    return user


def _login_of(session: Session, volunteer_id: int) -> bool:
    return session.scalars(select(User.id).where(User.volunteer_id == volunteer_id)
                           ).first() is not None


def _approved(volunteer_id: int) -> Conflict:
    return Conflict(f"Volunteer {volunteer_id} has a login already.", "already_approved")


def list_users(session: Session, association_code: str, limit: int,
               offset: int) -> Page[User]:
    mine = User.association_code == association_code
    total = session.scalar(select(func.count()).select_from(User).where(mine))
    users = session.scalars(select(User).where(mine).order_by(User.id)
                            .limit(limit).offset(offset)).all()
    return Page(list(users), total)


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


