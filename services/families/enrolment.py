"""The register as insurance enrolment reads it: a village's (or township's) families and
their members with whole identity numbers. Only the insurance service asks, for staff
enrolling a village in bulk; every other answer of this service masks them."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.families.models import Family


def insured_of_village(session: Session, association: str, village_code: str) -> list[Family]:
    # Codes nest (county, township, village): a township's code finds its villages.
    return list(session.scalars(
        select(Family).where(Family.association_code == association,
                             Family.village_code.startswith(village_code))
        .options(selectinload(Family.members)).order_by(Family.id)))
