"""The cluster drill: three RabbitMQ nodes of Debian's rabbitmq-server clustered on this machine,
the whole system on them with AMQP_URI naming all three, donations and claims going on
without a pause, and the node leading the fund's RPC queue (a quorum queue) SIGKILLed. Then
counted: every donation the gateway acknowledged is recorded exactly once, every approved claim
is paid once, no answer was a 500 (a 503 with Retry-After during the failover is fine), no
process exited; and the stall, the longest time without a donation succeeding, is printed."""
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import requests

from tests.e2e import test_broker_restarts as restarts
from tests.e2e.conftest import system_on
from tests.insurance_data import TODAY, claim, person
from tests.rabbit_cluster import RabbitCluster
from tests.support import wait_until

RUNS_ALONE = True  # tests/parallel.py: it kills broker nodes under load

pytestmark = pytest.mark.broker

FUND = "CLUSTER"
GIVE_UP_AFTER = 90  # seconds one request may be retried
AFTER_THE_KILL = 30  # donations that must succeed after the kill before counting


@pytest.fixture(scope="module")
def cluster():
    nodes = RabbitCluster(3)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.remove()


@pytest.fixture(scope="module")
def system(cluster, tmp_path_factory):
    with system_on(cluster.uri, tmp_path_factory.mktemp("var")) as running:
        yield running


class Answers:
    """Every answer of the drill's clients: the successes' times, and what was not allowed."""

    def __init__(self):
        self.successes: list[float] = []
        self.bad: list[str] = []
        self.unavailable = self.connection_errors = 0
        self._lock = threading.Lock()

    def call(self, api: restarts.Api, method: str, path: str, ok: tuple[int, ...], **kwargs):
        """The answer once it is one of `ok`; retried on a 503 with Retry-After or a broken
        connection (only where a retry cannot do a thing twice: `retry`); None if refused."""
        retry = kwargs.pop("retry", True)
        deadline = time.monotonic() + GIVE_UP_AFTER
        while time.monotonic() < deadline:
            try:
                response = api.call(method, path, **kwargs)
            except requests.RequestException:
                with self._lock:
                    self.connection_errors += 1
                if not retry:
                    return None
                time.sleep(0.3)
                continue
            if response.status_code in ok:
                return response
            if response.status_code == 503 and response.headers.get("Retry-After"):
                with self._lock:
                    self.unavailable += 1
                if not retry:
                    return None
                time.sleep(0.3)
                continue
            with self._lock:
                self.bad.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
            return None
        with self._lock:
            self.bad.append(f"{method} {path}: no answer within {GIVE_UP_AFTER}s")
        return None

    def succeeded(self) -> None:
        with self._lock:
            self.successes.append(time.monotonic())

    def stall(self, since: float, until: float = float("inf")) -> float:
        """The longest time between two successes (or from `since` to the first) after it."""
        times = [since] + sorted(t for t in self.successes if since < t < until)
        return max(b - a for a, b in zip(times, times[1:], strict=False)) if len(times) > 1 \
            else float("inf")


