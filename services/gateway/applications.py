"""Applications to volunteer: anyone applies without a login; a coordinator approves one
(the volunteers service registers the volunteer, the gateway makes their login with a
one-time password, shown once) or declines it with a reason."""
import secrets
import string

from services.gateway import accounts
from services.gateway.routes import route
from services.gateway.schemas import ApprovalOut, ApproveIn
from shared.actors import COORDINATOR_READERS, COORDINATORS
from shared.contracts.volunteers import ApplicationIn, ApplicationListIn, ApplicationOut, DeclineIn
from shared.schemas import shaped

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
    application, password = approved["application"], one_time_password()
    username = username or approved["phone"]
    with gateway.db.transaction() as session:
        accounts.create_volunteer_login(session, username, password, application,
                                        actor["association_code"])
    return shaped(ApprovalOut(), {**application, "username": username,
                                  "one_time_password": password})


class ApplicationRoutes:
    """API endpoints for applications to volunteer (mixed into GatewayService)."""

    @route("POST", "/api/v1/public/volunteer-applications", "Apply to volunteer: pending "
           "until a coordinator decides (one pending application per identity number)", None,
           public=True, body=ApplicationIn, response=ApplicationOut, status=201,
           tags=["public"])
    def apply_to_volunteer(self, call):
        return self.volunteers.submit_application(call.raw_body, call.actor)

    @route("GET", "/api/v1/volunteer-applications", "Applications to volunteer, the longest "
           "waiting first (?status=pending: those to decide)", COORDINATOR_READERS,
           query=ApplicationListIn, response=ApplicationOut, many=True, tags=["volunteers"])
    def list_applications(self, call):
        return self.volunteers.list_applications(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/volunteer-applications/<int:application_id>",
           "One application with its history", COORDINATOR_READERS, response=ApplicationOut,
           tags=["volunteers"])
    def get_application(self, call, application_id):
        return self.volunteers.get_application(application_id, call.actor)

    @route("POST", "/api/v1/volunteer-applications/<int:application_id>/approve",
           "Approve: the volunteer is registered and gets a login (username: the phone "
           "number unless given) with a one-time password, shown only in this answer; "
           "409 already_approved once that login exists", COORDINATORS, body=ApproveIn,
           body_optional=True, response=ApprovalOut, tags=["volunteers"])
    def approve_application(self, call, application_id):
        return approve(self, application_id, call.body["username"], call.actor)

    @route("POST", "/api/v1/volunteer-applications/<int:application_id>/decline",
           "Decline with a reason (kept in its history)", COORDINATORS, body=DeclineIn,
           response=ApplicationOut, tags=["volunteers"])
    def decline_application(self, call, application_id):
        return self.volunteers.decline_application(application_id, call.raw_body, call.actor)
