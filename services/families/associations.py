"""Grassroots associations: the townships' and villages' associations under the county's.
The county's own association is every actor's, so it is answered for without a row."""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import GrassrootsAssociation
from shared.contracts.associations import COUNTY
from shared.errors import Conflict, NotFound
from shared.paging import Page
from shared.settings import association_name

VALID_CODE = re.compile(r"[0-9]{6}|[0-9]{9}|[0-9]{12}")


@dataclass(frozen=True)
class Association:
    """A grassroots association, or the county's own (which has no row)."""
    code: str
    name: str
    level: str
    parent_code: str | None


def create(session: Session, county: str, body: dict, actor: dict) -> Association:
    code = body["code"]
    parent = body["parent_code"]
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
    return _of(row)


def listing(session: Session, county: str) -> Page[Association]:
    """The county's association first, then the others by code (a tree read in order)."""
    rows = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county)
        .order_by(GrassrootsAssociation.code)).all()
    items = [county_of(county)] + [_of(r) for r in rows]
    return Page(items, len(items))


def find(session: Session, county: str, code: str) -> Association:
    if not isinstance(code, str) or not VALID_CODE.fullmatch(code):
        raise NotFound(f"No association {str(code)[:20]!r}.", "association_not_found")
    if code == county:
        return county_of(county)
    row = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.code == code)).one_or_none()
    if row is None:
        raise NotFound(f"No association {code}.", "association_not_found")
    return _of(row)


def children(session: Session, county: str, code: str) -> list[Association]:
    rows = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.parent_code == code).order_by(GrassrootsAssociation.code))
    return [_of(r) for r in rows]


def known_codes(session: Session, county: str, codes: list[str]) -> set[str]:
    """Which of `codes` are associations there are (the county's among them)."""
    found = set(session.scalars(select(GrassrootsAssociation.code).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.code.in_(codes))))
    return found | ({county} & set(codes))


def county_of(county: str) -> Association:
    return Association(county, association_name(), COUNTY, None)


def _of(row: GrassrootsAssociation) -> Association:
    return Association(row.code, row.name, row.level, row.parent_code)
