"""The gateway's own answers as the JSON the world sees, through their Out schemas: logins,
tokens, the caller, an approval's new login and a calendar's address."""
from services.gateway.auth import Token
from services.gateway.models import User
from services.gateway.schemas import ApprovalOut, CalendarLinkOut, MeOut, TokenOut, UserOut
from shared.schemas import shaped

USER = UserOut()
TOKEN = TokenOut()
ME = MeOut()
APPROVAL = ApprovalOut()
CALENDAR_LINK = CalendarLinkOut()


def user_view(user: User) -> dict:
    return shaped(USER, {"username": user.username, "role": user.role,
                         "display_name": user.display_name, "active": user.active,
                         "association_code": user.association_code})


def token_view(token: Token) -> dict:
    """What logging in (or changing the password) answers."""
    return shaped(TOKEN, {"access_token": token.value, "token_type": "bearer",
                          "expires_in": token.ttl, "role": token.user.role,
                          "must_change_password": token.user.must_change_password})


def me_view(actor: dict) -> dict:
    return shaped(ME, {name: actor.get(name) for name in ME.fields})


def approval_view(application: dict, username: str, one_time_password: str) -> dict:
    """An approved application with the login made for it; the password is shown once."""
    return shaped(APPROVAL, {**application, "username": username,
                             "one_time_password": one_time_password})


def calendar_link_view(url: str) -> dict:
    return shaped(CALENDAR_LINK, {"url": url})
