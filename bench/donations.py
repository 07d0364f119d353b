"""Donations through the gateway end to end, against bare nameko RPC round trips, on
SQLite and on PostgreSQL.

    .venv/bin/python -m bench.donations [--seconds 10] [--concurrency 8]

Starts every service as real processes on a free port with a throwaway var dir, loads the
demo data, then measures (1) POST /api/v1/donations as staff1 and (2) `fund.ping` through
ClusterRpcProxy, each with N client threads for the same duration. (1) runs side by side
with the same on a second system whose services each have a throwaway PostgreSQL database
(bench.postgres), the two taking turns in slices: on a machine shared with other work, the
ratio of the two rates is then not the ratio of two moments' loads. Exits non-zero if any
donation comes back other than 201; the temp dir with the logs is then kept. `measure()`
gives the same figures to `python -m bench`."""
import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from bench.cpu import CpuMeter, per_operation_ms, processes_of
from bench.postgres import services_on, throwaway_databases
from bench.vhost import private_vhost
from deploy.processes import System, free_port
from deploy.seed import seed

DONATION = {"fund_code": "GENERAL", "amount_fen": 100, "channel": "cash",
            "donor": {"kind": "person", "name": "Bench"}}
OUTBOX_DRAIN_TIMEOUT = 30


class BenchFailure(Exception):
    """The system answered something other than what the benchmark counts."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summarise(latencies: list[float], elapsed: float) -> dict:
    return {"count": len(latencies), "per_second": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000}


def run_threads(work, concurrency: int) -> tuple[list, float]:
    """Run `work(barrier)` in N threads; each starts its clock once all are ready."""
    barrier = threading.Barrier(concurrency + 1)
    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(work, barrier) for _ in range(concurrency)]
        barrier.wait()  # setup (sessions, proxies) is not part of the measurement
        started = time.monotonic()
        results = [future.result() for future in futures]
    return results, time.monotonic() - started


# --- phase 1: donations over HTTP ---------------------------------------------------------
def login(url: str, username: str = "staff1") -> str:
    response = requests.post(url + "/api/v1/auth/token", timeout=10,
                             json={"username": username, "password": username + "-demo"})
    response.raise_for_status()
    return response.json()["access_token"]


def donate_for(url: str, token: str, seconds: float, barrier) -> tuple[list, list]:
    """One keep-alive connection per thread, through http.client: a load generator's
    own CPU is taken from the system it measures on a small machine, and `requests`
    costs about twice as much per call."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(DONATION)
    latencies = []
    failures = []
    barrier.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/donations", body,
                               {**headers, "Idempotency-Key": uuid.uuid4().hex})
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:  # a hang or a dropped connection
            failures.append((type(exc).__name__, str(exc)[:300]))
            connection.close()  # reconnects on the next request
            continue
        if response.status == 201:
            latencies.append(time.perf_counter() - started)
        else:
            failures.append((response.status, answer[:300].decode(errors="replace")))
    connection.close()
    return latencies, failures


def phase_donations(url: str, seconds: float, concurrency: int) -> tuple[dict, list]:
    token = login(url)
    results, elapsed = run_threads(
        lambda barrier: donate_for(url, token, seconds, barrier), concurrency)
    latencies = [value for done, _ in results for value in done]
    failures = [failure for _, failed in results for failure in failed]
    return summarise(latencies, elapsed), failures


# --- phase 2: bare RPC ----------------------------------------------------------------
def ping_for(config: dict, seconds: float, barrier) -> list[float]:
    latencies = []
    with ClusterRpcProxy(config) as rpc:  # one proxy (connection, reply queue) per thread
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            if rpc.fund.ping() != "pong":
                raise BenchFailure("fund.ping did not answer pong")
            latencies.append(time.perf_counter() - started)
    return latencies


def phase_rpc(config: dict, seconds: float, concurrency: int) -> dict:
    results, elapsed = run_threads(
        lambda barrier: ping_for(config, seconds, barrier), concurrency)
    return summarise([value for done in results for value in done], elapsed)


# --- outbox, table, system ------------------------------------------------------------
def wait_outbox_drained(config: dict, service: str = "fund") -> tuple[float, int]:
    """Seconds until the service's outbox backlog is 0 (or the timeout), and the last backlog."""
    started = time.monotonic()
    with ClusterRpcProxy(config) as rpc:
        while True:
            backlog = getattr(rpc, service).health()["outbox_backlog"]
            waited = time.monotonic() - started
            if backlog == 0 or waited > OUTBOX_DRAIN_TIMEOUT:
                return waited, backlog
            time.sleep(0.05)


