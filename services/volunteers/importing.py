"""Volunteers brought in from a spreadsheet of the register: a row each, written by the same
use case as a volunteer registered by hand (volunteers.volunteer_registered, as then). A row is
matched to the volunteer with its identity number within the association, so the same file
twice changes nothing.

A volunteer already registered whose row differs is not changed but reported, on each column
that differs (already_registered, as registering them again by hand would be): the register
has no way to change a volunteer's details, by hand or by event, and a row holds no
certificates, so writing it over a volunteer would lose theirs. The coordinator sees which
people and columns to look at instead of an import quietly rewriting what they hold."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import people
from services.volunteers.models import Volunteer
from shared.crypto import blind
from shared.errors import Conflict
from shared.grassroots import grassroots_of
from shared.imports import Unit

COMPARED = ("name", "phone", "skills", "availability", "grassroots_code")


def write(session: Session, association: str, unit: Unit, actor: dict) -> str:
    body = unit.first
    grassroots = grassroots_of(body["grassroots_code"], association)
    found = _volunteer(session, association, body["id_number"])
    if found is None:
        people.register(session, association, body, actor)
        return "created"
    held, given = _held(found), _given(body, grassroots)
    differing = [column for column in COMPARED if held[column] != given[column]]
    if differing:
        raise _registered_otherwise(found.id, differing)
    return "unchanged"


def _volunteer(session: Session, association: str, id_number: str) -> Volunteer | None:
    return session.scalars(
        select(Volunteer).options(selectinload(Volunteer.skills))
        .where(Volunteer.association_code == association,
               Volunteer.id_index == blind(id_number, "id_number"))
    ).first()


def _held(volunteer: Volunteer) -> dict:
    """What the register holds, as a row would give it (skills by code: a row's skills
    carry no certificates, so the volunteer's are not compared)."""
    return {"name": volunteer.name, "phone": volunteer.phone,
            "skills": {skill.skill for skill in volunteer.skills},
            "availability": volunteer.availability,
            "grassroots_code": volunteer.grassroots_code}


def _given(body: dict, grassroots: str) -> dict:
    return {"name": body["name"], "phone": body["phone"],
            "skills": {skill["code"] for skill in body["skills"]},
            "availability": body["availability"], "grassroots_code": grassroots}


def _registered_otherwise(volunteer_id: int, columns: list[str]) -> Conflict:
    message = f"Volunteer {volunteer_id} is registered with a different value; an import " \
        "adds volunteers, it does not change them."
    return Conflict(f"This person is already registered as volunteer {volunteer_id}, with "
                    "different details.", "already_registered",
                    {column: [message] for column in columns})
