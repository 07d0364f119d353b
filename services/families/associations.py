"""Grassroots associations: the townships' and villages' associations under the county's.
The county's own association is every actor's, so it is answered for without a row."""
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import GrassrootsAssociation
from shared.contracts.associations import COUNTY, AssociationOut
from shared.errors import Conflict, NotFound
from shared.schemas import shaped
from shared.settings import association_name

ASSOCIATION = AssociationOut()
VALID_CODE = re.compile(r"[0-9]{6}|[0-9]{9}|[0-9]{12}")


def create(session: Session, county: str, body: dict, actor: dict) -> dict:
    code, parent = body["code"], body["parent_code"]
    domain.check_placement(code, parent, county, known_codes(session, county, [parent]))
    row = GrassrootsAssociation(association_code=county, code=code, name=body["name"],
                                level=domain.level_of(code), parent_code=parent,
                                created_by=actor["username"])
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"Association {code} exists already.", "association_exists",
                       {"code": ["An association has this code already."]}) from None
    return _view(row)


def listing(session: Session, county: str) -> dict:
    """The county's association first, then the others by code (a tree read in order)."""
    rows = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county)
        .order_by(GrassrootsAssociation.code)).all()
    items = [county_view(county)] + [_view(r) for r in rows]
    return {"items": items, "total": len(items)}


def find(session: Session, county: str, code: str) -> dict:
    if not isinstance(code, str) or not VALID_CODE.fullmatch(code):
        raise NotFound(f"No association {str(code)[:20]!r}.", "association_not_found")
    if code == county:
        return county_view(county)
    row = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.code == code)).one_or_none()
    if row is None:
        raise NotFound(f"No association {code}.", "association_not_found")
    return _view(row)


def children(session: Session, county: str, code: str) -> list[dict]:
    rows = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.parent_code == code).order_by(GrassrootsAssociation.code))
    return [_view(r) for r in rows]


def known_codes(session: Session, county: str, codes: list[str]) -> set[str]:
    """Which of `codes` are associations there are (the county's among them)."""
    found = set(session.scalars(select(GrassrootsAssociation.code).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.code.in_(codes))))
    return found | ({county} & set(codes))


def county_view(county: str) -> dict:
    return shaped(ASSOCIATION, {"code": county, "name": association_name(), "level": COUNTY,
                                "parent_code": None})


def _view(row: GrassrootsAssociation) -> dict:
    return shaped(ASSOCIATION, {"code": row.code, "name": row.name, "level": row.level,
                                "parent_code": row.parent_code})
