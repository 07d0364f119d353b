"""Finding families: one by id, or a page of them by category and village."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.families.models import Family
from shared import rows
from shared.paging import Page


def get(session: Session, association: str, family_id: int) -> Family:
    return rows.one(session, Family, association, family_id)


def listing(session: Session, association: str, query: dict) -> Page[Family]:
    """Members come in one more query for the whole page."""
    found = (select(Family).where(Family.association_code == association)
             .options(selectinload(Family.members)))
    if query["category"]:
        found = found.where(Family.category == query["category"])
    if query["village_code"]:
        # Codes nest (county, township, village): a township's code finds its villages.
        found = found.where(Family.village_code.startswith(query["village_code"]))
    return rows.page(session, found, [Family.id], query)
