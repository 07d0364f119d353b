"""The login table's writes and reads for user management; each takes an open session."""
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.gateway.auth import hash_password
from services.gateway.models import User
from shared import regions
from shared.actors import ABOVE_COUNTY_ROLES, COUNTY_ROLES
from shared.errors import Conflict, InvalidInput, NotFound
from shared.paging import Page


def _taken(username: str) -> Conflict:
    return Conflict(f"The username {username} is taken.", "username_taken",
                    {"username": ["This username is taken."]})


def placed(data: dict, association: str, known: Callable[[str], object]) -> str:
    """The association a new login belongs to: the admin's own, or one under it that
    exists (`known(code)` raises NotFound otherwise), and a role that has a place there: a
    county's roles in a county, the province's above."""
    wanted = data.get("association_code") or association
    if wanted != association:
        if not regions.strictly_under(wanted, association):
            raise InvalidInput("The association is not under yours.", "invalid_input",
                               {"association_code": [f"Must be {association} or the code "
                                                     "of an association under it."]})
        try:
            known(wanted)
        except NotFound:
            raise InvalidInput(f"No association {wanted}.", "invalid_input",
                               {"association_code": ["No association has this code; set "
                                                     "it up first."]}) from None
    roles = ABOVE_COUNTY_ROLES if regions.above_counties(wanted) else COUNTY_ROLES
    if data["role"] not in roles:
        raise InvalidInput("The role has no place in that association.", "invalid_input",
                           {"role": [f"Must be one of: {', '.join(roles)}."]})
    return wanted


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
    """The logins of the association and of every one under it."""
    mine = regions.within(User.association_code, association_code)
    total = session.scalar(select(func.count()).select_from(User).where(mine))
    users = session.scalars(select(User).where(mine).order_by(User.id)
                            .limit(limit).offset(offset)).all()
    return Page(list(users), total)


def deactivate_user(session: Session, username: str, association_code: str,
                    by: str) -> User:
    user = session.scalars(select(User).where(
        User.username == username, regions.within(User.association_code, association_code))
    ).one_or_none()
    if user is None:
        raise NotFound(f"No user {username}.", "user_not_found")
    if user.username == by:  # an association must not lock out its last way in by mistake
        raise Conflict("You may not deactivate yourself.", "cannot_deactivate_self",
                       {"username": ["This is your own login."]})
    user.active = False
    return user


