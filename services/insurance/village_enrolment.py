"""Bulk enrolment of a village's families, from the families register: every member who fits
the product (its ages and categories on the start date) and holds no policy of it yet. Each
person is enrolled in a savepoint of their own, so one refusal keeps the others; the same
call again finds everyone insured and enrols nobody twice."""
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services.insurance import policies, products
from shared.contracts.insurance import CATEGORY_OF_FAMILY
from shared.errors import DomainError


@dataclass(frozen=True)
class Skipped:
    """A member not enrolled, and why (a code and its message)."""
    name: str
    reason: str
    message: str


@dataclass(frozen=True)
class VillageEnrolment:
    policy_nos: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def enrol_village(session: Session, association: str, body: dict, families: list[dict],
                  actor: dict) -> VillageEnrolment:
    """`families`: the register's families of the village, members' id numbers whole."""
    product = products.for_input(session, association, body["product_code"])
    terms = products.rules(product.code, products.newest(session, product).terms)
    enrolled = VillageEnrolment()
    for family in families:
        for member in family["members"]:
            person = _enrolment(product.code, body["start_date"], family, member)
            problems = policies.ineligible(terms, person)
            if problems:
                enrolled.skipped.append(Skipped(member["name"], problems[0].code,
                                                " ".join(p.message for p in problems)))
                continue
            try:
                with session.begin_nested():
                    policy = policies.enrol(session, association, person, actor)
                enrolled.policy_nos.append(policy.policy_no)
            except DomainError as refused:
                enrolled.skipped.append(Skipped(member["name"], refused.code, refused.message))
    return enrolled


def _enrolment(product_code: str, start, family: dict, member: dict) -> dict:
    return {"product_code": product_code, "start_date": start,
            "insured": {"name": member["name"], "id_number": member["id_number"],
                        "phone": member.get("phone")},
            "family_category": CATEGORY_OF_FAMILY.get(family["category"]),
            "family_code": family["family_no"], "family_id": family["family_id"],
            "village_code": family["village_code"]}