def print_table(donations: dict, rpc: dict, on_postgres: dict) -> None:
    print(f"{'what':<37}{'per second':>12}{'p50 ms':>10}{'p99 ms':>10}{'count':>9}")
    for label, row in (("donations (HTTP -> gateway -> fund)", donations),
                       ("fund.ping (bare nameko RPC)", rpc),
                       ("donations on PostgreSQL", on_postgres)):
        print(f"{label:<37}{row['per_second']:>12.1f}{row['p50_ms']:>10.1f}"
              f"{row['p99_ms']:>10.1f}{row['count']:>9}")
    print(f"ratio donations/s / RPC calls/s: {ratio(donations, rpc):.3f}")
    print(f"ratio PostgreSQL / SQLite donations/s: {ratio(on_postgres, donations):.3f}")
    print("\nCPU ms per operation, by process (postgres: every PostgreSQL process here)")
    print(f"{'process':<37}{'donation':>12}{'ping':>10}{'on PG':>10}")
    labels = {**donations["cpu_ms"], **on_postgres["cpu_ms"]}
    for label in sorted(labels, key=lambda label: label == "all"):  # the sum last
        print(f"{label:<37}{donations['cpu_ms'].get(label, 0.0):>12.2f}"
              f"{rpc['cpu_ms'].get(label, 0.0):>10.2f}"
              f"{on_postgres['cpu_ms'].get(label, 0.0):>10.2f}")


def report_failure(exc: BenchFailure) -> None:
    detail = exc.args[0]
    if not isinstance(detail, list):
        print(f"!! {detail}", file=sys.stderr)
        return
    codes = Counter(code for code, _ in detail)
    print(f"!! {len(detail)} donations were not 201: {dict(codes)}", file=sys.stderr)
    for code, text in list(dict(detail).items())[:5]:  # one sample body per status
        print(f"!!   {code}: {text}", file=sys.stderr)


def print_figures(measuring, decimals: int = 2) -> int:
    """A benchmark's CLI: run `measuring()`, print its figures one a line, exit 0; or 1 with
    the failure told."""
    try:
        figures = measuring()
    except BenchFailure as exc:
        report_failure(exc)
        return 1
    for key, value in figures.items():
        print(f"{key:<26}{value:>12.{decimals}f}")
    return 0


def start_system(var_dir: Path) -> System:
    # seed() finds the gateway database through PHF_VAR_DIR in this process, too; the
    # database URLs (bench.postgres.services_on) are taken from here with the rest.
    os.environ["PHF_VAR_DIR"] = str(var_dir)
    system = System(port=free_port(), env={"PHF_VAR_DIR": str(var_dir)},
                    log_dir=var_dir / "logs")
    system.migrate()
    system.start()
    try:
        system.wait_healthy()
    except BaseException:  # not left running with nobody to stop it
        system.stop()
        raise
    return system


def rpc_phase(system: System, config: dict, seconds: float, concurrency: int) -> dict:
    meter = CpuMeter(processes_of(system))
    rpc = phase_rpc(config, seconds, concurrency)
    rpc["cpu_ms"] = meter.per_operation_ms(rpc["count"])
    return rpc


class Turns:
    """One system's donation phase in slices, taken in turns with another system's, so that
    both meet the same load from the rest of a shared machine: its slices summed. The demo
    data is loaded first."""

    def __init__(self, system: System, config: dict, postgres: bool = False):
        self.system = system
        self.config = config
        self.postgres = postgres  # PostgreSQL's processes are metered too
        seed(config)
        self.token = login(system.url)
        self.latencies: list[float] = []
        self.failures: list = []
        self.elapsed = self.drained_in = 0.0
        self.backlog = 0
        self.cpu_s: Counter = Counter()

    def take(self, seconds: float, concurrency: int) -> None:
        meter = CpuMeter(processes_of(self.system, self.postgres))
        results, elapsed = run_threads(
            lambda barrier: donate_for(self.system.url, self.token, seconds, barrier),
            concurrency)
        drained_in, self.backlog = wait_outbox_drained(self.config)  # the events' cost
        self.cpu_s.update(meter.spent())  # belongs to them
        self.drained_in = max(self.drained_in, drained_in)
        self.elapsed += elapsed
        for done, failed in results:
            self.latencies += done
            self.failures += failed

    def phases(self) -> dict:
        donations = summarise(self.latencies, self.elapsed)
        donations["cpu_ms"] = per_operation_ms(self.cpu_s, donations["count"])
        return {"donations": donations, "failures": self.failures,
                "drained_in": self.drained_in, "backlog": self.backlog}


