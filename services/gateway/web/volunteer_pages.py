"""Coordinator and volunteer pages: shifts, sign-ups, visits and hours."""
from functools import partial

from services.gateway.calendar_tokens import feed_url
from services.gateway.web.forms import Form, checked, field_errors, whole
from services.gateway.web.ui import Ui, page
from shared.actors import COORDINATORS, VOLUNTEER_SELF
from shared.contracts.volunteers import (
    HOURS_CORRECTABLE,
    SKILLS,
    ActivityIn,
    AssignIn,
    CompleteIn,
    HoursCorrectionIn,
    ShiftIn,
    ShiftsIn,
    VolunteerRefIn,
)
from shared.settings import association_code

# A shift's lists of places, by the status of the sign-ups in each.
PLACES = (("confirmed", "confirmed"), ("waitlisted", "waitlisted"), ("no_show", "no_shows"))
# A campaign day's fields (shifts.N.<field> in the API's errors) as the form names them.
CAMPAIGN_DAY_FIELDS = {"title": "day_title", "shifts": "places", "shifts.place": "places",
                       "shifts.starts_at": "day_starts_at", "shifts.ends_at": "day_ends_at",
                       "shifts.capacity": "day_capacity",
                       "shifts.required_skills": "day_required_skills"}


def _shift_fields(form, prefix: str = "") -> dict:
    """A shift's size, times and skills as its form gives them (a campaign day's form names
    its fields `day_...`)."""
    return {"capacity": whole(form.get(f"{prefix}capacity", "")),
            "starts_at": _local(form.get(f"{prefix}starts_at", "")),
            "ends_at": _local(form.get(f"{prefix}ends_at", "")),
            "required_skills": form.getlist(f"{prefix}required_skills")}


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
            visit["proposed"] = self.volunteers.propose(visit["id"], ui.actor)["volunteers"] \
                if visit["status"] == "open" else []
        volunteers = ui.listed("volunteers", lambda page: self.volunteers.list_volunteers(
            page, ui.actor))
        for person in volunteers["rows"]:  # for a volunteer without a login of their own
            person["calendar"] = feed_url(_association(ui), person["id"], ui.language)
        products = {p["code"]: p["name"] for p in
                    self.insurance.list_products(ui.actor, {"limit": 500})["items"]}
        return ui.render("coordinator.html", status, skills=SKILLS, visits=visits,
                         products=products, volunteers=volunteers,
                         shifts=ui.listed("shifts", lambda page: self.volunteers.list_shifts(
                             page, ui.actor)),
                         ranking=self.volunteers.ranking({"limit": 10}, ui.actor)["items"],
                         errors=errors or {}, form=ui.form, done=ui.request.args.get("done"))

    @page("POST", "/coordinator/shifts", COORDINATORS)
    def shift_create_page(self, ui: Ui):
        f = ui.request.form
        activity = {"title": f.get("title", "")}
        shift = {**_shift_fields(f), "place": f.get("place") or None}
        # The shift is checked before its activity is made, so a bad shift leaves nothing
        # behind; its activity_id is the one thing the form cannot give.
        invalid = {**checked(ui, ActivityIn(), activity),
                   **checked(ui, ShiftIn(partial=("activity_id",)), shift)}

        def create():
            made = self.volunteers.create_activity(activity, ui.actor)
            self.volunteers.create_shift({**shift, "activity_id": made["id"]}, ui.actor)
        posted = Form(ui, partial(self._coordinator_page, ui))
        return posted.submit(create, "/coordinator?done=shift", invalid)

    @page("POST", "/coordinator/shifts/bulk", COORDINATORS)
    def campaign_day_page(self, ui: Ui):
        """A campaign day's shifts: the same times at each place typed, one per line."""
        f = ui.request.form
        activity = {"title": f.get("day_title", "")}
        each = _shift_fields(f, "day_")
        body = {"shifts": [{**each, "place": place.strip()}
                           for place in f.get("places", "").splitlines() if place.strip()]}
        invalid = _once({**checked(ui, ActivityIn(), activity, CAMPAIGN_DAY_FIELDS),
                         **checked(ui, ShiftsIn(partial=("activity_id",)), body,
                                   CAMPAIGN_DAY_FIELDS)})

        def create():
            made = self.volunteers.create_activity(activity, ui.actor)
            self.volunteers.create_shifts({**body, "activity_id": made["id"]}, ui.actor)
        posted = Form(ui, partial(self._coordinator_page, ui),
                      shown=lambda error: _once(field_errors(ui, error, CAMPAIGN_DAY_FIELDS)))
        return posted.submit(create, "/coordinator?done=campaign_day", invalid)

    @page("POST", "/coordinator/visits/<int:visit_id>/assign", COORDINATORS)
    def visit_assign_page(self, ui: Ui, visit_id):
        body = {"volunteer_ids": [whole(v) for v in ui.request.form.getlist("volunteer_ids")]}
        here = f"visit_{visit_id}"
        posted = Form(ui, partial(self._coordinator_page, ui), at=here)
        return posted.submit(lambda: self.volunteers.assign(visit_id, body, ui.actor),
                             "/coordinator?done=assigned",
                             _under(checked(ui, AssignIn(), body, {"volunteer_ids": here}), here))

    @page("POST", "/coordinator/visits/<int:visit_id>/complete", COORDINATORS)
    def visit_complete_page(self, ui: Ui, visit_id):
        body = {"minutes": whole(ui.form.get("minutes", "")), "notes": ui.form.get("notes", "")}
        here = f"visit_{visit_id}"
        posted = Form(ui, partial(self._coordinator_page, ui),
                      shown=lambda error: _under(field_errors(ui, error), here))
        return posted.submit(lambda: self.volunteers.complete(visit_id, body, ui.actor),
                             "/coordinator?done=completed",
                             _under(checked(ui, CompleteIn(), body), here))

    # --- a shift's sign-ups and hours ----------------------------------------------------
    @page("GET", "/coordinator/shifts/<int:shift_id>", COORDINATORS)
    def shift_signups_page(self, ui: Ui, shift_id):
        return self._shift_page(ui, shift_id)

    def _shift_page(self, ui: Ui, shift_id: int, status=200, errors=None, failed=None):
        """`failed`: the volunteer whose correction form the `errors` belong to."""
        # A shift that does not exist raises NotFound here: the 404 page, not this one.
        shift = self.volunteers.get_shift(shift_id, ui.actor)
        signups = self.volunteers.list_signups(shift_id, ui.actor)["items"]
        return ui.render("coordinator_shift.html", status, shift=shift, signups=signups,
                         correctable=HOURS_CORRECTABLE, errors=errors or {}, failed=failed,
                         form=ui.form, done=ui.request.args.get("done"))

    @page("POST", "/coordinator/shifts/<int:shift_id>/signups/<int:volunteer_id>/hours",
          COORDINATORS, form_page="/coordinator/shifts/{shift_id}")
    def hours_correction_page(self, ui: Ui, shift_id, volunteer_id):
        body = {"minutes": whole(ui.form.get("minutes", "")),
                "reason": ui.form.get("reason", "")}
        posted = Form(ui, partial(self._shift_page, ui, shift_id, failed=volunteer_id))
        return posted.submit(
            lambda: self.volunteers.correct_hours(shift_id, volunteer_id, body, ui.actor),
            f"/coordinator/shifts/{shift_id}?done=corrected",
            checked(ui, HoursCorrectionIn(), body))

    # --- volunteer ---------------------------------------------------------------------
    @page("GET", "/volunteer", VOLUNTEER_SELF)
    def volunteer_home(self, ui: Ui):
        return self._volunteer_page(ui)

    def _volunteer_page(self, ui: Ui, status=200, errors=None):
        me = self.volunteers.get_volunteer(ui.actor["volunteer_id"], ui.actor)
        mine = {s["code"] for s in me["skills"]}
        shifts = [s for s in self.volunteers.list_shifts({"limit": 200}, ui.actor)["items"]
                  if set(s["required_skills"]) <= mine]
        for shift in shifts:
            shift["mine"] = next((status_ for status_, places in PLACES
                                  if any(p["volunteer_id"] == me["id"] for p in shift[places])),
                                 None)
        calendar = feed_url(_association(ui), me["id"], ui.language)
        # Only the shifts this volunteer's skills allow: filtered here, so paged here.
        return ui.render("volunteer.html", status, me=me, shifts=ui.sliced("shifts", shifts),
                         calendar=calendar, subscribe=_webcal(calendar), errors=errors or {})

    @page("POST", "/volunteer/shifts/<int:shift_id>/signup", VOLUNTEER_SELF)
    def volunteer_signup_page(self, ui: Ui, shift_id):
        body = {"volunteer_id": ui.actor["volunteer_id"]}
        here = f"shift_{shift_id}"
        posted = Form(ui, partial(self._volunteer_page, ui), at=here)
        return posted.submit(lambda: self.volunteers.sign_up(shift_id, body, ui.actor),
                             "/volunteer", _under(checked(ui, VolunteerRefIn(), body), here))

    @page("POST", "/volunteer/shifts/<int:shift_id>/cancel", VOLUNTEER_SELF)
    def volunteer_cancel_page(self, ui: Ui, shift_id):
        posted = Form(ui, partial(self._volunteer_page, ui), at=f"shift_{shift_id}")
        return posted.submit(
            lambda: self.volunteers.cancel_signup(shift_id, ui.actor["volunteer_id"], ui.actor),
            "/volunteer")


def _under(errors: dict, place: str) -> dict:
    """Field errors of a small form shown together in one place of the page (none: none)."""
    return {place: [message for messages in errors.values() for message in messages]} \
        if errors else {}


def _once(errors: dict) -> dict:
    """Each message once under its field: a campaign day's places share their times, so a
    bad time is the same error at every place."""
    return {name: list(dict.fromkeys(messages)) for name, messages in errors.items()}


def _association(ui: Ui) -> str:
    return ui.actor["association_code"] or association_code()


def _webcal(url: str) -> str:
    """The feed's address as calendar apps subscribe to it (webcal://, fetched over the
    address's own http or https)."""
    return "webcal://" + url.split("://", 1)[1]
