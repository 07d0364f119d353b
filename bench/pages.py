"""The web pages staff, coordinators and donors open most, timed through HTTP with a
logged-in browser session, on a county's worth of data and on a province's.

    .venv/bin/python -m bench.pages [--families 30000] [--requests 30]
    .venv/bin/python -m bench pages [--quick]

On throwaway PostgreSQL databases (one per service) the loader (`bench.load`) writes a
county of `families` registered families (at 30 000: 100 000 policies, 200 000 donations,
1 000 000 ledger lines); the whole system starts on them (`deploy.processes.System`, on a
RabbitMQ vhost of its own); staff1, coordinator1 and donor1 log in through the login form
and each opens every page of theirs `requests` times, one after another. The figures:
each page's p95 (ms), the worst of them (`page_p95_ms`), and the largest resident memory
of any service's or the gateway's process afterwards (`max_rss_mb`). Then the same on a
province's databases: 100 counties of `province_families` families each (the first
loaded, the others its copies), the pages read by the county's staff and by the province's
login reading that county (`page_p95_ms_province`). `measure()` gives the figures to
`python -m bench`.

To work on a page: `--keep` leaves the loaded databases in place and prints the keys they
were sealed with; with those keys exported, `--reuse-county STEM` (or `--reuse-province
STEM`) times the pages on them without loading again, `--pages statement,dashboard` only
those. Drop kept databases by hand afterwards."""
import argparse
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from bench import county
from bench.load import load
from bench.province import kept_databases, migrated_databases, own_keys, p95
from bench.vhost import private_vhost
from deploy.processes import System, free_port
from shared.clock import local_today
from shared.migrate import SERVICES_WITH_DATABASES
from shared.settings import association_code

WARM_UP = 2
KEYS = ("SERVICE_KEY", "DATA_KEYS", "DATA_INDEX_KEY")  # what a reused database was sealed with
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _ids(urls: dict[str, str], county_code: str) -> dict:
    """Real records of the county to open: a family, a claim, a policy, a shift, a receipt
    of donor1's (the county's first donor)."""
    def first(service: str, query: str):
        engine = create_engine(urls[service].replace("postgresql://", "postgresql+psycopg2://"))
        try:
            with engine.connect() as connection:
                return connection.execute(text(query), {"code": county_code}).scalar_one()
        finally:
            engine.dispose()
    return {
        "family": first("families", "SELECT min(id) FROM families WHERE association_code = :code"),
        "claim": first("insurance", "SELECT min(id) FROM claims WHERE association_code = :code "
                                    "AND status = 'paid'"),
        "policy": first("insurance", "SELECT policy_no FROM policies WHERE association_code = "
                                     ":code ORDER BY id LIMIT 1"),
        "shift": first("volunteers", "SELECT min(id) FROM shifts WHERE association_code = :code "
                                     "AND starts_at > now()"),
        "donation": first("fund", "SELECT min(id) FROM donations WHERE association_code = :code "
                                  f"AND donor_id = {county.ids(1)[0]}"),
    }


def pages(ids: dict, code: str) -> dict[str, list[tuple[str, str]]]:
    """login -> (page, address) it opens."""
    today = local_today()
    year = f"from={(today - timedelta(days=365)).isoformat()}&to={today.isoformat()}"
    staff = [("staff_home", "/staff"), ("donations", "/staff/donations"),
             ("donations_page_50", "/staff/donations?donations_page=50"),
             ("families", "/families"), ("family", f"/families/{ids['family']}"),
             ("insurance", "/insurance"), ("policy", f"/insurance/policies/{ids['policy']}"),
             ("claim", f"/insurance/claims/{ids['claim']}"),
             ("statement", "/staff/funds/GENERAL/statement"),
             ("statement_year", f"/staff/funds/GENERAL/statement?{year}"),
             ("dashboard", f"/associations/{code}")]
    return {"staff1": staff,
            "coordinator1": [("coordinator", "/coordinator"),
                             ("shift", f"/coordinator/shifts/{ids['shift']}")],
            "donor1": [("donor_home", "/donor"), ("receipt", f"/receipts/{ids['donation']}"),
                       ("annual_receipt", "/donor/annual-receipt")]}


