"""Insurance claims from approval to payout, end to end through the event saga.

    .venv/bin/python -m bench.claims [--claims 200] [--concurrency 8] [--donation-seconds 10]

Starts every service as real processes on a free port with a throwaway var dir (as
bench.donations does), loads the demo data, tops up INSURANCE_PAYOUT, then (not timed)
enrols N distinct people in ONLY_CHILD_ACCIDENT and registers one 10 000 fen claim each as
staff1. Timed: staff2 approves all N claims with C client threads while this process
listens on `insurance.events` for `claim_paid`; a claim's latency runs from its approval
response to its claim_paid event. Then checks that every claim is paid and that the payout
fund fell by exactly N x 10 000 fen, and runs bench.donations' donation phase on the same
system for comparison. Exits non-zero on any failure; the temp dir with the logs is kept."""
import argparse
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pika
import requests

from bench.donations import (
    BenchFailure,
    login,
    percentile,
    phase_donations,
    run,
    run_threads,
    summarise,
    wait_outbox_drained,
)
from deploy.seed import seed
from shared.identity import make_resident_id
from shared.outbox import pika_uri

PRODUCT = "ONLY_CHILD_ACCIDENT"
PAYOUT_FUND = "INSURANCE_PAYOUT"
CLAIM_FEN = 10_000
REGION = "341181"
EVENT_EXCHANGE = "insurance.events"
PAID_KEY = "claim_paid"
EVENT_TIMEOUT = 120  # seconds to wait for claim_paid events once all approvals answered
OUTBOX_DRAIN_TIMEOUT = 30
MAX_CLAIMS = 28_000  # distinct (sequence, birth day) pairs in insured_id()


def insured_id(i: int) -> str:
    """Person i's identity number: distinct for every i below MAX_CLAIMS."""
    born = date(1990 + i % 30, 1 + i % 12, 1 + (i // 1000) % 28)
    return make_resident_id(REGION, born, i % 1000)


def session_for(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def expect(response: requests.Response, status: int, what: str) -> dict:
    if response.status_code != status:
        raise BenchFailure(f"{what}: HTTP {response.status_code} "
                           f"(wanted {status}): {response.text[:500]}")
    return response.json()


def fund_balance(session: requests.Session, url: str) -> int:
    response = session.get(f"{url}/api/v1/funds/{PAYOUT_FUND}", timeout=30)
    return expect(response, 200, f"GET fund {PAYOUT_FUND}")["balance_fen"]


# --- setup (not timed) ---------------------------------------------------------------------
def top_up(session: requests.Session, url: str, fen: int) -> None:
    donation = {"fund_code": PAYOUT_FUND, "amount_fen": fen, "channel": "bank",
                "donor": {"kind": "company", "name": "Bench claims top-up",
                          "credit_code": "91350100M000100Y43"}}
    response = session.post(url + "/api/v1/donations", json=donation, timeout=60,
                            headers={"Idempotency-Key": f"bench-claims-{uuid.uuid4().hex}"})
    expect(response, 201, "top-up donation")


def enrol_and_claim(url: str, token: str, count: int, concurrency: int) -> list[int]:
    """One policy and one claim per person, registered by staff1; the claim ids in order."""
    local = threading.local()
    today = date.today()
    start = today - timedelta(days=60)
    incident = today - timedelta(days=10)

    def one(i: int) -> int:
        if not hasattr(local, "session"):
            local.session = session_for(token)
        policy = expect(local.session.post(url + "/api/v1/insurance/policies", timeout=60, json={
            "product_code": PRODUCT, "start_date": start.isoformat(),
            "family_category": "only_child",
            "insured": {"name": f"Bench insured {i}", "id_number": insured_id(i)}}),
            201, f"enrol person {i}")
        claim = expect(local.session.post(url + "/api/v1/insurance/claims", timeout=60, json={
            "policy_no": policy["policy_no"], "incident_date": incident.isoformat(),
            "amount_claimed_fen": CLAIM_FEN, "description": f"bench accident {i}"}),
            201, f"claim of person {i}")
        if claim["status"] != "submitted":
            raise BenchFailure(f"claim {claim['id']} came back {claim['status']}, not "
                               f"submitted: flags {claim['flags']}")
        return claim["id"]

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(count)))


# --- measurement ---------------------------------------------------------------------------
class Approvals:
    """staff2 approves every claim from C threads; per claim: sent and answered times."""

    def __init__(self, url: str, token: str, claim_ids: list[int], run_id: str):
        self.url = url
        self.token = token
        self.run_id = run_id
        self.todo = iter(claim_ids)
        self.lock = threading.Lock()
        self.sent: dict[int, float] = {}
        self.answered: dict[int, float] = {}
        self.failures: list[tuple] = []
        self.done = threading.Event()

    def correlation_id(self, claim_id: int) -> str:
        return f"{self.run_id}-{claim_id}"

    def _next(self) -> int | None:
        with self.lock:
            return next(self.todo, None)

    def work(self, barrier) -> None:
        session = session_for(self.token)
        barrier.wait()
        while (claim_id := self._next()) is not None:
            self.sent[claim_id] = time.monotonic()
            try:
                response = session.post(
                    f"{self.url}/api/v1/insurance/claims/{claim_id}/approve", timeout=60,
                    json={"amount_approved_fen": CLAIM_FEN},
                    headers={"X-Correlation-ID": self.correlation_id(claim_id)})
            except requests.RequestException as exc:  # a hang or a dropped connection
                self.failures.append((claim_id, type(exc).__name__, str(exc)[:300]))
                continue
            if response.status_code == 200:
                self.answered[claim_id] = time.monotonic()
            else:
                self.failures.append((claim_id, response.status_code, response.text[:300]))

    def run(self, concurrency: int) -> None:
        try:
            run_threads(self.work, concurrency)
        finally:
            self.done.set()


def open_listener(config: dict) -> tuple[pika.BlockingConnection, object, str]:
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(config["AMQP_URI"])))
    channel = connection.channel()
    # Same arguments as the outbox publisher, so this is a no-op if it exists already.
    channel.exchange_declare(EVENT_EXCHANGE, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, EVENT_EXCHANGE, routing_key=PAID_KEY)
    return connection, channel, queue


