"""Enrolment: one active policy per person and product, eligible on the start date, under
the product's newest terms, which the policy keeps. A product with a premium makes the
policy wait for it (`pending_payment`) in shares, one per payer; it is active once all are
paid (services/insurance/premiums.py). Enrolling a person and cancelling their policy are
entries in the audit log. The insured hear of their premium shares due and, once, of their
cover ending soon."""
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.insurance import domain, products
from services.insurance.models import AUDIT, OUTBOX, Policy, PremiumShare
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import local_date, now_utc
from shared.contracts.insurance import premium_key
from shared.crypto import blind
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import mask_id_number
from shared.outbox import record_event
from shared.paging import Page
from shared.recipients import recipient

SELF = "insurance"  # who records that a policy ran out
# What an enrolment may hold of the insured person and their family.
ENROLLED = ("name", "id_number", "phone", "family_category", "family_code", "family_id")


def enrol(session: Session, association: str, body: dict, actor: dict) -> Policy:
    product = products.for_input(session, association, body["product_code"])
    version = products.newest(session, product)
    terms = products.rules(product.code, version.terms)
    insured = body["insured"]
    start = body["start_date"]
    problems = ineligible(terms, body)
    if problems:
        raise InvalidInput("The insured person is not eligible for this product.",
                           "ineligible", _fields_of(problems))
    _expire_lapsed(session, association, product.id, insured["id_number"], start)
    # A placeholder until the id is known, naming nobody: it is written to the database too.
    policy = Policy(
        association_code=association, policy_no=f"tmp-{uuid4().hex}", product=product,
        product_version=version, insured_name=insured["name"],
        insured_id_number=insured["id_number"], insured_phone=insured.get("phone"),
        family_category=body.get("family_category"), family_code=body.get("family_code"),
        family_id=body.get("family_id"), village_code=body.get("village_code"), start_date=start,
        end_date=domain.end_date(terms, start), active_key=1, enrolled_by=actor["username"])
    shares = shares_of(association, version.terms, actor["username"])
    policy.shares = shares
    domain.POLICY.start(policy, domain.PENDING_PAYMENT if shares else "active",
                        actor["username"], "enrolled")
    try:
        with session.begin_nested():
            session.add(policy)
            session.flush()
    except IntegrityError:
        raise Conflict("This person already holds an active policy of this product.",
                       "already_insured", {"insured.id_number": ["Already insured."]}) from None
    policy.policy_no = number(policy)
    audit.record(session, AUDIT, actor, Entry("register", "policy", policy.id,
                                              _enrolled(body)))
    if shares:
        _announce_shares_due(session, policy)
    else:
        announce_enrolled(session, policy)
    return policy


def number(policy: Policy) -> str:
    """The year the policy was registered, whatever year its cover starts."""
    return f"PL-{policy.association_code}-{local_date(now_utc()).year}-{policy.id:06d}"


def ineligible(terms: domain.Product, body: dict) -> list[domain.Flag]:
    """Why the person in `body` may not hold the product from its start date, if so."""
    start = body["start_date"]
    holder = domain.Policy("active", start, domain.end_date(terms, start),
                           body["insured"]["id_number"], body.get("family_category"))
    return domain.eligibility(terms, holder, start)


def rules_of(policy: Policy) -> domain.Product:
    """The terms the policy was enrolled under, whatever the product's are now."""
    return products.rules(policy.product.code, policy.product_version.terms)


def announce_enrolled(session: Session, policy: Policy) -> None:
    """`insurance.policy_enrolled` once the policy is in force: at enrolment, or when the
    last share of its premium is paid."""
    record_event(session, OUTBOX, "insurance.policy_enrolled", enrolled(policy))


def enrolled(policy: Policy) -> dict:
    """What `insurance.policy_enrolled` says of the policy."""
    return {
        "association_code": policy.association_code, "policy_id": policy.id,
        "policy_no": policy.policy_no, "product_code": policy.product.code,
        "insured_name": policy.insured_name,
        "insured_id_number_masked": mask_id_number(policy.insured_id_number),
        "start_date": policy.start_date, "end_date": policy.end_date,
        "family_id": policy.family_id}


def payable(terms: dict) -> list[tuple[dict, int]]:
    """Each premium share of a version's terms, and its fen."""
    premium = terms.get("premium_fen") or 0
    given = (terms.get("premium_shares") or []) if premium else []
    amounts = domain.split_premium(premium, [share["share_pct"] for share in given])
    return list(zip(given, amounts, strict=True))


def shares_of(association: str, terms: dict, actor: str) -> list[PremiumShare]:
    shares = []
    for share, amount in payable(terms):
        row = PremiumShare(association_code=association, payer=share["payer"],
                           share_pct=share["share_pct"], amount_fen=amount,
                           fund_code=share.get("fund_code"))
        # A share too small to come to a whole fen has nothing to pay.
        domain.PREMIUM_SHARE.start(row, "due" if amount else "paid", actor,
                                   "share due" if amount else "nothing to pay")
        shares.append(row)
    return shares


def _announce_shares_due(session: Session, policy: Policy) -> None:
    """The premium saga's first step: each share a fund pays is asked of that fund, and the
    insured hear of every share due (the family's own above all)."""
    for data in shares_due(policy):
        record_event(session, OUTBOX, "insurance.premium_due", data)


