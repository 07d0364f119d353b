"""Renewal: next year's policy of a person, on the product's newest terms, from the day after
the old one ends, naming the policy it renews (once: the database holds it to one renewal).
Its premium shares are due as at an enrolment, and the premium saga asks the funds for
theirs. A village's thousands are written with one statement per table; a person insured
meanwhile by hand makes that fail, and they are then renewed one at a time."""
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.insurance import domain, policies, products
from services.insurance.models import AUDIT, OUTBOX, Policy, ProductVersion
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import local_date, now_utc
from shared.errors import Conflict
from shared.outbox import record_events
from shared.paging import Page

WINDOW_DAYS = 60  # the renewal list's default: policies ending within this many days
RENEWED = ("name", "id_number", "family_category", "family_code", "family_id")


@dataclass(frozen=True)
class Outcome:
    """What became of one policy asked to be renewed."""
    policy_no: str
    outcome: str  # shared.contracts.insurance.RENEWAL_OUTCOMES
    message: str
    renewal_policy_no: str | None = None


def due(session: Session, association: str, query: dict) -> tuple[Page[Policy], ProductVersion]:
    """The policies of a product (and village) ending before the day, renewed or not, and
    the product's newest version that a renewal takes."""
    product = products.for_input(session, association, query["product_code"])
    found = _ending(association, product.id, query).options(
        selectinload(Policy.renewal).selectinload(Policy.shares))
    return rows.page(session, found, [Policy.id], query), _newest(session, product)


def renew(session: Session, association: str, body: dict, actor: dict) -> list[Outcome]:
    """Every policy asked for, each with its outcome; those that can be, renewed."""
    asked, found = _asked(session, association, body)
    outcomes = {}
    ready = []
    newest = {}  # product id -> its newest version
    for policy_no in asked:
        policy = found.get(policy_no)
        refused = _refusal(policy_no, policy)
        if refused is None:
            product = policy.product
            if product.id not in newest:
                newest[product.id] = _newest(session, product, body.get("product_version"))
            version = newest[product.id]
            refused = _ineligible(policy, version)
        if refused is not None:
            outcomes[policy_no] = refused
        else:
            ready.append((policy, version))
    for policy_no, outcome in _written(session, ready, actor["username"], actor).items():
        outcomes[policy_no] = outcome
    return [outcomes[policy_no] for policy_no in asked]


def _asked(session: Session, association: str, body: dict) -> tuple[list[str], dict]:
    """The policy numbers asked for, in order, and the policies found of them (locked)."""
    if body.get("policy_nos") is not None:
        asked = list(dict.fromkeys(body["policy_nos"]))
        query = select(Policy).where(Policy.association_code == association,
                                     Policy.policy_no.in_(asked)).order_by(Policy.id)
    else:
        product = products.for_input(session, association, body["product_code"])
        query = _ending(association, product.id, body).order_by(Policy.id)
        asked = None
    # Locked in the order of their ids, whoever asks: two requests never wait on each other.
    found = session.scalars(query.options(selectinload(Policy.renewal),
                                          selectinload(Policy.product))
                            .with_for_update()).all()
    by_number = {policy.policy_no: policy for policy in found}
    return (asked if asked is not None else list(by_number)), by_number


def _ending(association: str, product_id: int, query: dict) -> Select:
    ends_before = query.get("ends_before") or \
        local_date(now_utc()) + timedelta(days=WINDOW_DAYS)
    found = select(Policy).where(Policy.association_code == association,
                                 Policy.product_id == product_id,
                                 Policy.status.in_(domain.RENEWABLE),
                                 Policy.end_date < ends_before)
    if query.get("village_code"):
        found = found.where(Policy.village_code.startswith(query["village_code"]))
    return found


def _newest(session: Session, product, wanted: int | None = None) -> ProductVersion:
    """The version a renewal takes; a version asked for that is not the newest any more, or
    a product without its version's terms, is refused."""
    version = session.scalars(select(ProductVersion).where(
        ProductVersion.product_id == product.id,
        ProductVersion.version == product.version)).one_or_none()
    if version is None or (wanted is not None and wanted != version.version):
        raise Conflict(f"The terms of product {product.code} changed; renew on its newest.",
                       "product_version_changed",
                       {"product_version": ["Not the product's newest version."]})
    return version