class Traffic:
    """Two donors (each donation retried with its idempotency key until created) and one
    claimant (a policy, a claim, its approval; the approval retried until it is taken)."""

    def __init__(self, base: str, product: str):
        self.answers = Answers()
        self.donations: dict[str, dict] = {}  # idempotency key -> the donation
        self.amounts: dict[str, int] = {}
        self.approved: dict[int, int] = {}  # claim id -> amount approved
        self.slowest = 0.0  # seconds from a donation's first try to its 201
        self.product = product
        self._numbers = iter(range(1, 10**6))
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._donate, args=(restarts.Api(base, "staff1"),))
                         for _ in range(2)]
        self._threads.append(threading.Thread(target=self._claim, args=(
            restarts.Api(base, "staff1"), restarts.Api(base, "staff2"))))

    def start(self):
        for thread in self._threads:
            thread.start()

    def finish(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(GIVE_UP_AFTER + 10)
            assert not thread.is_alive(), "a client is still retrying"

    def _donate(self, api):
        while not self._stop.is_set():
            key = str(uuid.uuid4())
            amount = 10_000 + next(self._numbers)
            self.amounts[key] = amount
            began = time.monotonic()
            created = self.answers.call(
                api, "POST", "/api/v1/donations", (201,), headers={"Idempotency-Key": key},
                json={"fund_code": FUND, "amount_fen": amount, "channel": "cash",
                      "donor": {"kind": "person", "name": "集群捐赠人"}})
            if created is not None:
                self.donations[key] = created.json()
                self.answers.succeeded()
                self.slowest = max(self.slowest, time.monotonic() - began)

    def _claim(self, staff1, staff2):
        for n in range(1, 900):
            if self._stop.is_set():
                return
            # Neither takes an idempotency key: one that was not answered is left as it is
            # (an unused policy, a claim never approved) and the next person tried.
            # A request the broker took just before its node died may reach the service
            # twice (the client library publishes it again on the new node): the second
            # enrolment of the same person is refused (409 already_insured), nothing is done
            # twice, and whichever answer comes back first is the one the client sees.
            policy = self.answers.call(staff1, "POST", "/api/v1/insurance/policies",
                                       (201, 409), retry=False, json={
                                           "product_code": self.product, "insured": person(n),
                                           "start_date": (TODAY - timedelta(days=100)).isoformat()})
            if policy is not None and policy.status_code == 409 \
                    and policy.json().get("code") != "already_insured":
                self.answers.bad.append(f"POST /api/v1/insurance/policies: {policy.text[:300]}")
            if policy is None or policy.status_code == 409:
                continue
            submitted = self.answers.call(staff1, "POST", "/api/v1/insurance/claims", (201,),
                                          retry=False,
                                          json=claim(policy.json()["policy_no"], 1_000 + n))
            if submitted is None:
                continue
            claim_id = submitted.json()["id"]
            # Approving twice is refused (409), never done twice: retried until taken.
            approved = self.answers.call(staff2, "POST",
                                         f"/api/v1/insurance/claims/{claim_id}/approve",
                                         (200, 409), json={"amount_approved_fen": 1_000 + n})
            if approved is not None:
                self.approved[claim_id] = 1_000 + n


def test_killing_the_node_leading_the_funds_queue_loses_nothing(cluster, system):
    admin, staff1 = restarts.Api(system.url, "admin"), restarts.Api(system.url, "staff1")
    admin.ok("POST", "/api/v1/funds", 201,
             json={"code": FUND, "name": "Cluster donations", "restricted": False})
    product = restarts.new_claims_product(admin, staff1)
    payout_fund = "PAY" + product
    balance_before = staff1.ok("GET", f"/api/v1/funds/{payout_fund}")["balance_fen"]

    leader = cluster.leader_of("rpc-fund")  # also: it is a quorum queue
    for queue in ("evt-insurance-claim_approved--fund.on_claim_approved",):
        cluster.leader_of(queue)
    traffic = Traffic(system.url, product)
    traffic.start()
    try:
        wait_until(lambda: len(traffic.donations) >= 20 and len(traffic.approved) >= 3,
                   timeout=60)
        before = len(traffic.donations)
        started = min(traffic.answers.successes)
        # The processes dial the first node in AMQP_URI, which also leads the queues they
        # declared first: the kill takes their connections with it.
        dropped = cluster.connections_on(leader)
        assert dropped > 0
        leader.kill()
        killed_at = time.monotonic()

        def going_again():
            system.check_alive()  # a process that died says so here, not as a time-out
            return len(traffic.donations) >= before + AFTER_THE_KILL
        wait_until(going_again, timeout=120, interval=0.2)
        approved_before = len(traffic.approved)
        wait_until(lambda: len(traffic.approved) >= approved_before + 3, timeout=60)
    finally:
        traffic.finish()
    new_leader = cluster.leader_of("rpc-fund")
    answers = traffic.answers

    assert {label: p.poll() for label, p in system.processes.items()} == {
        label: None for label in system.processes}
    assert answers.bad == []  # no 500, nothing refused
    stall = answers.stall(killed_at)
    usual = answers.stall(started, killed_at)
    assert new_leader is not leader
    print(f"\nkilled {leader.name}, leading rpc-fund and holding {dropped} client connections; "
          f"{new_leader.name} leads it now. "
          f"{len(traffic.donations)} donations, {len(traffic.approved)} claims approved; "
          f"{answers.unavailable} answers 503, {answers.connection_errors} connection errors; "
          f"stall after the kill {stall:.1f}s, before it {usual:.1f}s (the longest time "
          f"without a donation created); slowest donation {traffic.slowest:.1f}s")

    ours = [d for d in restarts.all_donations(staff1) if d["fund_code"] == FUND]
    expected = [traffic.amounts[key] for key in traffic.donations]
    assert Counter(d["amount_fen"] for d in ours) == Counter(expected)  # each exactly once
    assert {d["id"] for d in ours} == {d["id"] for d in traffic.donations.values()}
    assert staff1.ok("GET", f"/api/v1/funds/{FUND}")["balance_fen"] == sum(expected)

    # Every approved claim is paid, through events that crossed the failover, and only once:
    # the payout fund paid out exactly their sum.
    for claim_id in traffic.approved:
        wait_until(lambda c=claim_id: staff1.ok(
            "GET", f"/api/v1/insurance/claims/{c}")["status"] == "paid", timeout=60)
    paid_out = balance_before - staff1.ok("GET", f"/api/v1/funds/{payout_fund}")["balance_fen"]
    assert paid_out == sum(traffic.approved.values())
