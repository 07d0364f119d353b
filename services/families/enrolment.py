"""The register as insurance enrolment reads it: a village's (or township's) families and
their members with whole identity numbers. Only the insurance service asks, for staff
enrolling a village in bulk; every other answer of this service masks them."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.families.models import Family
from shared.contracts.families import InsuredFamilyOut
from shared.schemas import shaped

INSURED = InsuredFamilyOut()


def insured_of_village(session: Session, association: str, village_code: str) -> dict:
    # Codes nest (county, township, village): a township's code finds its villages.
    found = session.scalars(
        select(Family).where(Family.association_code == association,
                             Family.village_code.startswith(village_code))
        .options(selectinload(Family.members)).order_by(Family.id))
    return {"items": [_family(f) for f in found]}


def _family(family: Family) -> dict:
    return shaped(INSURED, {
        "family_id": family.id, "family_no": family.family_no, "category": family.category,
        "village_code": family.village_code,
        "members": [{"name": m.name, "id_number": m.id_number, "relation": m.relation,
                     "phone": m.phone} for m in family.members]})
