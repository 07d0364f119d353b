"""The payout saga survives a crash: the fund service is SIGKILLed after claims are approved
and before they are paid (and again in the middle of paying), restarted, and every claim is
paid exactly once."""
import time

from deploy.processes import SERVICES
from tests.e2e.test_insurance_over_http import balance, enrol_and_claim, new_product
from tests.support import wait_until

RUNS_ALONE = True  # tests/parallel.py: it kills the fund and waits for it to come back

OWN_SYSTEM = True  # it kills services, which no other module should see

AMOUNT = 1_000
MONEY = 1_000_000


def approve_all(staff2, ids):
    for claim_id in ids:
        response = staff2.call("POST", f"/api/v1/insurance/claims/{claim_id}/approve",
                               {"amount_approved_fen": AMOUNT})
        assert response.json()["status"] == "approved", response.text


def statuses(staff, ids):
    return [staff.call("GET", f"/api/v1/insurance/claims/{i}").json()["status"] for i in ids]


def wait_all_paid(staff, ids, timeout=60):
    wait_until(lambda: set(statuses(staff, ids)) == {"paid"}, timeout, interval=0.3,
               failure=lambda: f"not all paid: {statuses(staff, ids)}")


def restart_fund(system):
    system.start_one("fund-1", SERVICES["fund"])
    system.wait_healthy()


def test_claims_approved_while_the_fund_is_dead_are_paid_once_after_restart(
        running_system, anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, fund = new_product(admin, "CRASH", money=MONEY)
    before_kill = [enrol_and_claim(staff1, product, 200 + n, AMOUNT)["id"] for n in range(10)]
    during_pay = [enrol_and_claim(staff1, product, 300 + n, AMOUNT)["id"] for n in range(30)]

    running_system.kill("fund-1")  # approved after this, paid only after the restart
    approve_all(staff2, before_kill)
    time.sleep(2)
    assert set(statuses(staff1, before_kill)) == {"approved"}
    restart_fund(running_system)
    wait_all_paid(staff1, before_kill)

    approve_all(staff2, during_pay)
    running_system.kill("fund-1")  # most likely in the middle of paying them
    restart_fund(running_system)
    wait_all_paid(staff1, during_pay)

    claims = before_kill + during_pay
    payouts = staff1.call("GET", "/api/v1/disbursements", params={"limit": 500}).json()
    mine = [p for p in payouts["items"] if p["fund_code"] == fund]
    assert len(mine) == len(claims)
    assert len({p["reference"] for p in mine}) == len(claims)
    assert {p["status"] for p in mine} == {"paid"}
    assert balance(staff1, fund) == MONEY - AMOUNT * len(claims)
