"""Enrolment: one active policy per person and product, eligible on the start date."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.insurance import domain, products
from services.insurance.models import OUTBOX, Policy
from shared import rows
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import mask_id_number
from shared.outbox import record_event

SELF = "insurance"  # who records that a policy ran out


def enrol(session: Session, association: str, body: dict, actor: dict) -> Policy:
    product = products.for_input(session, association, body["product_code"])
    insured = body["insured"]
    start = body["start_date"]
    problems = domain.eligibility(products.rules(product), _rules_of(body, start, product), start)
    if problems:
        raise InvalidInput("The insured person is not eligible for this product.",
                           "ineligible", _fields_of(problems))
    _expire_lapsed(session, association, product.id, insured["id_number"], start)
    policy = Policy(
        association_code=association, policy_no=f"tmp-{insured['id_number']}", product=product,
        insured_name=insured["name"], insured_id_number=insured["id_number"],
        insured_phone=insured.get("phone"), family_category=body.get("family_category"),
        family_code=body.get("family_code"), family_id=body.get("family_id"), start_date=start,
        end_date=domain.end_date(products.rules(product), start), active_key=1,
        enrolled_by=actor["username"])
    domain.POLICY.start(policy, "active", actor["username"], "enrolled")
    try:
        with session.begin_nested():
            session.add(policy)
            session.flush()
    except IntegrityError:
        raise Conflict("This person already holds an active policy of this product.",
                       "already_insured", {"insured.id_number": ["Already insured."]}) from None
    policy.policy_no = f"PL-{association}-{start.year}-{policy.id:06d}"
    record_event(session, OUTBOX, "insurance.policy_enrolled", {
        "association_code": association, "policy_id": policy.id, "policy_no": policy.policy_no,
        "product_code": product.code, "insured_name": policy.insured_name,
        "insured_id_number_masked": mask_id_number(policy.insured_id_number),
        "start_date": policy.start_date, "end_date": policy.end_date,
        "family_id": policy.family_id})
    return policy


def _rules_of(body: dict, start, product) -> domain.Policy:
    return domain.Policy("active", start, domain.end_date(products.rules(product), start),
                         body["insured"]["id_number"], body.get("family_category"))


def _fields_of(flags: list[domain.Flag]) -> dict:
    field = {"ineligible_age": "insured.id_number", "ineligible_category": "family_category",
             "before_birth": "start_date"}
    return {field[f.code]: [f.message] for f in flags}


def _expire_lapsed(session: Session, association: str, product_id: int, id_number: str,
                   start) -> None:
    """A policy that ended before the new one starts no longer blocks it."""
    for old in session.scalars(select(Policy).where(
            Policy.association_code == association, Policy.product_id == product_id,
            Policy.insured_id_number == id_number, Policy.active_key == 1,
            Policy.end_date < start)):
        domain.POLICY.move(old, "expired", SELF, f"ended {old.end_date}")
        old.active_key = None


def by_number(session: Session, association: str, policy_no: str, lock: bool = False) -> Policy:
    query = select(Policy).where(Policy.association_code == association,
                                 Policy.policy_no == policy_no)
    policy = session.scalars(rows.locked(query, lock)).one_or_none()
    if policy is None:
        raise NotFound(f"No policy {policy_no}.", "policy_not_found",
                       {"policy_no": ["No such policy."]})
    return policy


def listing(session: Session, association: str, query: dict) -> tuple[list[Policy], int]:
    found = select(Policy).where(Policy.association_code == association)
    if query.get("id_number"):
        found = found.where(Policy.insured_id_number == query["id_number"])
    if query.get("family_code"):
        found = found.where(Policy.family_code == query["family_code"])
    if query.get("product_code"):
        product = products.find(session, association, query["product_code"])
        found = found.where(Policy.product_id == (product.id if product else -1))
    return rows.page(session, found, [Policy.id.desc()], query["limit"], query["offset"])


def cancel(session: Session, association: str, policy_no: str, reason: str, actor: dict) -> Policy:
    """Cancelled policies cover nothing from now on; claims already made stay as they are."""
    policy = by_number(session, association, policy_no, lock=True)
    domain.POLICY.move(policy, "cancelled", actor["username"], reason)
    policy.active_key = None
    policy.cancel_reason, policy.cancelled_by = reason, actor["username"]
    return policy
