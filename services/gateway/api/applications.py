"""Applications to volunteer: anyone applies without a login; a coordinator approves one
(the volunteer and their login with a one-time password, shown once) or declines it."""
from services.gateway.applications import approve
from services.gateway.routes import route
from services.gateway.schemas import ApprovalOut, ApproveIn
from shared.actors import COORDINATOR_READERS, COORDINATORS, EVERYONE
from shared.contracts.volunteers import ApplicationIn, ApplicationListIn, ApplicationOut, DeclineIn


class ApplicationsApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/public/volunteer-applications", "Apply to volunteer: pending "
           "until a coordinator decides (one pending application per identity number)", EVERYONE,
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
