"""A province on one deployment: the main per-association reads of one county, timed with
that county's data alone and again with 100 counties' data beside it.

    .venv/bin/python -m bench.province [--families 5000] [--counties 100] [--calls 200]
    .venv/bin/python -m bench province [--quick]

On throwaway PostgreSQL databases, one per service, migrated with the services' Alembic
histories: loads one county (`bench.county`: `families` registered families and the rest
in proportion), times its reads (`bench.reads`: each `calls` times, p95), copies the county
99 times under other codes (`bench.counties`: every table's rows interleaved by id as when
all counties write at once), and times the first county's reads again. The figures: each
read's p95 at 1 and at 100 counties and their ratio, and the worst of them
(`province_ratio`, the target: <= 1.5). `measure()` gives the figures to `python -m bench`."""
import argparse
import os
import secrets
import sys
import time
from base64 import b64encode
from contextlib import contextmanager
from datetime import UTC, datetime

from bench import counties, county
from bench.postgres import SERVER, throwaway_databases
from bench.reads import Reads, side_by_side
from services.families.models import Base as FamiliesBase
from services.fund.models import Base as FundBase
from services.insurance.models import Base as InsuranceBase
from services.volunteers.models import Base as VolunteersBase
from shared.db import make_engine
from shared.migrate import upgrade

FIRST = "341101"
METADATA = {"fund": FundBase.metadata, "families": FamiliesBase.metadata,
            "insurance": InsuranceBase.metadata, "volunteers": VolunteersBase.metadata}


@contextmanager
def migrated_databases(label: str, services: tuple[str, ...] = tuple(METADATA),
                       keep: bool = False):
    """service -> URL of a new database migrated to head, each dropped afterwards unless
    `keep` (then `kept_databases` opens them again)."""
    with throwaway_databases(label, services, keep) as urls:
        for service, url in urls.items():
            upgrade(service, url)
        yield urls


def kept_databases(stem: str, services: tuple[str, ...] = tuple(METADATA)) -> dict[str, str]:
    """service -> URL of a database `migrated_databases(keep=True)` left, migrated to head."""
    urls = {service: f"{SERVER}/{stem}_{service}" for service in services}
    for service, url in urls.items():
        upgrade(service, url)
    return urls


def own_keys() -> None:
    """Keys of this run's own, unless given: nothing is written under var/."""
    os.environ.setdefault("SERVICE_KEY", secrets.token_hex(32))
    os.environ.setdefault("DATA_KEYS", f"k1:{b64encode(secrets.token_bytes(32)).decode()}")
    os.environ.setdefault("DATA_INDEX_KEY", b64encode(secrets.token_bytes(32)).decode())


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def each_service(urls: dict[str, str], work) -> tuple[float, int]:
    """Seconds `work(service, engine, metadata)` took over every service's database, and
    the sum of what it answered (rows written, say)."""
    started = time.monotonic()
    total = 0
    for service, metadata in METADATA.items():
        engine = make_engine(urls[service])
        try:
            total += work(service, engine, metadata) or 0
        finally:
            engine.dispose()
    return time.monotonic() - started, total


def load_first(urls: dict[str, str], size: county.Size, now: datetime) -> int:
    """The first county, vacuumed and analysed; rows written."""
    _, written = each_service(urls, lambda service, engine, metadata: county.load(
        service, engine, metadata, FIRST, size, now))
    each_service(urls, lambda _, engine, __: counties.settle(engine))
    return written


def check_found(reads: Reads) -> None:
    found = reads.answers()
    empty = [name for name in ("donations", "families", "claims_queue", "policies", "shifts")
             if not found[name]["items"]]
    if empty:
        raise RuntimeError(f"reads found none of the county's rows: {', '.join(empty)}")


def timed_reads(alone: dict[str, str], among: dict[str, str],
                calls: int) -> dict[str, tuple[float, float]]:
    """read -> p95 in ms of the first county's read, alone and among the others."""
    first, second = Reads(alone, FIRST), Reads(among, FIRST)
    try:
        check_found(first)
        check_found(second)
        p95s = {}
        for name in first.reads:
            seconds = side_by_side(first, second, name, calls)
            p95s[name] = (1000 * p95(seconds[0]), 1000 * p95(seconds[1]))
        return p95s
    finally:
        first.close()
        second.close()


def measure(families: int = 5_000, counties_in_all: int = 100, calls: int = 200) -> dict:
    """The first county's reads, timed on databases holding it alone and on databases
    holding it among `counties_in_all - 1` others, the two taking turns call by call."""
    own_keys()
    size = county.Size(families)
    others = counties.codes(FIRST, counties_in_all - 1)
    now = datetime.now(UTC)
    figures: dict = {"province_counties": counties_in_all, "province_families": families}
    with migrated_databases("one") as alone, migrated_databases("all") as among:
        started = time.monotonic()
        figures["province_rows_1"] = load_first(alone, size, now)
        figures["province_load_1_s"] = time.monotonic() - started
        load_first(among, size, now)
        figures["province_copy_s"], copied = each_service(
            among, lambda _, engine, metadata: counties.copy(engine, metadata, FIRST, others))
        figures["province_rows_100"] = figures["province_rows_1"] + copied
        figures["province_scatter_s"], _ = each_service(
            among, lambda _, engine, metadata: counties.scatter(engine, metadata))
        p95s = timed_reads(alone, among, calls)
    for name, (one, hundred) in p95s.items():
        figures[f"province_{name}_p95_ms_1"] = one
        figures[f"province_{name}_p95_ms_100"] = hundred
        figures[f"province_{name}_ratio"] = hundred / one
    worst = max(p95s, key=lambda name: p95s[name][1] / p95s[name][0])
    figures.update({"province_p95_ms_1": p95s[worst][0], "province_p95_ms_100": p95s[worst][1],
                    "province_ratio": p95s[worst][1] / p95s[worst][0],
                    "province_worst_read": worst})
    return figures


def report(figures: dict) -> str:
    """Each read's p95 at 1 and at 100 counties and the ratio, then the rest."""
    reads = [key[len("province_"):-len("_p95_ms_1")] for key in figures
             if key.endswith("_p95_ms_1") and key != "province_p95_ms_1"]
    lines = [f"{'read':<16}{'p95 ms at 1':>13}{'at ' + str(figures['province_counties']):>13}"
             f"{'ratio':>8}"]
    lines += [f"{name:<16}{figures[f'province_{name}_p95_ms_1']:>13.2f}"
              f"{figures[f'province_{name}_p95_ms_100']:>13.2f}"
              f"{figures[f'province_{name}_ratio']:>8.2f}" for name in reads]
    lines.append("")
    lines += [f"{key:<28}{value:>14.2f}" if isinstance(value, float) else
              f"{key:<28}{value:>14}" for key, value in figures.items()
              if not key.startswith(tuple(f"province_{name}_" for name in reads))]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=5_000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    print(report(measure(args.families, args.counties, args.calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
