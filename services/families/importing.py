"""Families brought in from a spreadsheet of the register: a household at a time, written
by the same use cases as a family typed by hand (families.family_registered or
families.family_updated, as then). A household is matched to the family already holding any
of its people (identity numbers within the association), so the same file twice changes
nothing."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families import domain, register
from services.families.models import FamilyMember
from shared.crypto import blind
from shared.imports import Unit

HOUSEHOLD = ("category", "address", "village_code")
PERSON = ("name", "id_number", "relation", "phone")


def household(cells: dict) -> str | None:
    """The unit a row is written in: its household."""
    return cells.get("household_no")


class Households:
    """The households of one batch, written one by one, with who of their people is in a
    family already looked up once for the whole batch (a person appears in one row of a
    file at most; one in two households of a batch is caught when the second is written)."""

    def __init__(self, association: str, actor: dict):
        self.association = association
        self.actor = actor
        self.holding: dict[str, int] = {}  # id number → the id of the family holding them

    def prepare(self, session: Session, units: list[Unit]) -> None:
        people = {blind(row["id_number"], "id_number"): row["id_number"]
                  for unit in units for row in unit.values}
        found = session.execute(
            select(FamilyMember.id_index, FamilyMember.family_id)
            .where(FamilyMember.association_code == self.association,
                   FamilyMember.id_index.in_(list(people)))).all()
        self.holding = {people[index]: family_id for index, family_id in found}

    def write(self, session: Session, unit: Unit) -> str:
        body = domain.household_body(unit.values, HOUSEHOLD, PERSON)
        held = sorted(self.holding[m["id_number"]] for m in body["members"]
                      if m["id_number"] in self.holding)
        if not held:
            register.register(session, self.association, body, self.actor, elsewhere={})
            return "created"
        changed = register.revise(session, self.association, held[0], body, self.actor)[1]
        return "updated" if changed else "unchanged"
