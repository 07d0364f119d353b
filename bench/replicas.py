"""Donations per second with one and with two processes of every service, on PostgreSQL.

    .venv/bin/python -m bench.replicas [--seconds 10] [--concurrency 16]

Each run starts a throwaway system (own vhost, own PostgreSQL schemas in the database
`test`), and measures bench.donations' donation phase; the machine's CPU use during the
phase is read from /proc/stat. When the broker, PostgreSQL, the services and this client
already keep every core busy with one replica, a second one has no core to run on."""
import argparse
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from bench.cpu import CpuMeter, processes_of
from bench.donations import BenchFailure, phase_donations, print_figures, wait_outbox_drained
from bench.postgres import services_on
from bench.vhost import private_vhost
from deploy.processes import System, free_port
from deploy.seed import seed
from shared.db import make_engine
from shared.migrate import SERVICES_WITH_DATABASES
from shared.settings import amqp_uri

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@contextmanager
def postgres_schemas():
    """A schema per service; the URLs as `FUND_DATABASE_URL` etc. in this process too,
    where seed() and the migrations read them."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:8]
    urls = {}
    with admin.connect() as connection:
        for service in SERVICES_WITH_DATABASES:
            schema = f"bench_{service}_{tag}"
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            urls[service] = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        with services_on(urls) as variables:
            yield variables
    finally:
        with admin.connect() as connection:
            for service in urls:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "bench_{service}_{tag}" CASCADE'))


def donation_rate(replicas: int, seconds: float, concurrency: int) -> dict:
    with (tempfile.TemporaryDirectory(prefix="phf-bench-replicas-") as var_dir,
          private_vhost(), postgres_schemas() as urls):
        os.environ["PHF_VAR_DIR"] = var_dir
        system = System(port=free_port(), replicas=replicas,
                        env={"PHF_VAR_DIR": var_dir, **urls}, log_dir=Path(var_dir) / "logs")
        try:
            system.migrate()
            system.start()
            system.wait_healthy()
            config = {"AMQP_URI": amqp_uri()}
            seed(config)
            busy_before, total_before = cpu_times()
            meter = CpuMeter(processes_of(system, postgres=True))
            donations, failures = phase_donations(system.url, seconds, concurrency)
            busy_after, total_after = cpu_times()
            by_process = meter.per_operation_ms(donations["count"])
            _, backlog = wait_outbox_drained(config)
        except BaseException:
            print(system.log_tail("fund-1"), file=sys.stderr)
            raise
        finally:
            system.stop()
    if failures:
        raise BenchFailure(f"{len(failures)} donations failed with {replicas} replicas: "
                           f"{failures[:3]}")
    if backlog:
        raise BenchFailure(f"fund outbox backlog {backlog} left with {replicas} replicas")
    cpu = (busy_after - busy_before) / max(1, total_after - total_before)
    return {"per_second": donations["per_second"], "cpu_busy": cpu, "cpu_ms": by_process}


def measure(seconds: float = 10, concurrency: int = 16) -> dict:
    one = donation_rate(1, seconds, concurrency)
    time.sleep(1)
    two = donation_rate(2, seconds, concurrency)
    return {"replicas_1_per_s": one["per_second"], "replicas_2_per_s": two["per_second"],
            "replicas_ratio": two["per_second"] / one["per_second"],
            "replicas_1_cpu_busy": one["cpu_busy"], "replicas_2_cpu_busy": two["cpu_busy"],
            "cores": os.cpu_count(),
            # CPU ms per donation by process (fund-1, fund-2, postgres, broker, ...)
            **{f"replicas_{n}_cpu_ms_{label.replace('-', '_')}": value
               for n, run in ((1, one), (2, two)) for label, value in run["cpu_ms"].items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    return print_figures(lambda: measure(args.seconds, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
