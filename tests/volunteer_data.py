"""Volunteers and shifts the volunteer tests share."""
from datetime import date

from shared.actors import sign
from shared.identity import make_resident_id

COORDINATOR = sign({"username": "coordinator1", "role": "coordinator"})


def volunteer(n: int, skills=("general",)) -> dict:
    return {"name": f"志愿者{n}", "phone": f"139{n:08d}",
            "id_number": make_resident_id("341181", date(1980, 1, 1), n),
            "skills": list(skills)}


def shift(activity_id: int, capacity: int = 20, day: str = "2027-05-29", start="09:00",
          end="12:00", skills=("general",)) -> dict:
    return {"activity_id": activity_id, "capacity": capacity, "required_skills": list(skills),
            "starts_at": f"{day}T{start}:00+08:00", "ends_at": f"{day}T{end}:00+08:00"}


def as_volunteer(volunteer_id: int) -> dict:
    return sign({"username": f"vol{volunteer_id}", "role": "volunteer",
                 "volunteer_id": volunteer_id})