def collect_paid(channel, queue: str, approvals: Approvals, claim_ids: list[int]) -> tuple:
    """Arrival time per claim of its claim_paid event, consumed while approvals run.
    Events of other systems on the shared broker (other correlation ids) are counted apart."""
    wanted = {claim_id: approvals.correlation_id(claim_id) for claim_id in claim_ids}
    arrived: dict[int, float] = {}
    foreign = duplicates = 0
    deadline = None
    for _method, _properties, body in channel.consume(queue, auto_ack=True,
                                                     inactivity_timeout=0.1):
        now = time.monotonic()
        if body is not None:
            envelope = json.loads(body)
            claim_id = envelope.get("data", {}).get("claim_id")
            if wanted.get(claim_id) != envelope.get("correlation_id"):
                foreign += 1
            elif claim_id in arrived:
                duplicates += 1
            else:
                arrived[claim_id] = now
        if len(arrived) == len(wanted):
            break
        if deadline is None and approvals.done.is_set():
            deadline = now + EVENT_TIMEOUT
        if deadline is not None and now > deadline:
            break
    channel.cancel()
    return arrived, foreign, duplicates


def measure(url: str, config: dict, token: str, claim_ids: list[int],
            concurrency: int) -> dict:
    approvals = Approvals(url, token, claim_ids, f"bench-claims-{uuid.uuid4().hex[:12]}")
    return approve_and_listen(config, approvals, claim_ids, concurrency)


def approve_and_listen(config: dict, approvals, claim_ids: list[int], threads: int) -> dict:
    """Run the approvals on `threads` client threads while collecting the claim_paid events."""
    connection, channel, queue = open_listener(config)  # bound before any approval is sent
    try:
        worker = threading.Thread(target=approvals.run, args=(threads,), daemon=True)
        worker.start()
        arrived, foreign, duplicates = collect_paid(channel, queue, approvals, claim_ids)
        worker.join()
    finally:
        connection.close()
    return {"approvals": approvals, "arrived": arrived, "foreign": foreign,
            "duplicates": duplicates}


def figures(run: dict, count: int) -> dict:
    approvals = run["approvals"]
    arrived = run["arrived"]
    first_sent = min(approvals.sent.values())
    last_answer = max(approvals.answered.values())
    latencies = [arrived[c] - approvals.answered[c] for c in arrived if c in approvals.answered]
    http = [approvals.answered[c] - approvals.sent[c] for c in approvals.answered]
    return {
        "paid": {"count": len(arrived),
                 "per_second": count / (max(arrived.values()) - first_sent),
                 "p50_ms": percentile(latencies, 0.50) * 1000,
                 "p99_ms": percentile(latencies, 0.99) * 1000},
        "approvals": summarise(http, last_answer - first_sent),
        "negative": sum(1 for value in latencies if value < 0),
    }


