"""Donors are found again by identity number, credit code or phone, never duplicated."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund.models import Donor
from shared.errors import NotFound


def find_or_create(session: Session, association: str, details: dict) -> Donor:
    donor = _match(session, association, details)
    if donor is None:
        try:
            with session.begin_nested():
                donor = Donor(association_code=association, kind=details["kind"],
                              name=details["name"], id_number=details.get("id_number"),
                              credit_code=details.get("credit_code"), phone=details.get("phone"))
                session.add(donor)
        except IntegrityError:  # the same donor was created concurrently
            donor = _match(session, association, details)
    _fill_missing(donor, details)
    return donor


def get(session: Session, association: str, donor_id: int) -> Donor:
    donor = session.get(Donor, donor_id)
    if donor is None or donor.association_code != association:
        raise NotFound(f"No donor {donor_id}.", "donor_not_found")
    return donor


def _match(session: Session, association: str, details: dict) -> Donor | None:
    mine = select(Donor).where(Donor.association_code == association)
    for column in ("id_number", "credit_code"):
        if details.get(column):
            found = session.scalars(mine.where(getattr(Donor, column) == details[column])).first()
            if found:
                return found
    if details.get("phone"):
        for found in session.scalars(mine.where(Donor.phone == details["phone"])
                                     .order_by(Donor.id)):
            if not _conflicts(found, details):
                return found
    return None


def _conflicts(donor: Donor, details: dict) -> bool:
    """A shared phone is not the same donor when a stronger identifier differs."""
    return any(details.get(c) and getattr(donor, c) and getattr(donor, c) != details[c]
               for c in ("id_number", "credit_code")) or donor.kind != details["kind"]


def _fill_missing(donor: Donor, details: dict) -> None:
    for column in ("id_number", "credit_code", "phone"):
        if details.get(column) and not getattr(donor, column):
            setattr(donor, column, details[column])
