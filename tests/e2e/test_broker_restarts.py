"""The whole system rides out broker restarts: while donations keep coming in over HTTP,
the broker is stopped and started again, three times. No process exits, no request gets
a 500 (a 503 with Retry-After, while the broker is away, is fine), every donation retried
with its idempotency key is recorded exactly once, and the events flow again after."""
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import requests

from deploy.processes import System
from tests.e2e.conftest import system_on
from tests.insurance_data import TODAY, claim, person
from tests.private_broker import PrivateBroker
from tests.support import EventTap, wait_until

RUNS_ALONE = True  # tests/parallel.py: it restarts the broker under every process

RESTARTS = 3
DONORS = 2  # clients posting at once
FUND = "RESTARTS"
GIVE_UP_AFTER = 90  # seconds one donation may take, retries and all


@pytest.fixture(scope="module")
def broker():
    # A port of its own: the integration tests' private broker may be up in this run too.
    node = PrivateBroker(port=5674, name="phf-restarts")
    node.start()
    yield node
    node.remove()


@pytest.fixture(scope="module")
def system(broker, tmp_path_factory):
    with system_on(broker.uri, tmp_path_factory.mktemp("var")) as running:
        yield running


class Api:
    def __init__(self, base: str, username: str):
        self.base = base
        self.http = requests.Session()
        token = self.call("POST", "/api/v1/auth/token",
                          json={"username": username, "password": f"{username}-demo"})
        assert token.status_code == 200, token.text
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=45, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs) -> dict:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()


