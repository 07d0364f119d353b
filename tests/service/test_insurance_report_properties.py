"""The year's reports, as a property: random enrolments over two years, premium shares paid
by hand or by the fund's saga or left unpaid, policies cancelled, claims registered, approved,
paid or rejected for one of several reasons — straight against the use-case functions on a
migrated SQLite database (one plan of each kind on PostgreSQL too). The premiums, claims and
loss-ratio reports of every year touched must equal sums the test keeps itself of what each
step did (and its own day count of the cover each year earns). One database per run; each
example in a transaction rolled back."""
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.insurance import appeals, claims, payouts, policies, premiums, products, reports
from shared.actors import load
from shared.clock import local_today
from shared.contracts.events import CATALOGUE
from shared.contracts.insurance import PolicyIn, premium_key
from shared.db import EVENT_CATALOGUE, make_engine
from shared.errors import DomainError
from shared.identity import make_resident_id

ASSOCIATION = "341181"
# As the service loads them.
STAFF1, STAFF2, STAFF3 = ({"username": f"staff{n}", "role": "staff",
                           "association_code": ASSOCIATION} for n in (1, 2, 3))
BASE = {"name": "险种", "payout_fund_code": "PAYOUT", "per_claim_cap_fen": 10**9,
        "per_year_cap_fen": 10**9, "waiting_days": 0, "min_age": None, "max_age": None,
        "categories": [], "care_visit": False, "care_visit_skills": [],
        "required_documents": []}
PRODUCTS = [
    {**BASE, "code": "SHARED", "term_days": 365, "premium_fen": 10_001, "premium_shares": [
        {"payer": "government", "share_pct": 60, "fund_code": "PREMIUMS"},
        {"payer": "family", "share_pct": 40}]},
    {**BASE, "code": "FAMILY", "term_days": 180, "premium_fen": 3_333, "premium_shares": [
        {"payer": "family", "share_pct": 100}]}]
FIRST_START = date(2024, 3, 1)
REASONS = ("not covered", "no invoice", "duplicate")
TODAY = local_today()

claim_steps = st.lists(st.tuples(
    st.floats(0, 1), st.integers(1, 50_000),
    st.sampled_from(["leave", "approve", "pay", "reject", "reject_reject"]),
    st.sampled_from(REASONS)), max_size=3)
enrolments = st.lists(st.fixed_dictionaries({
    "product": st.integers(0, 1), "start_day": st.integers(0, 600),
    "paid": st.lists(st.booleans(), min_size=2, max_size=2), "cancel": st.booleans(),
    "claims": claim_steps}), max_size=8)


@dataclass
class Expected:
    premiums: Counter = field(default_factory=Counter)  # (year, product, payer, due|paid)
    earned: dict = field(default_factory=lambda: defaultdict(Fraction))  # (year, product)
    paid_claims: Counter = field(default_factory=Counter)  # (year, product)
    claims: Counter = field(default_factory=Counter)  # (year, product, status, reason, what)


@pytest.fixture
def engine(sqlite_url):
    made = make_engine(sqlite_url("insurance"))
    yield made
    made.dispose()


# Every kind of step once: paid, unpaid, cancelled, across a year's end, each claim's end.
EVERY_KIND = [
    {"product": 0, "start_day": 200, "paid": [True, True], "cancel": False, "claims": [
        (0.5, 4_000, "pay", REASONS[0]), (0.2, 700, "reject_reject", REASONS[1]),
        (0.9, 300, "reject", REASONS[2]), (0.4, 900, "leave", REASONS[0])]},
    {"product": 0, "start_day": 20, "paid": [True, False], "cancel": True, "claims": [
        (0.1, 100, "approve", REASONS[0])]},
    {"product": 1, "start_day": 500, "paid": [True, True], "cancel": False, "claims": [
        (0.7, 1_000, "pay", REASONS[0])]}]


def covered_days_by_year(start: date, end: date) -> Counter:
    """Days of cover in each year, counted one by one (not as the service counts them)."""
    return Counter((start + timedelta(days=n)).year for n in range((end - start).days + 1))


@pytest.mark.timeout(300)  # passing: ~10 s
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(enrolments)
def test_the_reports_equal_what_the_steps_did(engine, plan):
    reports_equal_the_steps(engine, plan)


def test_the_reports_equal_the_steps_of_every_kind(database_url):
    engine = make_engine(database_url("insurance"))
    try:
        reports_equal_the_steps(engine, EVERY_KIND)
    finally:
        engine.dispose()


def reports_equal_the_steps(engine, plan: list[dict]) -> None:
    connection = engine.connect()
    outer = connection.begin()

    def run(work):
        try:
            with Session(connection, join_transaction_mode="create_savepoint",
                         info={EVENT_CATALOGUE: CATALOGUE, "correlation_id": "prop"}) as s, \
                    s.begin():
                return work(s)
        except DomainError as error:
            return error
    try:
        for product in PRODUCTS:
            run(lambda s, product=product: products.ensure(s, ASSOCIATION, product, STAFF1))
        expected = Expected()
        for n, enrolment in enumerate(plan, start=1):
            _enrol_and_claim(run, expected, n, enrolment)
        for year in (2024, 2025, 2026):
            _check_year(run, expected, year)
    finally:
        outer.rollback()
        connection.close()


