"""Coordinator and volunteer pages: shifts, sign-ups, visits and hours."""
from services.gateway.web.ui import Ui, checked, field_errors, page, status_of, whole
from shared.contracts.volunteers import (
    SKILLS,
    ActivityIn,
    AssignIn,
    CompleteIn,
    ShiftIn,
    VolunteerRefIn,
)
from shared.errors import DomainError

COORDINATORS = ("coordinator", "admin")


def _local(moment: str) -> str:
    """A datetime-local field's value, in the association's time zone."""
    return f"{moment}:00+08:00" if moment and len(moment) == 16 else moment


class VolunteerPages:
    @page("GET", "/coordinator", COORDINATORS)
    def coordinator_home(self, ui: Ui):
        return self._coordinator_page(ui)

    def _coordinator_page(self, ui: Ui, status=200, errors=None):
        visits = ui.listed("visits", lambda page: self.volunteers.list_visits(page, ui.actor))
        for visit in visits["rows"]:
            visit["proposed"] = self.volunteers.propose(visit["id"], ui.actor)["volunteer_ids"] \
                if visit["status"] == "open" else []
        proposed = any(visit["proposed"] for visit in visits["rows"])
        products = {p["code"]: p["name"] for p in
                    self.insurance.list_products(ui.actor, {"limit": 500})["items"]}
        return ui.render("coordinator.html", status, skills=SKILLS, visits=visits,
                         products=products,
                         names=self._names(ui) if proposed else {},
                         volunteers=ui.listed("volunteers", lambda page: self.volunteers
                                              .list_volunteers(page, ui.actor)),
                         shifts=ui.listed("shifts", lambda page: self.volunteers.list_shifts(
                             page, ui.actor)),
                         ranking=self.volunteers.ranking({"limit": 10}, ui.actor)["items"],
                         errors=errors or {}, form=ui.form, done=ui.request.args.get("done"))

    def _names(self, ui: Ui) -> dict[int, str]:
        """Volunteers' names by id, for the volunteers a visit could go to."""
        everyone = self.volunteers.list_volunteers({"limit": 500}, ui.actor)["items"]
        return {person["id"]: person["name"] for person in everyone}

    @page("POST", "/coordinator/shifts", COORDINATORS)
    def shift_create_page(self, ui: Ui):
        f = ui.request.form
        activity = {"title": f.get("title", "")}
        shift = {"capacity": whole(f.get("capacity", "")),
                 "starts_at": _local(f.get("starts_at", "")),
                 "ends_at": _local(f.get("ends_at", "")),
                 "required_skills": f.getlist("required_skills"),
                 "place": f.get("place") or None}
        # The shift is checked before its activity is made, so a bad shift leaves nothing
        # behind; its activity_id is the one thing the form cannot give.
        errors = {**checked(ui, ActivityIn(), activity),
                  **checked(ui, ShiftIn(partial=("activity_id",)), shift)}
        if errors:
            return self._coordinator_page(ui, 422, errors)
        try:
            made = self.volunteers.create_activity(activity, ui.actor)
            self.volunteers.create_shift({**shift, "activity_id": made["id"]}, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, status_of(error), field_errors(ui, error))
        return ui.redirect("/coordinator?done=shift")

    @page("POST", "/coordinator/visits/<int:visit_id>/assign", COORDINATORS)
    def visit_assign_page(self, ui: Ui, visit_id):
        body = {"volunteer_ids": [whole(v) for v in ui.request.form.getlist("volunteer_ids")]}
        here = f"visit_{visit_id}"
        errors = checked(ui, AssignIn(), body, {"volunteer_ids": here})
        if errors:
            return self._coordinator_page(ui, 422, _under(errors, here))
        try:
            self.volunteers.assign(visit_id, body, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, status_of(error), {here: [
                ui.say(error.message)]})
        return ui.redirect("/coordinator?done=assigned")

    @page("POST", "/coordinator/visits/<int:visit_id>/complete", COORDINATORS)
    def visit_complete_page(self, ui: Ui, visit_id):
        body = {"minutes": whole(ui.form.get("minutes", "")), "notes": ui.form.get("notes", "")}
        here = f"visit_{visit_id}"
        errors = checked(ui, CompleteIn(), body)
        if errors:
            return self._coordinator_page(ui, 422, _under(errors, here))
        try:
            self.volunteers.complete(visit_id, body, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, status_of(error), _under(
                field_errors(ui, error), here))
        return ui.redirect("/coordinator?done=completed")

    # --- volunteer ---------------------------------------------------------------------
    @page("GET", "/volunteer", ("volunteer",))
    def volunteer_home(self, ui: Ui):
        return self._volunteer_page(ui)

    def _volunteer_page(self, ui: Ui, status=200, errors=None):
        me = self.volunteers.get_volunteer(ui.actor["volunteer_id"], ui.actor)
        mine = {s["code"] for s in me["skills"]}
        shifts = [s for s in self.volunteers.list_shifts({"limit": 200}, ui.actor)["items"]
                  if set(s["required_skills"]) <= mine]
        for shift in shifts:
            shift["mine"] = next((status_ for status_ in ("confirmed", "waitlisted")
                                  if any(p["volunteer_id"] == me["id"] for p in shift[status_])),
                                 None)
        # Only the shifts this volunteer's skills allow: filtered here, so paged here.
        return ui.render("volunteer.html", status, me=me, shifts=ui.sliced("shifts", shifts),
                         errors=errors or {})

    @page("POST", "/volunteer/shifts/<int:shift_id>/signup", ("volunteer",))
    def volunteer_signup_page(self, ui: Ui, shift_id):
        body = {"volunteer_id": ui.actor["volunteer_id"]}
        errors = checked(ui, VolunteerRefIn(), body)
        if errors:  # a volunteer login without its volunteer
            return self._volunteer_page(ui, 422, _under(errors, f"shift_{shift_id}"))
        try:
            self.volunteers.sign_up(shift_id, body, ui.actor)
        except DomainError as error:
            return self._volunteer_page(ui, status_of(error), {
                f"shift_{shift_id}": [ui.say(error.message)]})
        return ui.redirect("/volunteer")

    @page("POST", "/volunteer/shifts/<int:shift_id>/cancel", ("volunteer",))
    def volunteer_cancel_page(self, ui: Ui, shift_id):
        try:
            self.volunteers.cancel_signup(shift_id, ui.actor["volunteer_id"], ui.actor)
        except DomainError as error:
            return self._volunteer_page(ui, status_of(error), {
                f"shift_{shift_id}": [ui.say(error.message)]})
        return ui.redirect("/volunteer")


def _under(errors: dict, place: str) -> dict:
    """Field errors of a small form shown together in one place of the page."""
    return {place: [message for messages in errors.values() for message in messages]}
