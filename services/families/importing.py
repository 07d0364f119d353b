"""Families brought in from a spreadsheet of the register: a household at a time, written
by the same use cases as a family typed by hand (families.family_registered or
families.family_updated, as then). A household is matched to the family already holding any
of its people (identity numbers within the association), so the same file twice changes
nothing."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families import domain, register
from services.families.models import FamilyMember
from shared.imports import Unit

HOUSEHOLD = ("category", "address", "village_code")
PERSON = ("name", "id_number", "relation", "phone")


def household(cells: dict) -> str | None:
    """The unit a row is written in: its household."""
    return cells.get("household_no")


def write(session: Session, association: str, unit: Unit, actor: dict) -> str:
    body = domain.household_body(unit.values, HOUSEHOLD, PERSON)
    found = _family_holding(session, association, [m["id_number"] for m in body["members"]])
    if found is None:
        register.register(session, association, body, actor)
        return "created"
    return "updated" if register.revise(session, association, found, body, actor)[1] \
        else "unchanged"


def _family_holding(session: Session, association: str, id_numbers: list[str]) -> int | None:
    """The family of the first of these people who is in one. Were others in another
    family, the update names it (already_in_family)."""
    return session.scalars(
        select(FamilyMember.family_id)
        .where(FamilyMember.association_code == association,
               FamilyMember.id_number.in_(id_numbers))
        .order_by(FamilyMember.family_id).limit(1)).first()
