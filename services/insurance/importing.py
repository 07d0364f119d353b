"""Policies brought in from a spreadsheet of the enrolments an association already holds: a
row each, enrolled by the same use case as a policy typed by hand, so its rules (eligibility,
one active policy per person and product) hold and its events are the same
(insurance.policy_enrolled, or insurance.premium_due for each share a fund pays).

A row is the policy already there when the association has one of the same product, for
the same identity number, from the same start date, whatever became of it since (expired
or cancelled included): it is reported unchanged and nothing is written. Its other cells
are not compared: a policy is never revised, by hand or by a file; what was enrolled is
what it covers, and a cancelled policy is not brought back by loading the file again."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.insurance import policies, products
from services.insurance.models import Policy
from shared.crypto import blind
from shared.imports import Unit

INSURED = ("name", "id_number", "phone")


def write(session: Session, association: str, unit: Unit, actor: dict) -> str:
    row = unit.first
    product = products.for_input(session, association, row["product_code"])
    if _enrolled(session, association, product.id, row["id_number"], row["start_date"]):
        return "unchanged"
    policies.enrol(session, association, _enrolment(row), actor)
    return "created"


def _enrolled(session: Session, association: str, product_id: int, id_number: str,
              start) -> bool:
    return session.scalars(
        select(Policy.id).where(Policy.association_code == association,
                                Policy.product_id == product_id,
                                Policy.insured_id_index == blind(id_number, "id_number"),
                                Policy.start_date == start).limit(1)).first() is not None


def _enrolment(row: dict) -> dict:
    """The row as PolicyIn has it: the insured person's fields nested."""
    return {"product_code": row["product_code"], "start_date": row["start_date"],
            "insured": {name: row.get(name) for name in INSURED},
            "family_category": row.get("family_category"),
            "family_code": row.get("family_code")}
