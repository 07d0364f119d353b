"""Finding families: one by id, or a page of them by category, low income and village."""
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families.models import Family, FamilyMember
from shared import rows
from shared.paging import Page


def get(session: Session, association: str, family_id: int) -> Family:
    return rows.one(session, Family, association, family_id)


def listing(session: Session, association: str, query: dict) -> Page:
    """Members come in one more query for the whole page. Rows, not mapped objects: a list
    changes nothing, and building objects (their state, their identity map) cost as much as
    everything else a page of families takes, an export of the register reading 100 000."""
    found = select(*_LISTED).where(Family.association_code == association)
    if query["category"]:
        found = found.where(Family.category == query["category"])
    if query["low_income"] is not None:
        found = found.where(Family.low_income == query["low_income"])
    if query["village_code"]:
        # Codes nest (county, township, village): a township's code finds its villages.
        found = found.where(Family.village_code.startswith(query["village_code"]))
    families = rows.page(session, found, [Family.id], query)
    members: dict[int, list] = {family.id: [] for family in families.items}
    for member in session.execute(select(*_MEMBERS).where(
            FamilyMember.family_id.in_(list(members))).order_by(FamilyMember.id)):
        members[member.family_id].append(member)
    return Page([SimpleNamespace(**family._asdict(), members=members[family.id])
                 for family in families.items], families.total)


_LISTED = (Family.id, Family.family_no, Family.category, Family.low_income, Family.address,
           Family.village_code, Family.created_at, Family.updated_at)
_MEMBERS = (FamilyMember.family_id, FamilyMember.id, FamilyMember.name, FamilyMember.id_number,
            FamilyMember.relation, FamilyMember.phone)
