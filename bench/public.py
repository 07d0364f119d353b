"""The public disclosure as strangers load it: the page `/public/{code}` and its three API
answers, mixed, through one gateway process, with the gateway's cache of them and without.

    .venv/bin/python -m bench.public [--seconds 10] [--concurrency 8]

Starts a throwaway system as bench.donations does (demo data loaded). N client threads each
read the four addresses in turn over a keep-alive http.client connection (half of them ask
for the English page), first through the gateway as started, then through one restarted with
`PUBLIC_CACHE_SECONDS=0` (nothing kept: every request asks the fund, as before the cache),
while staff record a donation every second (each drops the association's kept answers, as
in use). Then, on a gateway that keeps answers again, the time from a donation's 201 until
the public funds answer shows it. No throttle applies to these reads (none did before)."""
import argparse
import http.client
import itertools
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

import requests

from bench.cpu import CpuMeter, processes_of
from bench.donations import (
    DONATION,
    BenchFailure,
    login,
    percentile,
    print_figures,
    run_threads,
    throwaway_system,
)
from deploy.processes import GATEWAY, System
from deploy.seed import seed

ASSOCIATION = "341181"
PATHS = (f"/public/{ASSOCIATION}", f"/api/v1/public/{ASSOCIATION}/funds",
         f"/api/v1/public/{ASSOCIATION}/disbursements?limit=20",
         f"/api/v1/public/{ASSOCIATION}/spending")
WRITE_EVERY_SECONDS = 1.0
CHANGES_TIMED = 5
CHANGE_DEADLINE_SECONDS = 10


def read_for(url: str, seconds: float, language: str, barrier) -> tuple[list, list]:
    """The four addresses in turn on one keep-alive connection: latencies of the 200s, and
    whatever else came back."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    headers = {"Accept-Language": language}
    latencies: list[float] = []
    failures: list = []
    barrier.wait()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        path = PATHS[n % len(PATHS)]
        n += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failures.append((type(exc).__name__, str(exc)[:300]))
            connection.close()
            continue
        if response.status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            failures.append((response.status, answer[:300].decode(errors="replace")))
    connection.close()
    return latencies, failures


def donate(url: str, token: str) -> None:
    made = requests.post(url + "/api/v1/donations", json=DONATION, timeout=30, headers={
        "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
    if made.status_code != 201:
        raise BenchFailure(f"a donation answered {made.status_code}: {made.text[:300]}")


def donating(url: str, token: str, stop: threading.Event) -> None:
    while not stop.wait(WRITE_EVERY_SECONDS):
        donate(url, token)


def phase(system: System, token: str, seconds: float, concurrency: int) -> dict:
    for path in PATHS:  # templates compiled, connections to the fund made
        requests.get(system.url + path, timeout=30).raise_for_status()
    stop = threading.Event()
    writer = threading.Thread(target=donating, args=(system.url, token, stop), daemon=True)
    languages = itertools.cycle(("zh", "en"))
    meter = CpuMeter(processes_of(system))
    writer.start()
    try:
        results, elapsed = run_threads(lambda barrier: read_for(
            system.url, seconds, next(languages), barrier), concurrency)
    finally:
        stop.set()
        writer.join()
    latencies = [value for done, _ in results for value in done]
    failures = [failure for _, failed in results for failure in failed]
    if failures:
        raise BenchFailure(failures)
    cpu = meter.per_operation_ms(len(latencies))
    return {"per_second": len(latencies) / elapsed, "count": len(latencies),
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000, "gateway_cpu_ms": cpu["gateway"]}


def received(url: str) -> int:
    answer = requests.get(f"{url}/api/v1/public/{ASSOCIATION}/funds", timeout=30)
    answer.raise_for_status()
    return sum(fund["received_fen"] for fund in answer.json()["items"])


def change_seen_ms(url: str, token: str) -> float:
    """The longest of a few waits from a donation's 201 until the public funds show it."""
    waits = []
    for _ in range(CHANGES_TIMED):
        before = received(url)  # kept now, if it was not
        donate(url, token)
        given = time.monotonic()
        while received(url) < before + DONATION["amount_fen"]:
            if time.monotonic() - given > CHANGE_DEADLINE_SECONDS:
                raise BenchFailure(f"a donation not shown after {CHANGE_DEADLINE_SECONDS} s")
            time.sleep(0.01)
        waits.append((time.monotonic() - given) * 1000)
    return max(waits)


def restart_gateway(system: System, env: dict) -> None:
    system.kill("gateway")
    system.start_one("gateway", GATEWAY, env)
    system.wait_healthy()


def measure(seconds: float = 10, concurrency: int = 8) -> dict:
    """Both phases on a throwaway system; raises BenchFailure (logs kept) on any answer
    other than 200."""
    with throwaway_system("phf-bench-public-") as (system, config):
        seed(config)
        token = login(system.url)
        cached = phase(system, token, seconds, concurrency)
        restart_gateway(system, {"PUBLIC_CACHE_SECONDS": "0"})
        uncached = phase(system, token, seconds, concurrency)
        restart_gateway(system, {})
        seen = change_seen_ms(system.url, token)
    return {"public_page_rps": cached["per_second"],
            "public_page_rps_uncached": uncached["per_second"],
            "public_cache_speedup": cached["per_second"] / max(uncached["per_second"], 1e-9),
            "public_page_p50_ms": cached["p50_ms"], "public_page_p95_ms": cached["p95_ms"],
            "public_page_p95_ms_uncached": uncached["p95_ms"],
            "public_gateway_cpu_ms": cached["gateway_cpu_ms"],
            "public_gateway_cpu_ms_uncached": uncached["gateway_cpu_ms"],
            "public_change_seen_ms": seen}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    return print_figures(lambda: measure(args.seconds, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