class Donors:
    """Clients posting donations one after another, each retried with its own key until
    it is created; they record every answer that is neither a 201 nor an allowed 503."""

    def __init__(self, base: str):
        self.base = base
        self.created: dict[str, dict] = {}  # key -> the donation
        self.amounts: dict[str, int] = {}
        self.bad: list[str] = []
        self.unavailable = self.connection_errors = 0
        self.slowest = 0.0  # seconds from a key's first try to its 201
        self._numbers = iter(range(1, 10**6))
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(Api(base, "staff1"),))
                         for _ in range(DONORS)]

    def start(self):
        for thread in self._threads:
            thread.start()

    def finish(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(GIVE_UP_AFTER + 10)
            assert not thread.is_alive(), "a donor is still retrying"

    def _run(self, api: Api):
        while not self._stop.is_set():
            key = str(uuid.uuid4())
            amount = 10_000 + next(self._numbers)
            self.amounts[key] = amount
            self._give(api, key, {"fund_code": FUND, "amount_fen": amount, "channel": "cash",
                                  "donor": {"kind": "person", "name": "重启捐赠人"}})

    def _give(self, api: Api, key: str, body: dict):
        began = time.monotonic()
        deadline = began + GIVE_UP_AFTER
        while time.monotonic() < deadline:
            try:
                response = api.call("POST", "/api/v1/donations", json=body,
                                    headers={"Idempotency-Key": key})
            except requests.RequestException:
                self.connection_errors += 1
                time.sleep(0.5)
                continue
            if response.status_code == 201:
                self.created[key] = response.json()
                self.slowest = max(self.slowest, time.monotonic() - began)
                return
            if response.status_code == 503 and response.headers.get("Retry-After"):
                self.unavailable += 1
                time.sleep(0.5)
                continue
            self.bad.append(f"{response.status_code} {response.text[:300]}")
            return
        self.bad.append(f"{key}: not created within {GIVE_UP_AFTER}s")

    def progress(self) -> int:
        return len(self.created)


def new_claims_product(admin: Api, staff: Api) -> str:
    code = "R" + uuid.uuid4().hex[:8].upper()
    admin.ok("POST", "/api/v1/funds", 201,
             json={"code": "PAY" + code, "name": "Restart payouts", "restricted": True})
    admin.ok("POST", "/api/v1/insurance/products", 201, json={
        "code": code, "name": "重启险", "payout_fund_code": "PAY" + code,
        "per_claim_cap_fen": 50_000, "per_year_cap_fen": 100_000, "waiting_days": 0,
        "term_days": 365})
    staff.ok("POST", "/api/v1/donations", 201, json={
        "fund_code": "PAY" + code, "amount_fen": 1_000_000, "channel": "bank",
        "donor": {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}})
    return code


def approve_a_claim(product: str, n: int, staff1: Api, staff2: Api) -> int:
    """A claim whose payment takes two events: claim_approved to the fund, and
    disbursement_paid back to insurance."""
    policy = staff1.ok("POST", "/api/v1/insurance/policies", 201, json={
        "product_code": product, "insured": person(n),
        "start_date": (TODAY - timedelta(days=100)).isoformat()})
    submitted = staff1.ok("POST", "/api/v1/insurance/claims", 201,
                          json=claim(policy["policy_no"], 1_000 + n))
    staff2.ok("POST", f"/api/v1/insurance/claims/{submitted['id']}/approve",
              json={"amount_approved_fen": 1_000 + n})
    return submitted["id"]


def all_donations(api: Api) -> list[dict]:
    found = []
    offset = 0
    while True:
        page = api.ok("GET", "/api/v1/donations", params={"limit": 500, "offset": offset})
        found += page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return found


def restart(broker: PrivateBroker, donors: Donors, system: System) -> float:
    """Seconds from the broker's return to the next donation created."""
    broker.stop()
    time.sleep(1.5)  # long enough for every process to notice
    broker.start()
    back = time.monotonic()
    before = donors.progress()

    def donations_again():
        system.check_alive()  # a process that died says so here, not as a time-out
        return donors.progress() > before
    wait_until(donations_again, timeout=60, interval=0.2)
    return time.monotonic() - back


def test_every_process_rides_out_broker_restarts(system, broker):
    admin, staff1, staff2 = (Api(system.url, u) for u in ("admin", "staff1", "staff2"))
    admin.ok("POST", "/api/v1/funds", 201,
             json={"code": FUND, "name": "Restart donations", "restricted": False})
    product = new_claims_product(admin, staff1)
    tap = EventTap(broker.uri, "fund.events", "donation_recorded")
    donors = Donors(system.url)
    donors.start()
    claims = []
    try:
        wait_until(lambda: donors.progress() >= 5, timeout=30)
        recoveries = []
        for n in range(1, RESTARTS + 1):
            claims.append(approve_a_claim(product, n, staff1, staff2))
            recoveries.append(restart(broker, donors, system))
        claims.append(approve_a_claim(product, RESTARTS + 1, staff1, staff2))
    finally:
        donors.finish()

    # Each process that was started is still the one running: none exited and came back.
    assert {label: p.poll() for label, p in system.processes.items()} == {
        label: None for label in system.processes}
    system.check_alive()
    assert donors.bad == []
    assert donors.slowest > 5, "no donation was in flight through a restart"
    print(f"\n{len(donors.created)} donations; {donors.unavailable} answers 503, "
          f"{donors.connection_errors} connection errors, slowest {donors.slowest:.1f}s; "
          f"donations again {', '.join(f'{r:.1f}' for r in recoveries)}s after each return")

    ours = [d for d in all_donations(staff1) if d["fund_code"] == FUND]
    expected = {donors.amounts[key] for key in donors.created}
    assert Counter(d["amount_fen"] for d in ours) == Counter(expected)  # each exactly once
    assert {d["id"] for d in ours} == {d["id"] for d in donors.created.values()}
    assert staff1.ok("GET", f"/api/v1/funds/{FUND}")["balance_fen"] == sum(expected)

    # The events of every donation arrive, however many restarts their publishing met.
    tap.reconnect()
    try:
        published = set()

        def every_event_arrived():
            published.update(e["body"]["data"]["donation_id"] for e in tap.drain(settle=1)
                             if e["body"]["data"]["fund_code"] == FUND)
            return published >= {d["id"] for d in ours}
        wait_until(every_event_arrived, timeout=30, interval=0)
    finally:
        tap.close()
    # Events between services flow again: each claim is paid through the fund.
    for claim_id in claims:
        wait_until(lambda c=claim_id: staff1.ok(
            "GET", f"/api/v1/insurance/claims/{c}")["status"] == "paid", timeout=30)
