"""One county's staff never see another's records: a lookup by id or number answers 404, as
for a record that does not exist, and lists leave them out (SQLite and PostgreSQL in turn)."""
import pytest

from shared.actors import sign
from shared.errors import NotFound
from tests.family_data import family
from tests.insurance_data import ACCIDENT, claim, enrolment

A, B = "341181", "341182"
GIVER = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}


def actor(county: str, role: str = "staff") -> dict:
    return sign({"username": f"{role}-{county}", "role": role, "association_code": county})


def test_county_b_sees_none_of_county_a_s_money_or_insurance(saga):
    saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True},
                          actor(A, "admin"))
    gift = {"fund_code": "PAYOUT", "amount_fen": 50_000, "channel": "bank", "donor": GIVER}
    donation = saga.fund.record_donation(gift, None, actor(A))
    pledge = saga.fund.create_pledge({**gift, "amount_fen": 1_000}, None, actor(A))
    saga.insurance.ensure_product(ACCIDENT, actor(A, "admin"))
    policy = saga.insurance.enrol(enrolment(1), actor(A))
    claimed = saga.insurance.submit_claim(claim(policy["policy_no"]), actor(A))
    b = actor(B)
    for lookup in (lambda: saga.fund.get_donation(donation["id"], b),
                   lambda: saga.fund.get_pledge(pledge["id"], b),
                   lambda: saga.fund.get_fund("PAYOUT", b),
                   lambda: saga.insurance.get_policy(policy["policy_no"], b),
                   lambda: saga.insurance.get_claim(claimed["id"], b)):
        with pytest.raises(NotFound):
            lookup()
    assert saga.fund.list_donations({}, b)["items"] == []
    assert saga.fund.list_pledges({}, b)["items"] == []
    assert saga.insurance.list_policies({}, b)["items"] == []
    assert saga.insurance.list_claims({}, b)["items"] == []


def test_county_b_sees_none_of_county_a_s_families(families):
    made = families.rpc.register_family(family(1), actor(A))
    with pytest.raises(NotFound):
        families.rpc.get_family(made["id"], actor(B))
    assert families.rpc.list_families({}, actor(B))["items"] == []
