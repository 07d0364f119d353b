"""Families brought in from a spreadsheet of the register: a household at a time, written
by the same use cases as a family typed by hand (families.family_registered or
families.family_updated, as then). A household is matched to the family already holding any
of its people (identity numbers within the association), so the same file twice changes
nothing."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain, register
from services.families.models import FamilyMember
from shared.crypto import blind
from shared.errors import DomainError
from shared.imports import Unit

HOUSEHOLD = ("category", "low_income", "address", "village_code")
PERSON = ("name", "id_number", "relation", "phone")


def household(cells: dict) -> str | None:
    """The unit a row is written in: its household."""
    return cells.get("household_no")


class Households:
    """The households of one batch, with who of their people is in a family already looked
    up once for the whole batch. The new ones are registered together before the others are
    written one by one (a person appears in one row of a file at most; one in two households
    of a batch fails that, and each household is then written alone, the second refused)."""

    def __init__(self, association: str, actor: dict):
        self.association = association
        self.actor = actor
        self.holding: dict[str, int] = {}  # id number → the id of the family holding them
        self.registered: set[int] = set()  # the units registered together (their ids)

    def prepare(self, session: Session, units: list[Unit]) -> None:
        people = {blind(row["id_number"], "id_number"): row["id_number"]
                  for unit in units for row in unit.values}
        found = session.execute(
            select(FamilyMember.id_index, FamilyMember.family_id)
            .where(FamilyMember.association_code == self.association,
                   FamilyMember.id_index.in_(list(people)))).all()
        self.holding = {people[index]: family_id for index, family_id in found}
        self._register_new(session, units)

    def _register_new(self, session: Session, units: list[Unit]) -> None:
        """The households none of whose people is in a family, that break no rule: registered
        together. The others, and all of them if one was registered meanwhile, are left
        to write(), which names what is wrong with each."""
        new = {}
        for unit in units:
            if any(row["id_number"] in self.holding for row in unit.values):
                continue
            try:
                body = domain.household_body(unit.values, HOUSEHOLD, PERSON)
                domain.check_village(body["village_code"], self.association)
                domain.check_members(domain.members_of(body["members"]))
            except DomainError:
                continue
            new[id(unit)] = body
        if not new:
            return
        try:
            with session.begin_nested():
                register.register_many(session, self.association, list(new.values()),
                                       self.actor)
        except IntegrityError:
            return
        self.registered = set(new)

    def write(self, session: Session, unit: Unit) -> str:
        if id(unit) in self.registered:
            return "created"
        body = domain.household_body(unit.values, HOUSEHOLD, PERSON)
        held = sorted(self.holding[m["id_number"]] for m in body["members"]
                      if m["id_number"] in self.holding)
        if not held:
            register.register(session, self.association, body, self.actor, elsewhere={})
            return "created"
        changed = register.revise(session, self.association, held[0], body, self.actor)[1]
        return "updated" if changed else "unchanged"
