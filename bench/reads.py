"""A county's main reads, made in this process through the services' own entrypoints (each
loads its signed actor and input, opens its transaction, calls its use case and shapes its
answer, as an RPC would) with the real databases and no broker: the families dashboard
asks the fund and volunteers services' entrypoints directly, as its RPC proxies would.

    alone, among_others = Reads(urls, "341101"), Reads(other_urls, "341101")
    seconds_alone, seconds_among = side_by_side(alone, among_others, "donations", 200)"""
import time
from collections.abc import Callable
from datetime import timedelta

from nameko.testing.services import worker_factory
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.families.service import FamiliesService
from services.fund.service import FundService
from services.insurance.service import InsuranceService
from services.volunteers.service import VolunteersService
from shared.actors import sign
from shared.clock import local_today
from shared.db import UnitOfWork, make_engine

SERVICES = {"fund": FundService, "families": FamiliesService, "insurance": InsuranceService,
            "volunteers": VolunteersService}
WARM_UP = 5


class Reads:
    """The reads staff and coordinators make most, each a callable of no arguments."""

    def __init__(self, urls: dict[str, str], county: str):
        self.engines: dict[str, Engine] = {name: make_engine(urls[name]) for name in SERVICES}
        workers = {name: worker_factory(cls, db=UnitOfWork(
            sessionmaker(self.engines[name], expire_on_commit=False), "bench-province"))
            for name, cls in SERVICES.items()}
        families = workers["families"]
        families.fund, families.volunteers = workers["fund"], workers["volunteers"]
        staff = sign({"username": "staff1", "role": "staff", "association_code": county})
        coordinator = sign({"username": "coordinator1", "role": "coordinator",
                            "association_code": county})
        today = local_today()
        last_year = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
        fund, insurance = workers["fund"], workers["insurance"]
        self.reads: dict[str, Callable[[], dict]] = {
            "donations": lambda: fund.list_donations({}, staff),
            "statement": lambda: fund.statement("GENERAL", last_year, staff),
            "disbursements": lambda: fund.list_disbursements({"status": "requested"}, staff),
            "families": lambda: families.list_families({}, staff),
            "dashboard": lambda: families.dashboard(county, staff),
            "claims_queue": lambda: insurance.list_claims({"status": "submitted"}, staff),
            "policies": lambda: insurance.list_policies({}, staff),
            "shifts": lambda: workers["volunteers"].list_shifts({}, coordinator),
        }

    def timed(self, name: str) -> float:
        """Seconds one call of the read took."""
        started = time.perf_counter()
        self.reads[name]()
        return time.perf_counter() - started

    def answers(self) -> dict[str, dict]:
        """One answer of each read, to check they found the county's rows."""
        return {name: read() for name, read in self.reads.items()}

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


def side_by_side(first: Reads, second: Reads, name: str,
                 calls: int) -> tuple[list[float], list[float]]:
    """Seconds each of `calls` calls of the read took on each, the two taking turns, so
    that whatever else the machine is doing weighs on both alike; a few calls first warm
    the caches."""
    for _ in range(WARM_UP):
        first.reads[name]()
        second.reads[name]()
    seconds: tuple[list[float], list[float]] = ([], [])
    for _ in range(calls):
        seconds[0].append(first.timed(name))
        seconds[1].append(second.timed(name))
    return seconds