def logged_in(base: str, username: str) -> requests.Session:
    """A browser's session: the login form's nonce cookie and CSRF token, then the form."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=30)
    token = CSRF.search(form.text).group(1)
    answer = session.post(f"{base}/login", data={
        "username": username, "password": f"{username}-demo", "csrf": token},
        allow_redirects=False, timeout=30)
    if answer.status_code not in (302, 303) or "phf_session" not in session.cookies:
        raise RuntimeError(f"{username} could not log in: {answer.status_code}")
    return session


def timed(session: requests.Session, url: str, count: int) -> list[float]:
    """Seconds each of `count` requests of the page took, after a few to warm caches."""
    seconds = []
    for n in range(WARM_UP + count):
        started = time.perf_counter()
        answer = session.get(url, timeout=120)
        took = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:300]}")
        if n >= WARM_UP:
            seconds.append(took)
    return seconds


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def system_on(urls: dict[str, str]):
    """Every service and the gateway on these databases and a vhost of their own."""
    with private_vhost("phf-bench-pages") as amqp, tempfile.TemporaryDirectory() as var:
        env = {f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()}
        system = System(port=free_port(), log_dir=Path(var) / "logs",
                        env={**env, "AMQP_URI": amqp, "PHF_VAR_DIR": var,
                             "LOGIN_FAILURES_PER_ADDRESS": "100000"})
        system.start()
        try:
            system.wait_healthy(180)
            yield system
        finally:
            system.stop(timeout=5)


def timed_pages(system: System, visits: dict[str, list[tuple[str, str]]],
                count: int) -> dict[str, float]:
    """page -> its p95 in ms."""
    found = {}
    for username, opened in visits.items():
        session = logged_in(system.url, username)
        for name, address in opened:
            try:
                found[name] = 1000 * p95(timed(session, system.url + address, count))
            except RuntimeError as refused:  # the gateway's log says why
                raise RuntimeError(f"{refused}\n{system.log_tail('gateway', 60)}") from None
    return found


@contextmanager
def loaded(label: str, families: int, counties_in_all: int, say, keep: bool = False,
           reuse: str | None = None):
    """(service -> URL, seconds the load took) of databases holding the counties: loaded
    into throwaway ones (left in place if `keep`), or those a kept run left (`reuse`: their
    name's stem, loaded with the keys in the environment)."""
    if reuse:
        yield kept_databases(reuse, SERVICES_WITH_DATABASES), 0.0
        return
    with migrated_databases(label, SERVICES_WITH_DATABASES, keep) as urls:
        yield urls, load(urls, county.Size.county(families), counties_in_all, say=say)["load_s"]


def only(visits: dict[str, list[tuple[str, str]]], names: set[str] | None) -> dict:
    """The visits to the pages named (all if none are)."""
    return {user: [(name, address) for name, address in opened
                   if not names or name.removesuffix("_province1") in names]
            for user, opened in visits.items()}


def county_figures(families: int, count: int, say, keep: bool = False,
                   reuse: str | None = None, names: set[str] | None = None) -> dict:
    code = association_code()
    with loaded("pages", families, 1, say, keep, reuse) as (urls, load_s):
        visits = only(pages(_ids(urls, code), code), names)
        with system_on(urls) as system:
            p95s = timed_pages(system, visits, count)
            rss = {label: rss_mb(process.pid) for label, process in system.processes.items()}
    return {"page_load_s": load_s, "page_families": families,
            **{f"page_{name}_p95_ms": ms for name, ms in p95s.items()},
            **{f"rss_{label}_mb": mb for label, mb in rss.items()},
            "page_p95_ms": max(p95s.values()), "page_worst": max(p95s, key=p95s.get),
            "max_rss_mb": max(rss.values())}


def province_figures(families: int, counties_in_all: int, count: int, say,
                     keep: bool = False, reuse: str | None = None,
                     names: set[str] | None = None) -> dict:
    code = association_code()
    with loaded("pages_province", families, counties_in_all, say, keep, reuse) \
            as (urls, load_s):
        ids = _ids(urls, code)
        staff = pages(ids, code)["staff1"]
        # province1 reads the county as its staff do, the county named in the address.
        read = [(f"{name}_province1", address + ("&" if "?" in address else "?")
                 + f"association={code}") for name, address in staff]
        with system_on(urls) as system:
            p95s = timed_pages(system, only({"staff1": staff, "province1": read}, names),
                               count)
    return {"page_province_load_s": load_s, "page_province_counties": counties_in_all,
            "page_province_families": families,
            **{f"page_province_{name}_p95_ms": ms for name, ms in p95s.items()},
            "page_p95_ms_province": max(p95s.values()),
            "page_province_worst": max(p95s, key=p95s.get)}


def measure(families: int = 30_000, requests: int = 30, province_families: int = 1_000,
            counties_in_all: int = 100, say=print, **trying) -> dict:
    """`trying` (from the command line, to work on a page): keep, reuse_county,
    reuse_province (a kept run's database stems), names (the pages to time)."""
    if trying.get("keep"):
        own_keys()
        say("the keys to reuse the databases with:\n" + "\n".join(
            f"export {name}='{os.environ[name]}'" for name in KEYS))
    own_keys()
    figures = {}
    if counties_in_all <= 1 or not trying.get("reuse_province"):
        figures = county_figures(families, requests, say, trying.get("keep", False),
                                 trying.get("reuse_county"), trying.get("names"))
        say(report(figures))
    if counties_in_all > 1 and not trying.get("reuse_county"):
        figures.update(province_figures(province_families, counties_in_all, requests, say,
                                        trying.get("keep", False),
                                        trying.get("reuse_province"), trying.get("names")))
    return figures


def report(figures: dict) -> str:
    return "\n".join(f"{key:<48}{value:>12.1f}" if isinstance(value, float) else
                     f"{key:<48}{value!s:>12}" for key, value in figures.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--province-families", type=int, default=1_000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--keep", action="store_true",
                        help="leave the loaded databases in place (drop them by hand after)")
    parser.add_argument("--reuse-county", metavar="STEM",
                        help="time the county's pages on databases a --keep run left")
    parser.add_argument("--reuse-province", metavar="STEM",
                        help="time the province's pages on databases a --keep run left")
    parser.add_argument("--pages", help="the pages to time, by name, comma-separated")
    args = parser.parse_args()
    names = set(args.pages.split(",")) if args.pages else None
    print(report(measure(args.families, args.requests, args.province_families, args.counties,
                         keep=args.keep, reuse_county=args.reuse_county,
                         reuse_province=args.reuse_province, names=names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