# --- checks --------------------------------------------------------------------------------
def check_run(run: dict, claim_ids: list[int]) -> None:
    approvals = run["approvals"]
    arrived = run["arrived"]
    if approvals.failures:
        codes: dict = {}
        for claim_id, code, text in approvals.failures:
            codes.setdefault(code, (claim_id, text))
        samples = "; ".join(f"{code} (claim {cid}): {text}" for code, (cid, text) in
                            codes.items())
        raise BenchFailure(f"{len(approvals.failures)} of {len(claim_ids)} approvals were not "
                           f"200: {samples}")
    missing = [c for c in claim_ids if c not in arrived]
    if missing:
        raise BenchFailure(f"{len(missing)} claim_paid events missing after {EVENT_TIMEOUT} s "
                           f"(first: {missing[:10]})")


def check_paid(session: requests.Session, url: str, claim_ids: list[int],
               balance_before: int) -> int:
    statuses: dict[str, list[int]] = {}
    for claim_id in claim_ids:
        claim = expect(session.get(f"{url}/api/v1/insurance/claims/{claim_id}", timeout=30),
                       200, f"GET claim {claim_id}")
        statuses.setdefault(claim["status"], []).append(claim_id)
    if set(statuses) != {"paid"}:
        seen = {status: (len(ids), ids[:5]) for status, ids in statuses.items()}
        raise BenchFailure(f"not every claim is paid: {seen}")
    balance_after = fund_balance(session, url)
    fell = balance_before - balance_after
    if fell != len(claim_ids) * CLAIM_FEN:
        raise BenchFailure(f"{PAYOUT_FUND} fell by {fell} fen, not "
                           f"{len(claim_ids)} x {CLAIM_FEN} = {len(claim_ids) * CLAIM_FEN}")
    return fell


# --- output and the whole run --------------------------------------------------------------
def print_table(rows: list[tuple[str, dict]]) -> None:
    print(f"{'what':<40}{'per second':>12}{'p50 ms':>10}{'p99 ms':>10}{'count':>9}")
    for label, row in rows:
        print(f"{label:<40}{row['per_second']:>12.1f}{row['p50_ms']:>10.1f}"
              f"{row['p99_ms']:>10.1f}{row['count']:>9}")


def benchmark(system, config: dict, args) -> None:
    seed(config)
    url = system.url
    count = args.claims
    staff1_token = login(url)
    staff2_token = login(url, "staff2")
    staff1 = session_for(staff1_token)
    top_up(staff1, url, count * CLAIM_FEN)
    claim_ids = enrol_and_claim(url, staff1_token, count, args.concurrency)
    _, insurance_backlog = wait_outbox_drained(config, "insurance")
    if insurance_backlog:
        raise BenchFailure(f"insurance outbox backlog still {insurance_backlog} after setup")
    _, fund_backlog = wait_outbox_drained(config)
    if fund_backlog:
        raise BenchFailure(f"fund outbox backlog still {fund_backlog} after setup")
    balance_before = fund_balance(staff1, url)

    run = measure(url, config, staff2_token, claim_ids, args.concurrency)
    check_run(run, claim_ids)
    fell = check_paid(staff1, url, claim_ids, balance_before)
    result = figures(run, count)

    donations, failures = phase_donations(url, args.donation_seconds, args.concurrency)
    drained_in, backlog = wait_outbox_drained(config)

    print(f"\n{count} claims of {CLAIM_FEN} fen, {args.concurrency} client threads; "
          f"donations for comparison: {args.donation_seconds:g} s\n")
    print_table([("claims approved -> paid (claim_paid)", result["paid"]),
                 ("claim approvals (HTTP calls alone)", result["approvals"]),
                 ("donations (HTTP -> gateway -> fund)", donations)])
    print("p50/p99 of the first row: approval's HTTP response -> its claim_paid event")
    if result["negative"]:
        print(f"({result['negative']} claim_paid events arrived before their approval's "
              f"HTTP response)")
    if run["foreign"] or run["duplicates"]:
        print(f"ignored claim_paid events: {run['foreign']} of other runs, "
              f"{run['duplicates']} redelivered")
    print(f"all {count} claims paid; {PAYOUT_FUND} fell by {fell} fen as expected")
    state = "drained" if backlog == 0 else f"NOT drained ({backlog} left)"
    print(f"fund outbox {state} {drained_in:.2f} s after the donation phase")
    if failures:
        raise BenchFailure(failures)
    if backlog:
        raise BenchFailure(f"fund outbox backlog still {backlog} after {OUTBOX_DRAIN_TIMEOUT} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--donation-seconds", type=float, default=10)
    args = parser.parse_args()
    if not 1 <= args.claims <= MAX_CLAIMS:
        parser.error(f"--claims must be 1-{MAX_CLAIMS}")
    return run("phf-bench-claims-", benchmark, args)

if __name__ == "__main__":
    sys.exit(main())
