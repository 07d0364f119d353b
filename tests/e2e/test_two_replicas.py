"""Two processes of every service share the work with no double effect: every donation is
recorded once (retries landing on either fund worker included) and every event is handled
by exactly one of them."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from shared.contracts.events import build_envelope
from tests.support import publish_raw, wait_until

REPLICAS = 2
GIFTS = 60
CLAIMS = 40


def handled(system, method: str) -> dict:
    counts = {}
    for label in ("fund-1", "fund-2"):
        lines = (system.log_dir / f"{label}.log").read_text(errors="replace").splitlines()
        counts[label] = sum(1 for line in lines
                            if line.startswith("{") and f"handled {method}" in line)
    return counts


def test_two_fund_workers_record_each_donation_once(running_system, anonymous):
    staff = anonymous.login("staff1")
    total = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]
    keys = [str(uuid.uuid4()) for _ in range(GIFTS)]
    body = {"fund_code": "GENERAL", "amount_fen": 100, "channel": "cash",
            "donor": {"kind": "person", "name": "两个副本"}}

    def give(key):  # each gift sent twice at once, as a client that retried would
        return staff.call("POST", "/api/v1/donations", body, {"Idempotency-Key": key}).json()

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(give, keys + keys))
    assert [a["id"] for a in answers[:GIFTS]] == [a["id"] for a in answers[GIFTS:]]
    after = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]
    assert after - total == GIFTS
    counts = handled(running_system, "record_donation")
    assert sum(counts.values()) >= 2 * GIFTS and all(counts.values())  # both did work


def test_each_event_is_handled_by_one_worker_only(running_system, anonymous):
    staff = anonymous.login("staff1")
    uri = running_system.env["AMQP_URI"]
    before = sum(handled(running_system, "on_claim_approved").values())
    for n in range(CLAIMS):
        event = build_envelope("insurance.claim_approved", {
            "association_code": "341181", "claim_id": 500_000 + n, "claim_no": f"CL-R{n}",
            "policy_no": "PL-R", "product_code": "R", "amount_approved_fen": 100,
            "payout_fund_code": "INSURANCE_PAYOUT", "insured_name": "某人",
            "insured_id_number_masked": "3411**********1234", "approved_by": "staff2"}, "r")
        publish_raw(uri, "insurance.events", "claim_approved", json.dumps(event).encode())

    def payouts():
        items = staff.call("GET", "/api/v1/disbursements", params={"limit": 500}).json()["items"]
        return [d for d in items if (d["reference"] or "").startswith("CL-R")]

    wait_until(lambda: len(payouts()) >= CLAIMS, timeout=60, interval=0.5)
    mine = payouts()
    assert len(mine) == CLAIMS and len({d["reference"] for d in mine}) == CLAIMS
    counts = handled(running_system, "on_claim_approved")
    assert sum(counts.values()) - before == CLAIMS
