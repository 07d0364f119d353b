"""The premium saga survives a crash: policies whose premium two funds pay are enrolled while
the fund service is SIGKILLed (and again just before it is killed in the middle of paying),
it is restarted, and every share is paid exactly once: one disbursement of category
`insurance_premium` per share in the fund's books, the balances down by exactly the shares,
and every policy active."""
import time
import uuid
from collections import Counter
from datetime import timedelta

from tests.e2e.test_fund_crash import restart_fund
from tests.e2e.test_insurance_over_http import give
from tests.insurance_data import TODAY, person
from tests.support import wait_until

OWN_SYSTEM = True  # it kills services, which no other module should see

PREMIUM = 1_001
MONEY = 1_000_000
GOVERNMENT = 601
SOCIETY = 400


def premium_product(admin) -> tuple[str, str, str]:
    """A product whose premium the county's and the society's funds share, each fund its
    own so the test knows every movement."""
    tag = uuid.uuid4().hex[:6].upper()
    county = f"PREM_GOV_{tag}"
    society = f"PREM_SOC_{tag}"
    for code in (county, society):
        created = admin.call("POST", "/api/v1/funds", {"code": code, "name": "Premiums",
                                                       "restricted": True})
        assert created.status_code == 201, created.text
        give(admin, code, MONEY)
    code = "P" + tag
    product = admin.call("POST", "/api/v1/insurance/products", {
        "code": code, "name": "保费测试险", "payout_fund_code": county,
        "per_claim_cap_fen": 50_000, "per_year_cap_fen": 100_000, "waiting_days": 0,
        "term_days": 365, "premium_fen": PREMIUM, "premium_shares": [
            {"payer": "government", "share_pct": 60, "fund_code": county},
            {"payer": "society", "share_pct": 40, "fund_code": society}]})
    assert product.status_code == 201, product.text
    return code, county, society


def enrol(staff, product, n) -> dict:
    policy = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(n),
        "start_date": (TODAY - timedelta(days=10)).isoformat()})
    assert policy.status_code == 201, policy.text
    assert policy.json()["status"] == "pending_payment"
    return policy.json()


def statuses(staff, policies) -> list[str]:
    return [staff.call("GET", f"/api/v1/insurance/policies/{p['policy_no']}").json()["status"]
            for p in policies]


def wait_all_active(staff, policies, timeout=90):
    wait_until(lambda: set(statuses(staff, policies)) == {"active"}, timeout, interval=0.3,
               failure=lambda: f"not all active: {Counter(statuses(staff, policies))}")


def test_premiums_due_while_the_fund_is_dead_are_paid_once_after_restart(
        running_system, anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    product, county, society = premium_product(admin)

    running_system.kill("fund-1")  # enrolled after this, paid only after the restart
    while_dead = [enrol(staff, product, 700 + n) for n in range(10)]
    time.sleep(2)
    assert set(statuses(staff, while_dead)) == {"pending_payment"}
    restart_fund(running_system)
    wait_all_active(staff, while_dead)

    during_pay = [enrol(staff, product, 720 + n) for n in range(30)]
    running_system.kill("fund-1")  # most likely in the middle of paying them
    restart_fund(running_system)
    wait_all_active(staff, during_pay)

    policies = while_dead + during_pay
    books = staff.call("GET", "/api/v1/disbursements", params={"limit": 500}).json()["items"]
    mine = [d for d in books if d["fund_code"] in (county, society)]
    assert {d["category"] for d in mine} == {"insurance_premium"}
    assert {d["status"] for d in mine} == {"paid"}
    per_share = Counter(d["reference"] for d in mine)
    assert per_share == Counter({f"{p['policy_no']}/{payer}": 1 for p in policies
                                 for payer in ("government", "society")})
    assert {(d["fund_code"], d["amount_fen"]) for d in mine} == {(county, GOVERNMENT),
                                                                 (society, SOCIETY)}
    balance = {code: staff.call("GET", f"/api/v1/funds/{code}").json()["balance_fen"]
               for code in (county, society)}
    assert balance == {county: MONEY - GOVERNMENT * len(policies),
                       society: MONEY - SOCIETY * len(policies)}
    for policy in policies[:3]:
        shown = staff.call("GET", f"/api/v1/insurance/policies/{policy['policy_no']}").json()
        assert [(s["payer"], s["status"], s["paid_by"]) for s in shown["shares"]] == [
            ("government", "paid", "fund"), ("society", "paid", "fund")]
