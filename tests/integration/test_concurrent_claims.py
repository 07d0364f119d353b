"""200 claims approved at once against a payout fund that covers 120 of them."""
from collections import Counter

from tests.insurance_data import ACCIDENT, claim, enrolment
from tests.support import ADMIN, STAFF1, STAFF2, wait_until

CLAIMS = 200
COVERED = 120
AMOUNT = 1_000
SPARE = 500


def test_two_hundred_approvals_pay_a_hundred_and_twenty_and_the_rest_wait(saga_on_postgres):
    saga = saga_on_postgres
    saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True}, ADMIN)
    saga.fund.record_donation({"fund_code": "PAYOUT", "amount_fen": COVERED * AMOUNT + SPARE,
                               "channel": "bank", "donor": {"kind": "person", "name": "x"}},
                              None, STAFF1)
    saga.insurance.ensure_product(ACCIDENT, ADMIN)
    ids = [saga.insurance.submit_claim(claim(saga.insurance.enrol(enrolment(n), STAFF1)
                                             ["policy_no"], AMOUNT), STAFF1)["id"]
           for n in range(1, CLAIMS + 1)]

    calls = [saga.insurance.approve_claim.call_async(i, {"amount_approved_fen": AMOUNT}, STAFF2)
             for i in ids]
    assert {call.result()["status"] for call in calls} == {"approved"}

    def settled():
        statuses = Counter(c["status"] for c in saga.insurance.list_claims(
            {"limit": 500}, STAFF1)["items"])
        return statuses if statuses["approved"] == 0 else None

    statuses = wait_until(settled, timeout=120, interval=0.5)
    assert statuses == {"paid": COVERED, "approved_awaiting_funds": CLAIMS - COVERED}
    assert saga.fund.get_fund("PAYOUT", STAFF1)["balance_fen"] == SPARE
    payouts = saga.fund.list_disbursements({"limit": 500}, STAFF1)["items"]
    assert len(payouts) == CLAIMS
    assert len({p["reference"] for p in payouts}) == CLAIMS  # one payout per claim
    assert Counter(p["status"] for p in payouts) == {"paid": COVERED,
                                                     "awaiting_funds": CLAIMS - COVERED}