def _refusal(policy_no: str, policy: Policy | None) -> Outcome | None:
    if policy is None:
        return Outcome(policy_no, "policy_not_found", f"No policy {policy_no}.")
    if policy.renewal is not None:
        return Outcome(policy_no, "already_renewed",
                       f"Renewed already by {policy.renewal.policy_no}.",
                       policy.renewal.policy_no)
    if policy.status not in domain.RENEWABLE:
        return Outcome(policy_no, "not_renewable",
                       f"The policy is {policy.status}; enrol the person anew.")
    return None


def _ineligible(policy: Policy, version: ProductVersion) -> Outcome | None:
    start = domain.renewal_start(policy.end_date)
    problems = policies.ineligible(products.rules(policy.product.code, version.terms), {
        "start_date": start, "insured": {"id_number": policy.insured_id_number},
        "family_category": policy.family_category})
    if not problems:
        return None
    return Outcome(policy.policy_no, "ineligible", " ".join(p.message for p in problems))


def _written(session: Session, ready: list[tuple[Policy, ProductVersion]], by: str,
             actor: dict) -> dict[str, Outcome]:
    """All at once; if someone among them was insured meanwhile, one at a time."""
    try:
        with session.begin_nested():
            return _write(session, ready, by, actor)
    except IntegrityError:
        outcomes = {}
        for pair in ready:
            try:
                with session.begin_nested():
                    outcomes.update(_write(session, [pair], by, actor))
            except IntegrityError:
                outcomes[pair[0].policy_no] = Outcome(
                    pair[0].policy_no, "already_insured",
                    "The person already holds another policy of this product.")
        return outcomes


def _write(session: Session, ready: list[tuple[Policy, ProductVersion]], by: str,
           actor: dict) -> dict[str, Outcome]:
    if not ready:
        return {}
    # The old policies hand the one-active-policy key to their renewals first.
    session.execute(update(Policy).where(Policy.id.in_([old.id for old, _ in ready]))
                    .values(active_key=None).execution_options(synchronize_session=False))
    made = [_next_year(old, version, by) for old, version in ready]
    session.add_all(made)
    session.flush()
    for policy in made:
        policy.policy_no = policies.number(policy)
    session.flush()
    audit.record(session, AUDIT, actor, *(
        Entry("register", "policy", new.id, RENEWED, f"renews {old.policy_no}")
        for (old, _), new in zip(ready, made, strict=True)))
    record_events(session, OUTBOX, "insurance.premium_due",
                  [data for policy in made for data in policies.shares_due(policy)])
    record_events(session, OUTBOX, "insurance.policy_enrolled",
                  [policies.enrolled(policy) for policy in made if policy.status == "active"])
    return {old.policy_no: Outcome(old.policy_no, "renewed", f"Renewed by {new.policy_no}.",
                                   new.policy_no)
            for (old, _), new in zip(ready, made, strict=True)}


def _next_year(old: Policy, version: ProductVersion, by: str) -> Policy:
    start: date = domain.renewal_start(old.end_date)
    terms = products.rules(old.product.code, version.terms)
    policy = Policy(
        association_code=old.association_code, policy_no=f"tmp-{uuid4().hex}",
        product=old.product, product_version=version, insured_name=old.insured_name,
        insured_id_number=old.insured_id_number, insured_phone=old.insured_phone,
        family_category=old.family_category, family_code=old.family_code,
        family_id=old.family_id, village_code=old.village_code, start_date=start,
        end_date=domain.end_date(terms, start), renews=old, active_key=1, enrolled_by=by)
    policy.shares = policies.shares_of(old.association_code, version.terms, by)
    domain.POLICY.start(policy, domain.PENDING_PAYMENT if policy.shares else "active", by,
                        f"renews {old.policy_no}")
    return policy