def _enrol_and_claim(run, expected: Expected, n: int, enrolment: dict) -> None:
    product = PRODUCTS[enrolment["product"]]
    start = FIRST_START + timedelta(days=enrolment["start_day"])
    body = load(PolicyIn(), {"product_code": product["code"], "start_date": start.isoformat(),
                             "insured": {"name": f"参保人{n}", "id_number": make_resident_id(
                                 "341181", date(1990, 1, 1), n)}})
    policy = run(lambda s: _facts(policies.enrol(s, ASSOCIATION, body, STAFF1)))
    shares_paid = {}
    for (payer, amount, fund), pay in zip(policy["shares"], enrolment["paid"], strict=False):
        if pay:
            run(lambda s, payer=payer, amount=amount, fund=fund: _pay(s, policy, payer, amount,
                                                                    fund))
        shares_paid[payer] = (amount, pay)
    if enrolment["cancel"]:
        run(lambda s: policies.cancel(s, ASSOCIATION, policy["policy_no"], "moved", STAFF1))
    year = start.year
    for payer, (amount, paid) in shares_paid.items():
        expected.premiums[year, product["code"], payer, "paid"] += amount if paid else 0
        owed = paid or not enrolment["cancel"]
        expected.premiums[year, product["code"], payer, "due"] += amount if owed else 0
    paid_fen = sum(amount for amount, paid in shares_paid.values() if paid)
    days = covered_days_by_year(start, policy["end"])
    for covered_year, count in days.items():
        expected.earned[covered_year, product["code"]] += Fraction(paid_fen * count,
                                                                   sum(days.values()))
    last_day = min(policy["end"], TODAY - timedelta(days=1))
    for where, amount, step, reason in enrolment["claims"]:
        incident = start + timedelta(days=int(where * (last_day - start).days))
        _claim(run, expected, policy, product["code"], incident, amount, step, reason)


def _facts(policy) -> dict:
    return {"id": policy.id, "policy_no": policy.policy_no, "end": policy.end_date,
            "shares": [(s.payer, s.amount_fen, s.fund_code) for s in policy.shares]}


def _pay(session, policy: dict, payer: str, amount: int, fund: str | None) -> None:
    if fund is None:
        premiums.record_payment(session, ASSOCIATION, policy["id"],
                                {"payer": payer, "amount_fen": amount}, STAFF1)
        return
    premiums.on_paid(session, {"data": {
        "association_code": ASSOCIATION, "disbursement_id": policy["id"],
        "source_key": premium_key(ASSOCIATION, policy["id"], payer)}})


def _claim(run, expected: Expected, policy: dict, product: str, incident: date, amount: int,
           step: str, reason: str) -> None:
    body = {"policy_no": policy["policy_no"], "amount_claimed_fen": amount,
            "description": "骨折", "incident_date": incident}
    claim_id = run(lambda s: claims.submit(s, ASSOCIATION, body, STAFF1).id)
    if isinstance(claim_id, DomainError):
        return
    if step in ("approve", "pay"):
        run(lambda s: claims.approve(s, ASSOCIATION, claim_id, amount, STAFF2))
    if step == "pay":
        run(lambda s: payouts.on_paid(s, {"data": {
            "association_code": ASSOCIATION, "disbursement_id": claim_id, "amount_fen": amount,
            "source_key": f"claim:{ASSOCIATION}:{claim_id}"}}))
    if step.startswith("reject"):
        run(lambda s: claims.reject(s, ASSOCIATION, claim_id, "first look", STAFF2))
    if step == "reject_reject":  # appealed, and upheld for another reason: the last one counts
        run(lambda s: _appeal_and_uphold(s, claim_id, reason))
        reason = f"appeal upheld: {reason}"
    elif step == "reject":
        reason = "first look"
    status, approved = run(lambda s: _state(s, claim_id))
    year = incident.year
    why = reason if status == "rejected" else None
    expected.claims[year, product, status, why, "claims"] += 1
    expected.claims[year, product, status, why, "claimed"] += amount
    expected.claims[year, product, status, why, "approved"] += approved or 0
    if status == "paid":
        expected.paid_claims[year, product] += approved


def _appeal_and_uphold(session, claim_id: int, reason: str) -> None:
    appeals.appeal(session, ASSOCIATION, claim_id, "please look again", STAFF1)
    appeals.decide(session, ASSOCIATION, claim_id, {"decision": "upheld", "reason": reason},
                   STAFF3)


def _state(session, claim_id: int) -> tuple[str, int | None]:
    claim = claims.get(session, ASSOCIATION, claim_id)
    return claim.status, claim.amount_approved_fen


def _check_year(run, expected: Expected, year: int) -> None:
    found = run(lambda s: {kind: reports.report(s, ASSOCIATION, kind, year)["items"]
                           for kind in reports.REPORTS})
    premiums_found = Counter()
    for row in found["premiums"]:
        for what in ("due", "paid"):
            premiums_found[year, row["product_code"], row["payer"], what] += row[f"{what}_fen"]
    assert +premiums_found == +Counter({key: value for key, value in expected.premiums.items()
                                        if key[0] == year})
    claims_found = Counter()
    for row in found["claims"]:
        key = (year, row["product_code"], row["status"], row["rejection_reason"])
        claims_found[*key, "claims"] += row["claims"]
        claims_found[*key, "claimed"] += row["claimed_fen"]
        claims_found[*key, "approved"] += row["approved_fen"]
    assert +claims_found == +Counter({key: value for key, value in expected.claims.items()
                                      if key[0] == year})
    ratios = {row["product_code"]: row for row in found["loss-ratio"]}
    for product in (p["code"] for p in PRODUCTS):
        earned = math.floor(expected.earned[year, product] + Fraction(1, 2))  # half up
        paid = expected.paid_claims[year, product]
        row = ratios.get(product, {"earned_premium_fen": 0, "paid_claims_fen": 0,
                                   "ratio": None})
        assert row["earned_premium_fen"] == earned, (year, product)
        assert row["paid_claims_fen"] == paid, (year, product)
        assert row["ratio"] == (round(paid / earned, 4) if earned else None), (year, product)