def in_turns(sides: tuple[Turns, Turns], seconds: float, concurrency: int, turns: int) -> None:
    """Each side's `seconds` in `turns` slices, alternating who goes first (ABBA), so that
    neither side gets the machine's quieter moments by its place."""
    for turn in range(turns):
        for side in sides if turn % 2 == 0 else sides[::-1]:
            side.take(seconds / turns, concurrency)


def check_phases(phases: dict) -> None:
    if phases["failures"]:
        raise BenchFailure(phases["failures"])
    if phases["backlog"]:
        raise BenchFailure(f"outbox backlog still {phases['backlog']} after "
                           f"{OUTBOX_DRAIN_TIMEOUT} s")


def figures(phases: dict, pg_phases: dict) -> dict:
    """What `python -m bench` reports of this benchmark."""
    donations = phases["donations"]
    rpc = phases["rpc"]
    on_pg = pg_phases["donations"]
    return {"donations_per_s": donations["per_second"], "rpc_per_s": rpc["per_second"],
            "donation_rpc_ratio": ratio(donations, rpc),
            "sqlite_donations_per_s": donations["per_second"],
            "pg_donations_per_s": on_pg["per_second"], "pg_sqlite_ratio": ratio(on_pg, donations),
            "donation_p50_ms": donations["p50_ms"], "donation_p99_ms": donations["p99_ms"],
            "pg_donation_p50_ms": on_pg["p50_ms"], "pg_donation_p99_ms": on_pg["p99_ms"],
            "rpc_p50_ms": rpc["p50_ms"], "rpc_p99_ms": rpc["p99_ms"],
            "donation_cpu_ms": donations["cpu_ms"]["all"], "rpc_cpu_ms": rpc["cpu_ms"]["all"],
            "sqlite_fund_cpu_ms": donations["cpu_ms"]["fund-1"],
            "pg_fund_cpu_ms": on_pg["cpu_ms"]["fund-1"],
            "pg_gateway_cpu_ms": on_pg["cpu_ms"]["gateway"]}


def ratio(top: dict, bottom: dict) -> float:
    return top["per_second"] / bottom["per_second"] if bottom["per_second"] else 0.0


def measure(seconds: float = 10, concurrency: int = 8, turns: int = 4,
            show: bool = False) -> dict:
    """Donations on a throwaway system on SQLite and on one on PostgreSQL (a throwaway
    database per service) in turns, then the RPC phase on the first; raises BenchFailure
    (logs kept) if any donation failed or an outbox did not drain. `show`: print the
    tables."""
    with throwaway_system("phf-bench-") as (system, config):
        on_sqlite = Turns(system, config)  # loaded before the next system moves PHF_VAR_DIR
        with throwaway_databases("donations") as urls, services_on(urls), \
                throwaway_system("phf-bench-pg-") as (pg_system, pg_config):
            on_postgres = Turns(pg_system, pg_config, postgres=True)
            in_turns((on_sqlite, on_postgres), seconds, concurrency, turns)
            pg_phases = on_postgres.phases()
            check_phases(pg_phases)  # in the block: the logs are kept
        phases = on_sqlite.phases()
        check_phases(phases)
        phases["rpc"] = rpc_phase(system, config, seconds, concurrency)
    if show:
        print(f"\n{seconds:g} s per phase ({turns} turns each on SQLite and PostgreSQL), "
              f"{concurrency} client threads\n")
        print_table(phases["donations"], phases["rpc"], pg_phases["donations"])
        for database, done in (("SQLite", phases), ("PostgreSQL", pg_phases)):
            print(f"outbox on {database} drained at most {done['drained_in']:.2f} s after a "
                  "turn's donations")
    return figures(phases, pg_phases)


@contextmanager
def throwaway_system(prefix: str):
    """A started system on a broker vhost of its own, and its nameko config, stopped
    (before its vhost goes) afterwards; its logs are kept when the block raised, for
    whoever reads the error."""
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    ok = False
    try:
        with private_vhost(prefix.rstrip("-")) as uri:
            system = start_system(var_dir)
            try:
                yield system, {"AMQP_URI": uri}
                ok = True
            finally:
                system.stop()
    finally:
        if ok:
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"!! logs kept in {var_dir / 'logs'}", file=sys.stderr)


def run(prefix: str, benchmark_with, args) -> int:
    """Start a throwaway system, run `benchmark_with(system, config, args)`, stop it."""
    try:
        with throwaway_system(prefix) as (system, config):
            benchmark_with(system, config, args)
    except BenchFailure as exc:
        report_failure(exc)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--turns", type=int, default=4,
                        help="slices each database's donations are taken in, in turns")
    args = parser.parse_args()
    try:
        measure(args.seconds, args.concurrency, args.turns, show=True)
    except BenchFailure as exc:
        report_failure(exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
