"""Models and what the use cases make of them as the JSON the world sees, through the Out
schemas of the volunteers contract: identity numbers and phones masked (but in the hours
export for the national volunteer system), names beside volunteer numbers."""
from datetime import timedelta

from services.volunteers import domain
from services.volunteers.agenda import Agenda
from services.volunteers.attendance import SignupRecord
from services.volunteers.grassroots import Count, Hours
from services.volunteers.models import Activity, Application, Signup, Volunteer
from services.volunteers.people import Rank, Served
from services.volunteers.service_records import ServiceRecord
from services.volunteers.shifts import Cancellation, Roster
from services.volunteers.visits import Proposal, TeamVisit
from shared.clock import iso
from shared.contracts.volunteers import (
    ActivityOut,
    ApplicationOut,
    ApprovedOut,
    AttendanceOut,
    CalendarOut,
    CancelOut,
    HoursOut,
    HoursRecordOut,
    ProposalOut,
    RankOut,
    ShiftOut,
    SignupOut,
    VisitOut,
    VolunteerCountsOut,
    VolunteerHoursByCodeOut,
    VolunteerNameOut,
    VolunteerOut,
)
from shared.history import history_view
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

VOLUNTEER = VolunteerOut()
VOLUNTEER_NAME = VolunteerNameOut()
APPLICATION = ApplicationOut()
APPROVED = ApprovedOut()
SHIFT = ShiftOut()
SIGNUP = SignupOut()
CANCEL = CancelOut()
ATTENDANCE = AttendanceOut()
ACTIVITY = ActivityOut()
VISIT = VisitOut()
PROPOSAL = ProposalOut()
HOURS = HoursOut()
RANK = RankOut()
CALENDAR = CalendarOut()
SERVICE_RECORD = HoursRecordOut()
COUNTS = VolunteerCountsOut()
HOURS_BY_CODE = VolunteerHoursByCodeOut()


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def volunteer_view(served: Served) -> dict:
    volunteer = served.volunteer
    share = domain.reliability(served.attended, served.no_shows)
    return shaped(VOLUNTEER, {
        "id": volunteer.id, "name": volunteer.name,
        "id_number": mask_id_number(volunteer.id_number), "phone": mask_phone(volunteer.phone),
        "status": volunteer.status, "availability": volunteer.availability,
        "skills": [{"code": s.skill, "certificate_no": s.certificate_no,
                    "expires_on": s.expires_on.isoformat() if s.expires_on else None}
                   for s in volunteer.skills],
        "grassroots_code": volunteer.grassroots_code,
        "minutes_total": served.minutes, "hours_total": _hours(served.minutes),
        "shifts_attended": served.attended, "no_shows": served.no_shows,
        "reliability": None if share is None else round(share, 2)})


def registered_view(volunteer: Volunteer) -> dict:
    """A volunteer just registered has served nothing yet."""
    return volunteer_view(Served(volunteer))


def hours_view(served: Served) -> dict:
    return shaped(HOURS, {"volunteer_id": served.volunteer.id, "minutes": served.minutes,
                          "hours": _hours(served.minutes)})


def rank_view(rank: Rank) -> dict:
    return shaped(RANK, {"rank": rank.rank, "volunteer_id": rank.volunteer_id,
                         "name": rank.name, "minutes": rank.minutes,
                         "hours": _hours(rank.minutes)})


def counts_view(counts: list[Count]) -> dict:
    return shaped(COUNTS, {"items": [{"code": c.code, "volunteers": c.volunteers}
                                     for c in counts]})


def hours_by_code_view(served: list[Hours]) -> dict:
    return shaped(HOURS_BY_CODE, {"items": [{"code": s.code, "minutes": s.minutes}
                                            for s in served]})


def application_view(application: Application) -> dict:
    return shaped(APPLICATION, {
        "id": application.id, "name": application.name,
        "id_number": mask_id_number(application.id_number),
        "phone": mask_phone(application.phone), "skills": list(application.skills or []),
        "status": application.status, "created_at": iso(application.created_at),
        "decided_by": application.decided_by, "decided_at": iso(application.decided_at),
        "decline_reason": application.decline_reason,
        "volunteer_id": application.volunteer_id,
        "history": history_view(application.history)})


def approved_view(application: Application) -> dict:
    """The phone unmasked: the default username of the login the gateway makes."""
    return shaped(APPROVED, {"application": application_view(application),
                             "phone": application.phone})


