"""Round trips to PostgreSQL per donation, in the fund's transaction and in the gateway's
token check: what a donation pays in waits on the database under eventlet.

    .venv/bin/python -m bench.round_trips [--donations 50]

On throwaway databases (bench.postgres) migrated to head, the fund's and the gateway's own
code runs in this process, on engines and sessions made as their services make them. Every
round trip psycopg2 makes goes through its wait callback (eventlet's in the services), so
counting the callback's calls counts each query, BEGIN, COMMIT and pool ping. After one
donation and one token check to warm the pools, it counts `donations` of each and gives the
round trips per one, and, of the fund's, the SQL statements SQLAlchemy sent."""
import argparse
import os
import secrets
import sys
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

from psycopg2 import extensions, extras
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.donations import DONATION, print_figures
from bench.postgres import throwaway_databases
from deploy.demo import FUNDS
from services.fund import donations, ledger
from services.fund.service import DONATION_IN
from services.gateway.auth import current_actor, issue_token
from services.gateway.models import User
from shared.actors import DONORS, load_actor, sign
from shared.contracts.events import CATALOGUE
from shared.db import Database
from shared.migrate import upgrade
from shared.settings import association_code

STAFF = {"username": "staff1", "role": "staff"}


class Counted:
    """Round trips and statements made inside `with counted.counting():`."""

    def __init__(self):
        self.round_trips = self.statements = 0
        self._on = False

    def wait(self, connection) -> None:
        if self._on:
            self.round_trips += 1
        extras.wait_select(connection)

    def statement(self, *_) -> None:
        if self._on:
            self.statements += 1

    @contextmanager
    def counting(self):
        self._on = True
        try:
            yield self
        finally:
            self._on = False


@contextmanager
def counted():
    counter = Counted()
    before = extensions.get_wait_callback()
    extensions.set_wait_callback(counter.wait)
    event.listen(Engine, "before_cursor_execute", counter.statement)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter.statement)
        extensions.set_wait_callback(before)


def database(service: str, url: str, catalogue=None):
    """The service's Database dependency, set up as its container would, without a relay."""
    db = Database(service, catalogue)
    db.container = SimpleNamespace(config={"DATABASE_URLS": {service: url}}, dependencies=[])
    db.setup()
    return db


def unit_of_work(db: Database):
    return db.get_dependency(SimpleNamespace(data={}, call_id=uuid.uuid4().hex))


def donate(db: Database, actor: dict) -> None:
    """What FundService.record_donation does, from its loaded input on."""
    gift = donations.KeyedGift(DONATION_IN.load(DONATION), DONATION, uuid.uuid4().hex)
    with unit_of_work(db).transaction() as session:
        donations.record_once(session, actor["association_code"], gift, actor)


def staff_token(db: Database) -> str:
    with unit_of_work(db).transaction() as session:
        user = User(username="staff1", password_hash="-", role="staff",
                    association_code=association_code())
        session.add(user)
        session.flush()
        session.expunge(user)
    return "Bearer " + issue_token(user).value


def per_donation(counter: Counted, donations_counted: int, work) -> tuple[float, float]:
    work()  # warms the pool and SQLAlchemy's statement cache
    counter.round_trips = counter.statements = 0
    with counter.counting():
        for _ in range(donations_counted):
            work()
    return (counter.round_trips / donations_counted, counter.statements / donations_counted)


def measure(donations_counted: int = 50) -> dict:
    for secret in ("SERVICE_KEY", "TOKEN_SECRET"):  # none written under var/
        os.environ.setdefault(secret, secrets.token_hex(32))
    with throwaway_databases("round_trips", ("fund", "gateway")) as urls, counted() as counter:
        for service, url in urls.items():
            upgrade(service, url)
        fund = database("fund", urls["fund"], CATALOGUE)
        gateway = database("gateway", urls["gateway"])
        try:
            with unit_of_work(fund).transaction() as session:
                ledger.ensure_fund(session, association_code(), FUNDS[0])
            actor = load_actor(sign({**STAFF, "association_code": association_code()}), DONORS)
            fund_trips, fund_statements = per_donation(
                counter, donations_counted, lambda: donate(fund, actor))
            header = staff_token(gateway)
            gateway_trips, _ = per_donation(
                counter, donations_counted, lambda: current_actor(unit_of_work(gateway), header))
        finally:
            fund.stop()
            gateway.stop()
    return {"fund_round_trips_per_donation": fund_trips,
            "fund_statements_per_donation": fund_statements,
            "gateway_round_trips_per_donation": gateway_trips}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=50)
    args = parser.parse_args()
    return print_figures(lambda: measure(args.donations))


if __name__ == "__main__":
    sys.exit(main())
