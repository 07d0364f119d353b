"""Applications to volunteer: anyone applies without a login; a coordinator approves one
(the volunteers service registers the volunteer, the gateway makes their login with a
one-time password, shown once) or declines it with a reason."""
import secrets
import string

from services.gateway import accounts
from services.gateway.views import approval_view

# Letters and digits a person copies from a screen without mistaking one for another.
_READABLE = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
ONE_TIME_PASSWORD_LENGTH = 12


def one_time_password() -> str:
    """12 readable characters (about 70 bits), with a digit and a letter among them."""
    while True:
        password = "".join(secrets.choice(_READABLE) for _ in range(ONE_TIME_PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def approve(gateway, application_id: int, username: str | None, actor: dict) -> dict:
    """Approved by the volunteers service (again, harmlessly, on a retry), then the login:
    if an earlier approval stopped before making it, this one makes it. ApprovalOut."""
    approved = gateway.volunteers.approve_application(application_id, actor)
    application = approved["application"]
    password = one_time_password()
    username = username or approved["phone"]
    with gateway.db.transaction() as session:
        accounts.create_volunteer_login(session, username, password, application,
                                        actor["association_code"])
    return approval_view(application, username, password)
