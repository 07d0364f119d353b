"""Rows as the JSON the world sees, through the Out schemas of the volunteers contract:
identity numbers and phones masked, names beside volunteer numbers."""
from services.volunteers.models import Activity, Shift, Signup, Visit, Volunteer
from shared.clock import iso
from shared.contracts.volunteers import (
    ActivityOut,
    AttendanceOut,
    ShiftOut,
    SignupOut,
    VisitOut,
    VolunteerOut,
)
from shared.history import history_view
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

VOLUNTEER, SHIFT, SIGNUP = VolunteerOut(), ShiftOut(), SignupOut()
ATTENDANCE, ACTIVITY, VISIT = AttendanceOut(), ActivityOut(), VisitOut()


def volunteer_view(volunteer: Volunteer, minutes: int) -> dict:
    return shaped(VOLUNTEER, {
        "id": volunteer.id, "name": volunteer.name,
        "id_number": mask_id_number(volunteer.id_number), "phone": mask_phone(volunteer.phone),
        "status": volunteer.status, "availability": volunteer.availability,
        "skills": [{"code": s.skill, "certificate_no": s.certificate_no,
                    "expires_on": s.expires_on.isoformat() if s.expires_on else None}
                   for s in volunteer.skills],
        "grassroots_code": volunteer.grassroots_code,
        "minutes_total": minutes, "hours_total": round(minutes / 60, 2)})


def shift_views(found: list[Shift], places_taken: list) -> list[dict]:
    """`places_taken`: (sign-up, volunteer name) rows of those shifts, in sign-up order."""
    places: dict = {(shift.id, status): [] for shift in found
                    for status in ("confirmed", "waitlisted")}
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
        "waitlisted": places[(shift.id, "waitlisted")]}) for shift in found]


def signup_view(entry: Signup) -> dict:
    return shaped(SIGNUP, {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                           "status": entry.status, "history": history_view(entry.history)})


def attendance_view(entry: Signup) -> dict:
    return shaped(ATTENDANCE, {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                               "checked_in_at": iso(entry.checked_in_at),
                               "checked_out_at": iso(entry.checked_out_at)})


def activity_view(activity: Activity) -> dict:
    return shaped(ACTIVITY, {"id": activity.id, "title": activity.title,
                             "description": activity.description})


def visit_view(visit: Visit, with_notes: bool) -> dict:
    return shaped(VISIT, {
        "id": visit.id, "family_name": visit.family_name, "family_id": visit.family_id,
        "address": visit.address, "reason": visit.reason,
        "required_skills": list(visit.required_skills or []),
        "starts_at": iso(visit.starts_at), "ends_at": iso(visit.ends_at),
        "status": visit.status, "volunteer_ids": list(visit.volunteer_ids or []),
        "minutes": visit.minutes, "notes": visit.notes if with_notes else None,
        "history": history_view(visit.history)})
