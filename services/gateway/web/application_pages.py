"""Applying to volunteer (a public page, no login) and the coordinator's page that decides
the applications: approving shows the new volunteer's username and one-time password,
once, on the page that answers it."""
from functools import partial

from services.gateway import applications
from services.gateway.routes import client_address
from services.gateway.schemas import ApproveIn
from services.gateway.throttle import PUBLIC_POSTS, Throttled
from services.gateway.web.auth_pages import with_form_nonce
from services.gateway.web.forms import Form, checked, too_many
from services.gateway.web.ui import Ui, page
from shared.actors import COORDINATORS, public_actor
from shared.contracts.volunteers import SKILLS, ApplicationIn, DeclineIn

APPLY = "/public/volunteer"
DECIDE = "/coordinator/applications"
# The form's fields for what the contract names otherwise (its one certificate).
FIELDS = {"skills.code": "skills", "certificates": "certificate_skill",
          "certificates.skill": "certificate_skill",
          "certificates.certificate_no": "certificate_no",
          "certificates.expires_on": "expires_on"}


def _application(form) -> dict:
    """The form as ApplicationIn takes it; the certificate only when something of it was
    typed."""
    body = {"name": form.get("name", ""), "id_number": form.get("id_number", "").strip(),
            "phone": form.get("phone", "").strip(), "skills": form.getlist("skills")}
    certificate = {"skill": form.get("certificate_skill", ""),
                   "certificate_no": form.get("certificate_no", ""),
                   "expires_on": form.get("expires_on") or None}
    if any(certificate.values()):
        body["certificates"] = [certificate]
    return body


class ApplicationPages:
    @page("GET", APPLY, None)
    def apply_form(self, ui: Ui):
        return with_form_nonce(ui, lambda: self._apply_page(ui, 200, {}))

    @page("POST", APPLY, None, APPLY)
    def apply_page(self, ui: Ui):
        if not ui.csrf_ok():
            return self._apply_page(ui, 403, {"_form": [ui.gettext(
                "The form expired; go back, reload and try again.")]})
        body = _application(ui.request.form)
        again = partial(self._apply_page, ui)
        try:  # as many as the API takes from one address without a login
            PUBLIC_POSTS.take(self.db, client_address(ui.request), "requests without a login")
        except Throttled as throttled:
            return too_many(again, throttled, ui.gettext(
                "Too many applications from here; try again in %(seconds)s seconds."))
        posted = Form(ui, again, names=FIELDS)
        return posted.submit(lambda: self.volunteers.submit_application(body, public_actor()),
                             lambda made: again(200, {}, made),
                             checked(ui, ApplicationIn(), body, FIELDS))

    def _apply_page(self, ui: Ui, status: int, errors: dict, made: dict | None = None):
        # What was typed comes back to be corrected; nothing does once it was sent.
        return ui.render("apply.html", status, errors=errors, skills=SKILLS, made=made,
                         form={} if made else ui.form,
                         chosen=[] if made else ui.request.form.getlist("skills"))

    # --- the coordinator's decisions ------------------------------------------------------
    @page("GET", DECIDE, COORDINATORS)
    def applications_home(self, ui: Ui):
        return self._decide_page(ui)

    def _decide_page(self, ui: Ui, status=200, errors=None, approved=None):
        pending = ui.listed("applications", lambda page: self.volunteers.list_applications(
            {**page, "status": "pending"}, ui.actor))
        # An error about an application no longer waiting is shown above the list.
        shown = [f"application_{a['id']}" for a in pending["rows"]]
        return ui.render("applications.html", status, pending=pending, errors=errors or {},
                         shown=shown, approved=approved, done=ui.request.args.get("done"))

    @page("POST", DECIDE + "/<int:application_id>/approve", COORDINATORS, DECIDE)
    def approve_page(self, ui: Ui, application_id):
        username = (ui.form.get("username") or "").strip() or None
        here = f"application_{application_id}"
        posted = Form(ui, partial(self._decide_page, ui), at=here)
        return posted.submit(lambda: applications.approve(self, application_id, username, ui.actor),
                             lambda approved: self._decide_page(ui, 200, approved=approved),
                             checked(ui, ApproveIn(), {"username": username}, {"username": here}))

    @page("POST", DECIDE + "/<int:application_id>/decline", COORDINATORS, DECIDE)
    def decline_page(self, ui: Ui, application_id):
        body = {"reason": ui.form.get("reason", "")}
        here = f"application_{application_id}"
        posted = Form(ui, partial(self._decide_page, ui), at=here)
        return posted.submit(
            lambda: self.volunteers.decline_application(application_id, body, ui.actor),
            DECIDE + "?done=declined",
                             checked(ui, DeclineIn(), body, {"reason": here}))
