"""Associations: the province's, cities' and counties' (regional_associations, each set up
by an admin above it) and the townships' and villages' under a county (grassroots). A
caller reads their own association and every one under it (shared.regions)."""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import GrassrootsAssociation, RegionalAssociation
from shared import regions
from shared.errors import Conflict, InvalidInput, NotFound
from shared.paging import Page
from shared.settings import association_code, association_name

VALID_CODE = re.compile(r"[0-9]{6}|[0-9]{9}|[0-9]{12}")


@dataclass(frozen=True)
class Association:
    """An association: a province's, city's or county's, or a grassroots one."""
    code: str
    name: str
    level: str
    parent_code: str | None


def create(session: Session, association: str, body: dict, actor: dict) -> Association:
    """A city's or county's association set up by an admin above it, or a township's or
    village's by its county's admin."""
    if regions.is_region(body["code"]):
        return _create_region(session, association, body, actor)
    if regions.above_counties(association):
        raise InvalidInput("A township's or village's association is set up by its "
                           "county's admin.", "invalid_input",
                           {"code": ["Must be a city's or county's code (6 digits) under "
                                     f"{association}."]})
    code = body["code"]
    parent = body["parent_code"]
    domain.check_placement(code, parent, association,
                           known_codes(session, association, [parent]))
    row = GrassrootsAssociation(association_code=association, code=code, name=body["name"],
                                level=domain.level_of(code), parent_code=parent,
                                created_by=actor["username"])
    _add(session, row, code)
    return _of(row)


def _create_region(session: Session, association: str, body: dict,
                   actor: dict) -> Association:
    code, parent = body["code"], body["parent_code"]
    above = regions.parent_of(code)
    domain.check_region_placement(code, parent, association,
                                  above == association or _region_row(session, above)
                                  is not None)
    row = RegionalAssociation(association_code=code, code=code, name=body["name"],
                              level=regions.level_of(code), parent_code=parent,
                              created_by=actor["username"])
    _add(session, row, code)
    return _of(row)


def _add(session: Session, row, code: str) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"Association {code} exists already.", "association_exists",
                       {"code": ["An association has this code already."]}) from None


def listing(session: Session, association: str) -> Page[Association]:
    """The caller's association first, then every one under it by code (a tree read in
    order): a county's townships and villages, a province's or city's cities and counties."""
    if regions.above_counties(association):
        rows = session.scalars(select(RegionalAssociation).where(
            RegionalAssociation.code.startswith(regions.prefix(association)),
            RegionalAssociation.code != association)
            .order_by(RegionalAssociation.code)).all()
    else:
        rows = session.scalars(select(GrassrootsAssociation).where(
            GrassrootsAssociation.association_code == association)
            .order_by(GrassrootsAssociation.code)).all()
    items = [region_of(session, association)] + [_of(r) for r in rows]
    return Page(items, len(items))


def find(session: Session, association: str, code: str) -> Association:
    """The association `code`, if it is the caller's or under it; 404 otherwise, as for one
    that does not exist."""
    if not isinstance(code, str) or not VALID_CODE.fullmatch(code) \
            or not regions.under(code, association):
        raise NotFound(f"No association {str(code)[:20]!r}.", "association_not_found")
    if code == association:
        return region_of(session, association)
    if regions.is_region(code):
        row = _region_row(session, code)
    else:
        row = session.scalars(select(GrassrootsAssociation).where(
            GrassrootsAssociation.association_code == code[:6],
            GrassrootsAssociation.code == code)).one_or_none()
    if row is None:
        raise NotFound(f"No association {code}.", "association_not_found")
    return _of(row)


def children(session: Session, association: str, code: str) -> list[Association]:
    """What is ranked under `code`: a province's or city's counties, a county's townships,
    a township's villages."""
    if regions.above_counties(code):
        rows = session.scalars(select(RegionalAssociation).where(
            RegionalAssociation.level == regions.COUNTY,
            RegionalAssociation.code.startswith(regions.prefix(code)))
            .order_by(RegionalAssociation.code))
        return [_of(r) for r in rows]
    rows = session.scalars(select(GrassrootsAssociation).where(
        GrassrootsAssociation.association_code == code[:6],
        GrassrootsAssociation.parent_code == code).order_by(GrassrootsAssociation.code))
    return [_of(r) for r in rows]


def known_codes(session: Session, county: str, codes: list[str]) -> set[str]:
    """Which of `codes` are associations there are (the county's among them)."""
    found = set(session.scalars(select(GrassrootsAssociation.code).where(
        GrassrootsAssociation.association_code == county,
        GrassrootsAssociation.code.in_(codes))))
    return found | ({county} & set(codes))


def region_of(session: Session, code: str) -> Association:
    """A province's, city's or county's association, from its record; an association with
    none yet (a county in a test, say) is answered for by its code, this install's by the
    name in its settings."""
    row = _region_row(session, code)
    if row is not None:
        return _of(row)
    name = association_name() if code == association_code() else code
    return Association(code, name, regions.level_of(code), regions.parent_of(code))


def _region_row(session: Session, code: str) -> RegionalAssociation | None:
    return session.scalars(select(RegionalAssociation).where(
        RegionalAssociation.association_code == code,
        RegionalAssociation.code == code)).one_or_none()


def _of(row: GrassrootsAssociation | RegionalAssociation) -> Association:
    return Association(row.code, row.name, row.level, row.parent_code)
