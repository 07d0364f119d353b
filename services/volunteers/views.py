"""Rows as the JSON the world sees, through the Out schemas of the volunteers contract:
identity numbers and phones masked, names beside volunteer numbers."""
from services.volunteers import domain
from services.volunteers.models import Activity, Application, Shift, Signup, Visit, Volunteer
from shared.clock import iso
from shared.contracts.volunteers import (
    ActivityOut,
    ApplicationOut,
    AttendanceOut,
    CancelOut,
    ShiftOut,
    SignupOut,
    VisitOut,
    VolunteerOut,
)
from shared.history import history_view
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

VOLUNTEER, SHIFT, SIGNUP = VolunteerOut(), ShiftOut(), SignupOut()
CANCEL = CancelOut()
ATTENDANCE, ACTIVITY, VISIT = AttendanceOut(), ActivityOut(), VisitOut()
APPLICATION = ApplicationOut()


def volunteer_view(volunteer: Volunteer, minutes: int, record: tuple[int, int] = (0, 0)) -> dict:
    """`record`: (shifts attended, no-shows) on shifts now over."""
    attended, no_shows = record
    share = domain.reliability(attended, no_shows)
    return shaped(VOLUNTEER, {
        "id": volunteer.id, "name": volunteer.name,
        "id_number": mask_id_number(volunteer.id_number), "phone": mask_phone(volunteer.phone),
        "status": volunteer.status, "availability": volunteer.availability,
        "skills": [{"code": s.skill, "certificate_no": s.certificate_no,
                    "expires_on": s.expires_on.isoformat() if s.expires_on else None}
                   for s in volunteer.skills],
        "grassroots_code": volunteer.grassroots_code,
        "minutes_total": minutes, "hours_total": round(minutes / 60, 2),
        "shifts_attended": attended, "no_shows": no_shows,
        "reliability": None if share is None else round(share, 2)})


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


def shift_views(found: list[Shift], places_taken: list) -> list[dict]:
    """`places_taken`: (sign-up, volunteer name) rows of those shifts, in sign-up order."""
    places: dict = {(shift.id, status): [] for shift in found
                    for status in ("confirmed", "waitlisted", "no_show")}
    for entry, name in places_taken:
        places[(entry.shift_id, entry.status)].append({
            "volunteer_id": entry.volunteer_id, "name": name,
            "signed_up_at": iso(entry.signed_up_at), "checked_in_at": iso(entry.checked_in_at),
            "checked_out_at": iso(entry.checked_out_at)})
    return [shaped(SHIFT, {
        "id": shift.id, "activity_id": shift.activity_id, "title": shift.activity.title,
        "starts_at": iso(shift.starts_at), "ends_at": iso(shift.ends_at), "place": shift.place,
        "capacity": shift.capacity, "required_skills": list(shift.required_skills or []),
        "confirmed": places[(shift.id, "confirmed")],
        "waitlisted": places[(shift.id, "waitlisted")],
        "no_shows": places[(shift.id, "no_show")]}) for shift in found]


def signup_view(entry: Signup, name: str, minutes: int) -> dict:
    """`minutes`: what the sign-up credits now (check-out or a coordinator's correction)."""
    return shaped(SIGNUP, {
        "id": entry.id, "shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
        "name": name, "status": entry.status, "checked_in_at": iso(entry.checked_in_at),
        "checked_out_at": iso(entry.checked_out_at), "minutes": minutes,
        "history": history_view(entry.history),
        "corrections": [{"at": iso(c.at), "actor": c.actor, "old_minutes": c.old_minutes,
                         "new_minutes": c.new_minutes, "reason": c.reason}
                        for c in entry.corrections]})


def cancel_view(entry: Signup, promoted: list[Signup], skipped: list[tuple[Signup, str]],
                names: dict[int, str]) -> dict:
    """`skipped`: (sign-up, why) of each waitlisted volunteer passed over."""
    def moved(other: Signup, reason: str | None) -> dict:
        return {"signup_id": other.id, "volunteer_id": other.volunteer_id,
                "name": names.get(other.volunteer_id, ""), "reason": reason}
    return shaped(CANCEL, {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                           "status": entry.status,
                           "promoted_signups": [other.id for other in promoted],
                           "promoted": [moved(other, None) for other in promoted],
                           "skipped": [moved(other, why) for other, why in skipped]})


def attendance_view(entry: Signup) -> dict:
    return shaped(ATTENDANCE, {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                               "checked_in_at": iso(entry.checked_in_at),
                               "checked_out_at": iso(entry.checked_out_at)})


def activity_view(activity: Activity) -> dict:
    return shaped(ACTIVITY, {"id": activity.id, "title": activity.title,
                             "description": activity.description})


def visit_view(visit: Visit, with_notes: bool, names: dict[int, str]) -> dict:
    """`names`: the volunteers' names by id, the team's among them."""
    team = list(visit.volunteer_ids or [])
    return shaped(VISIT, {
        "id": visit.id, "family_name": visit.family_name, "family_id": visit.family_id,
        "address": visit.address, "reason": visit.reason,
        "required_skills": list(visit.required_skills or []),
        "starts_at": iso(visit.starts_at), "ends_at": iso(visit.ends_at),
        "status": visit.status, "volunteer_ids": team,
        "volunteers": named(team, names), "minutes": visit.minutes,
        "notes": visit.notes if with_notes else None, "history": history_view(visit.history)})


def named(volunteer_ids: list[int], names: dict[int, str]) -> list[dict]:
    return [{"id": vid, "name": names.get(vid, "")} for vid in volunteer_ids]
