"""Coordinator and volunteer pages: shifts, sign-ups, visits and hours."""
from services.gateway.web.ui import Ui, field_errors, page
from shared.contracts.volunteers import SKILLS
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
        visits = self.volunteers.list_visits({"limit": 100}, ui.actor)["items"]
        for visit in visits:
            visit["proposed"] = self.volunteers.propose(visit["id"], ui.actor)["volunteer_ids"] \
                if visit["status"] == "open" else []
        return ui.render("coordinator.html", status, skills=SKILLS, visits=visits,
                         volunteers=self.volunteers.list_volunteers({"limit": 500},
                                                                    ui.actor)["items"],
                         shifts=self.volunteers.list_shifts({"limit": 100}, ui.actor)["items"],
                         ranking=self.volunteers.ranking({"limit": 10}, ui.actor)["items"],
                         errors=errors or {}, form=ui.form, done=ui.request.args.get("done"))

    @page("POST", "/coordinator/shifts", COORDINATORS)
    def shift_create_page(self, ui: Ui):
        f = ui.request.form
        try:
            activity = self.volunteers.create_activity({"title": f.get("title", "")}, ui.actor)
            capacity = f.get("capacity", "")
            self.volunteers.create_shift({
                "activity_id": activity["id"],
                "capacity": int(capacity) if capacity.isdigit() else capacity,
                "starts_at": _local(f.get("starts_at", "")),
                "ends_at": _local(f.get("ends_at", "")),
                "required_skills": f.getlist("required_skills"),
                "place": f.get("place") or None}, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, 422, field_errors(ui, error))
        return ui.redirect("/coordinator?done=shift")

    @page("POST", "/coordinator/visits/<int:visit_id>/assign", COORDINATORS)
    def visit_assign_page(self, ui: Ui, visit_id):
        chosen = [int(v) for v in ui.request.form.getlist("volunteer_ids") if v.isdigit()]
        try:
            self.volunteers.assign(visit_id, {"volunteer_ids": chosen}, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, 422, {f"visit_{visit_id}": [
                ui.gettext(error.message)]})
        return ui.redirect("/coordinator?done=assigned")

    @page("POST", "/coordinator/visits/<int:visit_id>/complete", COORDINATORS)
    def visit_complete_page(self, ui: Ui, visit_id):
        minutes = ui.form.get("minutes", "")
        try:
            self.volunteers.complete(visit_id, {
                "minutes": int(minutes) if minutes.isdigit() else minutes,
                "notes": ui.form.get("notes", "")}, ui.actor)
        except DomainError as error:
            return self._coordinator_page(ui, 422, {f"visit_{visit_id}": [
                ui.gettext(m) for ms in error.fields.values() for m in ms] or [error.message]})
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
        return ui.render("volunteer.html", status, me=me, shifts=shifts, errors=errors or {})

    @page("POST", "/volunteer/shifts/<int:shift_id>/signup", ("volunteer",))
    def volunteer_signup_page(self, ui: Ui, shift_id):
        try:
            self.volunteers.sign_up(shift_id, {"volunteer_id": ui.actor["volunteer_id"]},
                                    ui.actor)
        except DomainError as error:
            return self._volunteer_page(ui, 409, {
                f"shift_{shift_id}": [ui.gettext(error.message)]})
        return ui.redirect("/volunteer")

    @page("POST", "/volunteer/shifts/<int:shift_id>/cancel", ("volunteer",))
    def volunteer_cancel_page(self, ui: Ui, shift_id):
        self.volunteers.cancel_signup(shift_id, ui.actor["volunteer_id"], ui.actor)
        return ui.redirect("/volunteer")
