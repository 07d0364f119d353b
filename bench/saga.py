"""The claim saga's latency at a fixed offered rate of half its maximum.

    .venv/bin/python -m bench.saga [--claims 200] [--paced 200] [--concurrency 8]

On a throwaway system (as bench.claims): a burst of N approvals from C threads gives the
saga's maximum rate (claims paid per second); then M more claims are approved at a fixed
rate of half that, each sent on its schedule whether or not earlier ones were answered, and
the latency of each runs from its approval's HTTP response to its claim_paid event.
Every claim must end paid. Approximate figures: broker, databases, services and this
client share the machine's cores."""
import argparse
import os
import sys
import time
import uuid

from bench.claims import (
    CLAIM_FEN,
    Approvals,
    approve_and_listen,
    check_run,
    enrol_and_claim,
    figures,
    session_for,
    top_up,
)
from bench.claims import measure as approve_all
from bench.donations import BenchFailure, login, percentile, print_figures, throwaway_system
from bench.vhost import private_vhost
from deploy.seed import seed

# Threads enough that a slow answer never delays the next approval's schedule.
PACED_THREADS = 32


class PacedApprovals(Approvals):
    """Approval i is sent at start + i / rate, by whichever thread is free."""

    def __init__(self, url: str, token: str, claim_ids: list[int], run_id: str, rate: float):
        super().__init__(url, token, claim_ids, run_id)
        self.rate = rate
        self.started = None
        self.index = 0

    def _next(self) -> int | None:
        with self.lock:
            claim_id = next(self.todo, None)
            if self.started is None:
                self.started = time.monotonic()
            due = self.started + self.index / self.rate
            self.index += 1
        if claim_id is not None:
            time.sleep(max(0.0, due - time.monotonic()))
        return claim_id


def paced(url: str, config: dict, token: str, claim_ids: list[int], rate: float) -> dict:
    approvals = PacedApprovals(url, token, claim_ids, f"bench-saga-{uuid.uuid4().hex[:12]}",
                               rate)
    return approve_and_listen(config, approvals, claim_ids, PACED_THREADS)


def latencies_ms(run: dict) -> list[float]:
    approvals = run["approvals"]
    arrived = run["arrived"]
    return [(arrived[c] - approvals.answered[c]) * 1000 for c in arrived
            if c in approvals.answered]


def measure(claims: int = 200, paced_claims: int = 200, concurrency: int = 8) -> dict:
    # Claims chosen for review at random would not be paid without a person.
    os.environ.setdefault("REVIEW_SAMPLE_PCT", "0")
    with private_vhost(), throwaway_system("phf-bench-saga-") as (system, config):
        seed(config)
        url = system.url
        staff1_token = login(url)
        staff2_token = login(url, "staff2")
        top_up(session_for(staff1_token), url, (claims + paced_claims) * CLAIM_FEN)
        claim_ids = enrol_and_claim(url, staff1_token, claims + paced_claims, concurrency)
        burst_ids = claim_ids[:claims]
        paced_ids = claim_ids[claims:]

        burst = approve_all(url, config, staff2_token, burst_ids, concurrency)
        check_run(burst, burst_ids)
        maximum = figures(burst, claims)["paid"]["per_second"]
        steady = paced(url, config, staff2_token, paced_ids, maximum / 2)
        check_run(steady, paced_ids)
    latencies = latencies_ms(steady)
    if not latencies:
        raise BenchFailure("no claim_paid event arrived at the paced rate")
    return {"saga_max_per_s": maximum, "saga_offered_per_s": maximum / 2,
            "saga_p50_ms": percentile(latencies, 0.50),
            "saga_p99_ms": percentile(latencies, 0.99),
            "saga_burst_p50_ms": figures(burst, claims)["paid"]["p50_ms"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200, help="burst, for the maximum")
    parser.add_argument("--paced", type=int, default=200, help="approved at half of it")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    return print_figures(lambda: measure(args.claims, args.paced, args.concurrency), decimals=1)


if __name__ == "__main__":
    sys.exit(main())
