"""The register as insurance enrolment reads it: a village's (or township's) families and
their members with whole identity numbers and phones. Only the insurance service asks, for
staff enrolling a village in bulk; every other answer of this service masks them. Each
family so handed out is an entry in the audit log, in the name of the staff member."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.families.models import AUDIT, Family
from shared import audit
from shared.audit_chain import Entry

REVEALED = ("id_number", "phone")


def insured_of_village(session: Session, association: str, village_code: str,
                       actor: dict) -> list[Family]:
    # Codes nest (county, township, village): a township's code finds its villages.
    families = list(session.scalars(
        select(Family).where(Family.association_code == association,
                             Family.village_code.startswith(village_code))
        .options(selectinload(Family.members)).order_by(Family.id)))
    audit.record(session, AUDIT, actor, *(
        Entry("reveal", "family", family.id, REVEALED,
              f"Enrolling village {village_code} in insurance") for family in families))
    return families