def shift_view(roster: Roster) -> dict:
    places: dict = {status: [] for status in ("confirmed", "waitlisted", "no_show")}
    for place in roster.places:
        entry = place.signup
        places[entry.status].append({
            "volunteer_id": entry.volunteer_id, "name": place.name,
            "signed_up_at": iso(entry.signed_up_at), "checked_in_at": iso(entry.checked_in_at),
            "checked_out_at": iso(entry.checked_out_at)})
    shift = roster.shift
    return shaped(SHIFT, {
        "id": shift.id, "activity_id": shift.activity_id, "title": shift.activity.title,
        "starts_at": iso(shift.starts_at), "ends_at": iso(shift.ends_at), "place": shift.place,
        "capacity": shift.capacity, "required_skills": list(shift.required_skills or []),
        "confirmed": places["confirmed"], "waitlisted": places["waitlisted"],
        "no_shows": places["no_show"], "status": shift.status,
        "cancel_reason": shift.cancel_reason})


def signup_view(record: SignupRecord) -> dict:
    entry = record.signup
    return shaped(SIGNUP, {
        "id": entry.id, "shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
        "name": record.name, "status": entry.status, "checked_in_at": iso(entry.checked_in_at),
        "checked_out_at": iso(entry.checked_out_at), "minutes": record.minutes,
        "history": history_view(entry.history),
        "corrections": [{"at": iso(c.at), "actor": c.actor, "old_minutes": c.old_minutes,
                         "new_minutes": c.new_minutes, "reason": c.reason}
                        for c in entry.corrections]})


def cancel_view(cancellation: Cancellation) -> dict:
    def moved(other: Signup, reason: str | None) -> dict:
        return {"signup_id": other.id, "volunteer_id": other.volunteer_id,
                "name": cancellation.names.get(other.volunteer_id, ""), "reason": reason}
    entry = cancellation.signup
    return shaped(CANCEL, {
        "shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id, "status": entry.status,
        "promoted_signups": [other.id for other in cancellation.promoted],
        "promoted": [moved(other, None) for other in cancellation.promoted],
        "skipped": [moved(s.signup, s.reason) for s in cancellation.skipped]})


def attendance_view(entry: Signup) -> dict:
    return shaped(ATTENDANCE, {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                               "checked_in_at": iso(entry.checked_in_at),
                               "checked_out_at": iso(entry.checked_out_at)})


def activity_view(activity: Activity) -> dict:
    return shaped(ACTIVITY, {"id": activity.id, "title": activity.title,
                             "description": activity.description})


def visit_view(found: TeamVisit) -> dict:
    visit = found.visit
    team = list(visit.volunteer_ids or [])
    return shaped(VISIT, {
        "id": visit.id, "family_name": visit.family_name, "family_id": visit.family_id,
        "address": visit.address, "reason": visit.reason,
        "required_skills": list(visit.required_skills or []),
        "starts_at": iso(visit.starts_at), "ends_at": iso(visit.ends_at),
        "status": visit.status, "volunteer_ids": team,
        "volunteers": _named(team, found.names), "minutes": visit.minutes,
        "notes": visit.notes, "history": history_view(visit.history)})


def proposal_view(proposal: Proposal) -> dict:
    return shaped(PROPOSAL, {"visit_id": proposal.visit_id,
                             "volunteer_ids": proposal.volunteer_ids,
                             "volunteers": _named(proposal.volunteer_ids, proposal.names)})


def calendar_view(agenda: Agenda) -> dict:
    return shaped(CALENDAR, {
        "volunteer_id": agenda.volunteer.id, "name": agenda.volunteer.name,
        "shifts": [{"id": booked.shift.id, "title": booked.shift.activity.title,
                    "place": booked.shift.place, "starts_at": iso(booked.shift.starts_at),
                    "ends_at": iso(booked.shift.ends_at), "status": booked.status}
                   for booked in agenda.shifts],
        "visits": [{"id": visit.id, "family_name": visit.family_name,
                    "address": visit.address, "starts_at": iso(visit.starts_at),
                    "ends_at": iso(visit.ends_at), "status": visit.status,
                    "volunteers": _named(list(visit.volunteer_ids), agenda.names)}
                   for visit in agenda.visits]})


def service_record_view(record: ServiceRecord) -> dict:
    """Identity number and phone in full: for the national volunteer system alone."""
    entry = record.entry
    person = record.person
    start = record.starts_at
    return shaped(SERVICE_RECORD, {
        "volunteer_id": person.id, "name": person.name, "id_number": person.id_number,
        "phone": person.phone, "source": entry.source, "source_id": entry.source_id,
        "project": record.project, "starts_at": iso(start),
        "ends_at": iso(start + timedelta(minutes=entry.minutes)) if start else None,
        "served_on": entry.served_on.isoformat(), "minutes": entry.minutes})


def _named(volunteer_ids: list[int], names: dict[int, str]) -> list[dict]:
    return [{"id": vid, "name": names.get(vid, "")} for vid in volunteer_ids]


def volunteer_name_view(volunteer: Volunteer) -> dict:
    return shaped(VOLUNTEER_NAME, {"id": volunteer.id, "name": volunteer.name})
