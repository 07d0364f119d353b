"""Counties' data at size in the databases a system runs on, to try it (or benchmark it) with
a county's worth of records rather than the demo's handful.

    .venv/bin/python -m bench load --families 30000 [--counties 100] [--no-logins]

Writes into the databases the services are configured with (`FUND_DATABASE_URL` etc.;
else the SQLite files under var/), migrating them first, while the system is stopped or
before it first starts. The first county is the install's own (`ASSOCIATION_CODE`, default
341181); `--counties K` copies it K - 1 times under the next county codes, each set up as a
province's admin sets one up (copies need PostgreSQL). A county's rows are scaled from its
families (`bench.county.Size.county`): at 30 000 families 90 000 persons, 100 000 policies,
12 000 claims, 200 000 donations and 1 000 000 ledger lines (paid disbursements make up
what the donations' lines leave), 7 500 volunteers and 15 000 shifts; `--policies`,
`--donations` and `--ledger-lines` (per family) change the proportions. The rows are the
services' own: identity numbers and phones sealed with the install's data keys, blind
indexes made, receipts numbered, balances and month totals as the postings leave them.
Unless `--no-logins`, the demo's logins are made for the county as `make run` makes them
(password `<username>-demo`; donor1 and volunteer1 are the county's first donor and
volunteer). Then start the system without the demo data: `deploy/run.sh --no-demo`."""
import argparse
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import MetaData, func, select, text

from bench import counties, county
from deploy.seed import ensure_users
from services.families.models import Base as FamiliesBase
from services.fund.models import Base as FundBase
from services.fund.models import Fund
from services.insurance.models import Base as InsuranceBase
from services.volunteers.models import Base as VolunteersBase
from shared import regions
from shared.db import make_engine
from shared.migrate import upgrade
from shared.settings import association_code, database_url

METADATA: dict[str, MetaData] = {
    "fund": FundBase.metadata, "families": FamiliesBase.metadata,
    "insurance": InsuranceBase.metadata, "volunteers": VolunteersBase.metadata}


def configured_urls() -> dict[str, str]:
    """service -> the database URL the system is configured with (gateway's included)."""
    return {service: database_url(service) for service in (*METADATA, "gateway")}


def load(urls: dict[str, str], size: county.Size, count: int = 1, logins: bool = True,
         now: datetime | None = None, say=print) -> dict:
    """The install's county at `size` and `count - 1` copies of it in the databases at
    `urls` (service -> URL; gateway's for the logins). The figures: rows, seconds."""
    first = association_code()
    others = counties.codes(first, count - 1)
    if others and not all(urls[s].startswith("postgresql") for s in METADATA):
        raise ValueError("copies of the county are made in SQL on PostgreSQL: give the "
                         "services PostgreSQL databases or load one county")
    now = now or datetime.now(UTC)
    started = time.monotonic()
    for service in (*METADATA, "gateway") if logins else METADATA:
        upgrade(service, urls[service])
    _refuse_loaded(urls["fund"], first)
    written = 0
    for service, metadata in METADATA.items():
        engine = make_engine(urls[service])
        try:
            step = time.monotonic()
            rows = county.load(service, engine, metadata, first, size, now)
            copied = counties.copy(engine, metadata, first, others) if others else 0
            if service == "families" and others:
                _set_up(engine, others)
            counties.settle(engine)
            written += rows + copied
            say(f"{service}: {rows + copied:,} rows in {time.monotonic() - step:.0f} s")
        finally:
            engine.dispose()
    if logins:
        ensure_users(county.ids(1)[0], county.ids(1)[0], urls["gateway"])
    return {"load_rows": written, "load_s": time.monotonic() - started,
            "load_counties": count, "load_families": size.families}


def _refuse_loaded(fund_url: str, first: str) -> None:
    engine = make_engine(fund_url)
    try:
        with engine.connect() as connection:
            if connection.scalar(select(func.count()).select_from(Fund).where(
                    Fund.association_code == first)):
                raise ValueError(f"association {first} has funds already: load into "
                                 "databases that hold none of its records")
    finally:
        engine.dispose()


def _set_up(engine, codes: list[str]) -> None:
    """The copies' county records, and their cities' where missing, as a province's admin
    sets them up."""
    with engine.begin() as connection:
        have = set(connection.scalars(text("SELECT code FROM regional_associations")))
        cities = sorted({regions.parent_of(code) for code in codes} - have)
        for code in cities + codes:
            connection.execute(text(
                "INSERT INTO regional_associations (association_code, code, name, level, "
                "parent_code, created_by) VALUES (:code, :code, :name, :level, :parent, "
                "'bench-load')"), {"code": code, "name": f"association {code}",
                                   "level": regions.level_of(code),
                                   "parent": regions.parent_of(code)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=30_000,
                        help="registered families in each county (default 30 000)")
    parser.add_argument("--counties", type=int, default=1,
                        help="counties in all: the install's and copies (PostgreSQL)")
    ours = county.Size.county(1)
    parser.add_argument("--policies", type=float, default=ours.policies_per_family,
                        help="policies per family (default 10/3)")
    parser.add_argument("--donations", type=float, default=ours.donations_per_family,
                        help="donations per family (default 20/3)")
    parser.add_argument("--ledger-lines", type=float, default=ours.lines_per_family,
                        help="ledger lines per family (default 100/3)")
    parser.add_argument("--no-logins", action="store_true",
                        help="make none of the demo's logins")
    args = parser.parse_args(argv)
    if args.families < 10 or not 1 <= args.counties < county.SPREAD:
        parser.error(f"--families at least 10; --counties 1 to {county.SPREAD - 1}")
    size = county.Size(args.families, args.policies, args.donations, args.ledger_lines)
    try:
        figures = load(configured_urls(), size, args.counties, not args.no_logins)
    except ValueError as refused:
        print(f"not loaded: {refused}", file=sys.stderr)
        return 1
    print(f"{figures['load_rows']:,} rows for {args.counties} counties of {args.families:,} "
          f"families in {figures['load_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
