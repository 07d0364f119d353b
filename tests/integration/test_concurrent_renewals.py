"""A village renewed by four requests at once on PostgreSQL: each policy once."""
from collections import Counter
from datetime import timedelta

from tests.insurance_data import ACCIDENT, TODAY, enrolment
from tests.support import ADMIN, STAFF1, STAFF2

POLICIES = 30
VILLAGE = "341181100201"


def test_four_renewals_of_a_village_at_once_renew_each_policy_once(saga_on_postgres):
    saga = saga_on_postgres
    saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True}, ADMIN)
    saga.insurance.ensure_product(ACCIDENT, ADMIN)
    start = TODAY - timedelta(days=350)
    numbers = [saga.insurance.enrol(enrolment(n, start=start, village_code=VILLAGE),
                                    STAFF1)["policy_no"] for n in range(1, POLICIES + 1)]
    bodies = [{"village_code": VILLAGE, "product_code": "ACCIDENT"},
              {"policy_nos": numbers[::2]}, {"policy_nos": numbers[::-1]},
              {"village_code": VILLAGE, "product_code": "ACCIDENT"}]
    calls = [saga.insurance.renew.call_async(body, actor)
             for body, actor in zip(bodies, (STAFF1, STAFF2, STAFF1, STAFF2), strict=True)]
    results = [r for call in calls for r in call.result()["results"]]
    renewed = Counter(r["policy_no"] for r in results if r["outcome"] == "renewed")
    assert renewed == Counter(numbers)  # each exactly once
    assert {r["outcome"] for r in results} <= {"renewed", "already_renewed"}
    renewals = {r["renewal_policy_no"] for r in results}
    assert len(renewals) == POLICIES
    assert saga.insurance.list_policies({"limit": 500}, STAFF1)["total"] == 2 * POLICIES
