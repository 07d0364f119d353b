"""A large CSV import through the running system, as staff run it.

    .venv/bin/python -m bench.imports [--rows 100000] [--postgres]

Writes a CSV of N rows (one in 2 000 bad), starts every service as real processes (SQLite,
or the fund on a throwaway PostgreSQL schema), loads the demo data, then times
`python -m deploy.ops import-donations` with its progress bar and checks that the fund
holds exactly the good rows afterwards. `measure()` gives the figures to `python -m bench`."""
import argparse
import csv
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from bench.donations import BenchFailure, report_failure, throwaway_system
from deploy.seed import seed
from shared.actors import system_actor
from shared.db import make_engine
from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT

BAD_EVERY = 2_000
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
COLUMNS = ["kind", "name", "id_number", "credit_code", "phone", "fund_code", "amount_yuan",
           "channel", "ref", "note"]


def write_export(path: Path, rows: int) -> int:
    """The CSV; how many of its rows are good."""
    run = uuid.uuid4().hex[:8]  # refs of their own, so a second run imports them again
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(1, rows + 1):
            amount = "abc" if n % BAD_EVERY == 0 else f"{n % 500 + 1}.{n % 100:02d}"
            person = make_resident_id("341181", date(1970, 1, 1), n % 1000)
            writer.writerow(["person", f"捐赠人{n}", person if n % 3 == 0 else "", "",
                             f"139{n % 100_000_000:08d}" if n % 3 == 1 else "", "GENERAL",
                             amount, "bank", f"BENCH-{run}-{n}", ""])
    return rows - rows // BAD_EVERY


def donation_count(config: dict) -> int:
    with ClusterRpcProxy(config) as rpc:
        return rpc.fund.list_donations({"limit": 1}, system_actor("bench"))["total"]


def import_once(config: dict, path: Path, quiet: bool) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "deploy.ops", "--amqp-uri",
                           config["AMQP_URI"], "import-donations", str(path),
                           *(["--quiet"] if quiet else [])], cwd=PROJECT_ROOT,
                          stdout=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - started
    if done.returncode not in (0, 1):  # 1: the bad rows were reported, as they should be
        raise BenchFailure(f"import-donations exited {done.returncode}: {done.stdout}")
    print(done.stdout.strip())
    return elapsed


@contextmanager
def fund_database(postgres: bool):
    """The environment that puts the fund on a throwaway PostgreSQL schema, or nothing."""
    if not postgres:
        yield {}
        return
    schema = f"bench_imports_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    saved = dict(os.environ)  # the system's processes take their URLs from it
    os.environ["FUND_DATABASE_URL"] = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        yield {"FUND_DATABASE_URL": os.environ["FUND_DATABASE_URL"]}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(rows: int = 100_000, postgres: bool = False, quiet: bool = True) -> dict:
    """Rows per second of one import of a fresh file; raises BenchFailure if the fund's
    donations grew by anything but the good rows."""
    with fund_database(postgres), throwaway_system("phf-bench-imports-") as (system, config):
        path = Path(system.log_dir).parent / "donations.csv"
        good = write_export(path, rows)
        seed(config)
        before = donation_count(config)
        elapsed = import_once(config, path, quiet)
        added = donation_count(config) - before
    if added != good:
        raise BenchFailure(f"{added} donations were added for {good} good rows")
    return {"import_rows_per_s": rows / elapsed, "import_rows": rows,
            "import_seconds": elapsed, "import_database": "postgresql" if postgres else "sqlite"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="the fund on PostgreSQL")
    args = parser.parse_args()
    try:
        figures = measure(args.rows, args.postgres, quiet=False)
    except BenchFailure as exc:
        report_failure(exc)
        return 1
    print(f"{figures['import_rows']} rows in {figures['import_seconds']:.1f} s: "
          f"{figures['import_rows_per_s']:.0f} rows/s ({figures['import_database']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
