"""The volunteers API: volunteers, activities, shifts and sign-ups, attendance and
hours, care visits."""
from services.gateway import exports
from services.gateway.exports import EXPORT_SECONDS, SPREADSHEETS, export_query
from services.gateway.routes import route
from shared.actors import COORDINATOR_READERS, COORDINATORS, VOLUNTEER_READERS, VOLUNTEERS
from shared.contracts.volunteers import (
    ActivityIn,
    ActivityOut,
    AssignIn,
    AttendanceOut,
    CancelOut,
    CompleteIn,
    HoursCorrectionIn,
    HoursOut,
    PeriodIn,
    ProposalOut,
    RankOut,
    ShiftChangeIn,
    ShiftIn,
    ShiftOut,
    ShiftsIn,
    SignupOut,
    VisitChangeIn,
    VisitListIn,
    VisitOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerRefIn,
)
from shared.schemas import PageIn, ReasonIn


class VolunteersApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/volunteers", "Register a volunteer with skills", COORDINATORS,
           body=VolunteerIn, response=VolunteerOut, status=201, tags=["volunteers"])
    def register_volunteer(self, call):
        return self.volunteers.register(call.raw_body, call.actor)

    @route("GET", "/api/v1/volunteers", "Volunteers", COORDINATOR_READERS, query=PageIn,
           response=VolunteerOut, many=True, tags=["volunteers"])
    def list_volunteers(self, call):
        return self.volunteers.list_volunteers(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/volunteers/export", "Volunteers as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", COORDINATOR_READERS,
           query=export_query(PageIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["volunteers"])
    def export_volunteers(self, call):
        return exports.answer(call, "volunteers", self.volunteers.list_volunteers)

    @route("GET", "/api/v1/volunteers/ranking", "Volunteers by hours served in a period",
           VOLUNTEER_READERS, query=PeriodIn, response=RankOut, many=True, tags=["volunteers"])
    def ranking(self, call):
        return self.volunteers.ranking(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>", "A volunteer with hours_total "
           "(a volunteer sees only themself)", VOLUNTEER_READERS,
           response=VolunteerOut, tags=["volunteers"])
    def get_volunteer(self, call, volunteer_id):
        return self.volunteers.get_volunteer(volunteer_id, call.actor)

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>/hours", "Hours served in a period",
           VOLUNTEER_READERS, query=PeriodIn, response=HoursOut, tags=["volunteers"])
    def volunteer_hours(self, call, volunteer_id):
        return self.volunteers.hours(volunteer_id, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/activities", "Create an activity (e.g. 5.29 member day)",
           COORDINATORS, body=ActivityIn, response=ActivityOut, status=201,
           tags=["volunteers"])
    def create_activity(self, call):
        return self.volunteers.create_activity(call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts", "Create a shift", COORDINATORS, body=ShiftIn,
           response=ShiftOut, status=201, tags=["volunteers"])
    def create_shift(self, call):
        return self.volunteers.create_shift(call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/bulk", "Create a campaign day's shifts at several places "
           "(1 to 100) under one activity: all of them, or none (422 names the item, e.g. "
           "shifts.2.ends_at)", COORDINATORS, body=ShiftsIn, response=ShiftOut, many=True,
           status=201, tags=["volunteers"])
    def create_shifts(self, call):
        return self.volunteers.create_shifts(call.raw_body, call.actor)

    @route("GET", "/api/v1/shifts", "Shifts", VOLUNTEER_READERS, query=PageIn,
           response=ShiftOut, many=True, tags=["volunteers"])
    def list_shifts(self, call):
        return self.volunteers.list_shifts(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/shifts/export", "Shifts as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", VOLUNTEER_READERS,
           query=export_query(PageIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["volunteers"])
    def export_shifts(self, call):
        return exports.answer(call, "shifts", self.volunteers.list_shifts)

    @route("GET", "/api/v1/shifts/<int:shift_id>", "A shift with confirmed, waitlisted "
           "and no-shows", VOLUNTEER_READERS, response=ShiftOut, tags=["volunteers"])
    def get_shift(self, call, shift_id):
        return self.volunteers.get_shift(shift_id, call.actor)

    @route("PATCH", "/api/v1/shifts/<int:shift_id>", "Move a shift or change its place "
           "before it begins (what is not given stays); everyone booked on it is told",
           COORDINATORS, body=ShiftChangeIn, response=ShiftOut, tags=["volunteers"])
    def change_shift(self, call, shift_id):
        return self.volunteers.change_shift(shift_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/cancel", "Call a shift off before it "
           "begins, its places with it; everyone booked on it is told", COORDINATORS,
           body=ReasonIn, response=ShiftOut, tags=["volunteers"])
    def cancel_shift(self, call, shift_id):
        return self.volunteers.cancel_shift(shift_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/signups",
           "Sign up: confirmed, or waitlisted when full; 409 on overlap or missing skill",
           VOLUNTEERS, body=VolunteerRefIn, response=SignupOut, status=201,
           tags=["volunteers"])
    def sign_up(self, call, shift_id):
        return self.volunteers.sign_up(shift_id, call.raw_body, call.actor)

    @route("DELETE", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>",
           "Cancel a sign-up; the first waitlisted free at that time moves up (those it "
           "would clash for are passed over and stay waiting)", VOLUNTEERS,
           response=CancelOut, tags=["volunteers"])
    def cancel_signup(self, call, shift_id, volunteer_id):
        return self.volunteers.cancel_signup(shift_id, volunteer_id, call.actor)

    @route("GET", "/api/v1/shifts/<int:shift_id>/signups", "Every sign-up of a shift with "
           "its history, minutes and corrections", COORDINATOR_READERS, response=SignupOut,
           many=True, tags=["volunteers"])
    def list_signups(self, call, shift_id):
        return self.volunteers.list_signups(shift_id, call.actor)

    @route("GET", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>",
           "A volunteer's latest sign-up for a shift: history, minutes and corrections "
           "(a volunteer reads only their own)", VOLUNTEER_READERS, response=SignupOut,
           tags=["volunteers"])
    def get_signup(self, call, shift_id, volunteer_id):
        return self.volunteers.get_signup(shift_id, volunteer_id, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>/hours",
           "Correct the minutes a sign-up credits (0 to the shift's length) with a reason; "
           "confirmed or no-show sign-ups of a shift that has begun; hours for a no-show "
           "confirm them", COORDINATORS, body=HoursCorrectionIn, response=SignupOut,
           tags=["volunteers"])
    def correct_hours(self, call, shift_id, volunteer_id):
        return self.volunteers.correct_hours(shift_id, volunteer_id, call.raw_body,
                                             call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/checkin", "Check in",
           VOLUNTEERS, body=VolunteerRefIn, response=AttendanceOut, tags=["volunteers"])
    def check_in(self, call, shift_id):
        return self.volunteers.check_in(shift_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/checkout", "Check out: minutes served",
           VOLUNTEERS, body=VolunteerRefIn, response=AttendanceOut, tags=["volunteers"])
    def check_out(self, call, shift_id):
        return self.volunteers.check_out(shift_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/visits", "Care visits", COORDINATOR_READERS, query=VisitListIn,
           response=VisitOut, many=True, tags=["volunteers"])
    def list_visits(self, call):
        return self.volunteers.list_visits(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/visits/export", "Care visits as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", COORDINATOR_READERS,
           query=export_query(VisitListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["volunteers"])
    def export_visits(self, call):
        return exports.answer(call, "visits", self.volunteers.list_visits)

    @route("GET", "/api/v1/visits/<int:visit_id>/proposals",
           "Free volunteers with the skills, fewest recent hours first", COORDINATOR_READERS,
           response=ProposalOut, tags=["volunteers"])
    def propose(self, call, visit_id):
        return self.volunteers.propose(visit_id, call.actor)

    @route("POST", "/api/v1/visits/<int:visit_id>/assign", "Assign volunteers", COORDINATORS,
           body=AssignIn, response=VisitOut, tags=["volunteers"])
    def assign_visit(self, call, visit_id):
        return self.volunteers.assign(visit_id, call.raw_body, call.actor)

    @route("PATCH", "/api/v1/visits/<int:visit_id>", "Move an assigned visit or change its "
           "team before it begins (what is not given stays); the team, whoever leaves it "
           "and the family are told", COORDINATORS, body=VisitChangeIn, response=VisitOut,
           tags=["volunteers"])
    def change_visit(self, call, visit_id):
        return self.volunteers.change_visit(visit_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/visits/<int:visit_id>/cancel", "Call a visit off before it "
           "begins; the team and the family are told", COORDINATORS, body=ReasonIn,
           response=VisitOut, tags=["volunteers"])
    def cancel_visit(self, call, visit_id):
        return self.volunteers.cancel_visit(visit_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/visits/<int:visit_id>/complete", "Complete: minutes and notes",
           COORDINATORS, body=CompleteIn, response=VisitOut, tags=["volunteers"])
    def complete_visit(self, call, visit_id):
        return self.volunteers.complete(visit_id, call.raw_body, call.actor)