def shares_due(policy: Policy) -> list[dict]:
    """What `insurance.premium_due` says of each share of the policy still due."""
    return [{"association_code": policy.association_code, "policy_id": policy.id,
             "policy_no": policy.policy_no, "product_code": policy.product.code,
             "payer": share.payer, "fund_code": share.fund_code,
             "amount_fen": share.amount_fen, "insured_name": policy.insured_name,
             "family_id": policy.family_id, "enrolled_by": policy.enrolled_by,
             "share_key": premium_key(policy.association_code, policy.id, share.payer),
             "recipients": insured(policy)}
            for share in policy.shares if share.status == "due"]


def insured(policy: Policy) -> list[dict]:
    """The recipients of what happens to a policy and its claims: the insured person."""
    return [recipient(f"insured:{policy.id}", policy.insured_name,
                      phone=policy.insured_phone)]


def of_policy(policy: Policy) -> dict:
    """What every event about a policy says of it (and who hears of it)."""
    return {"association_code": policy.association_code, "policy_id": policy.id,
            "policy_no": policy.policy_no, "product_code": policy.product.code,
            "family_id": policy.family_id, "recipients": insured(policy)}


def tell_ending(session: Session) -> int:
    """`insurance.policy_ending` for each policy in force whose cover ends within the notice,
    once (the policy keeps when it was told); how many were told now."""
    now = now_utc()
    today = local_date(now)
    due = session.scalars(select(Policy).where(
        Policy.status == "active", Policy.ending_told_at.is_(None),
        Policy.end_date.between(today, domain.ending_by(today))).with_for_update()).all()
    for policy in due:
        policy.ending_told_at = now
        record_event(session, OUTBOX, "insurance.policy_ending",
                     {**of_policy(policy), "end_date": policy.end_date})
    return len(due)


def _enrolled(body: dict) -> tuple[str, ...]:
    """The fields of the insured person an enrolment wrote."""
    given = {**body, **body["insured"]}
    return tuple(name for name in ENROLLED if given.get(name))


def _fields_of(flags: list[domain.Flag]) -> dict:
    field = {"ineligible_age": "insured.id_number", "ineligible_category": "family_category",
             "before_birth": "start_date"}
    return {field[f.code]: [f.message] for f in flags}


def _expire_lapsed(session: Session, association: str, product_id: int, id_number: str,
                   start) -> None:
    """A policy that ended before the new one starts no longer blocks it."""
    for old in session.scalars(select(Policy).where(
            Policy.association_code == association, Policy.product_id == product_id,
            Policy.insured_id_index == blind(id_number, "id_number"), Policy.active_key == 1,
            Policy.end_date < start)):
        close(old)


def close(policy: Policy) -> None:
    """A policy whose end has passed: expired if renewed, lapsed if not, cancelled if its
    premium never came (it never covered)."""
    target = domain.ended(policy.status, policy.renewal is not None)
    end_date = policy.end_date
    reason = f"ended {end_date} unpaid" if target == "cancelled" else \
        f"ended {end_date} unrenewed" if target == "lapsed" else f"ended {end_date}"
    domain.POLICY.move(policy, target, SELF, reason)
    policy.active_key = None


def close_ended(session: Session) -> int:
    """Every policy whose end has passed, closed (the lapse timer); how many."""
    today = local_date(now_utc())
    ended = session.scalars(select(Policy).where(
        Policy.status.in_(domain.RENEWABLE), Policy.end_date < today)
        .options(selectinload(Policy.renewal)).with_for_update()).all()
    for policy in ended:
        close(policy)
    return len(ended)


def by_number(session: Session, association: str, policy_no: str, lock: bool = False) -> Policy:
    query = select(Policy).where(Policy.association_code == association,
                                 Policy.policy_no == policy_no)
    policy = session.scalars(rows.locked(query, lock)).one_or_none()
    if policy is None:
        raise NotFound(f"No policy {policy_no}.", "policy_not_found",
                       {"policy_no": ["No such policy."]})
    return policy


# What a policy's view reads, loaded for a page of policies in a few queries, not a few per row.
SHOWN_WITH_A_POLICY = (selectinload(Policy.product), selectinload(Policy.product_version),
                       selectinload(Policy.shares), selectinload(Policy.renews),
                       selectinload(Policy.history))


def listing(session: Session, association: str, query: dict) -> Page[Policy]:
    found = select(Policy).where(Policy.association_code == association) \
        .options(*SHOWN_WITH_A_POLICY)
    if query.get("id_number"):
        found = found.where(Policy.insured_id_index == blind(query["id_number"], "id_number"))
    if query.get("family_code"):
        found = found.where(Policy.family_code == query["family_code"])
    if query.get("product_code"):
        product = products.find(session, association, query["product_code"])
        found = found.where(Policy.product_id == (product.id if product else -1))
    return rows.page(session, found, [Policy.id.desc()], query)


def cancel(session: Session, association: str, policy_no: str, reason: str, actor: dict) -> Policy:
    """Cancelled policies cover nothing from now on; claims already made stay as they are."""
    policy = by_number(session, association, policy_no, lock=True)
    domain.POLICY.move(policy, "cancelled", actor["username"], reason)
    policy.active_key = None
    policy.cancel_reason = reason
    policy.cancelled_by = actor["username"]
    audit.record(session, AUDIT, actor, Entry("change", "policy", policy.id, ("status",),
                                              reason))
    return policy
