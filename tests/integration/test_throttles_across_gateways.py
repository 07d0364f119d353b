"""Login throttles and public rates across gateway replicas: two gateways (two engines, as
two processes have) on one gateway database, SQLite and PostgreSQL. Failures spread over
both count once together, and attempts made at once are each counted, none lost."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.gateway.models import Throttle
from services.gateway.throttle import FailureBackoff, LoginGuard, Rate, Throttled, key_of
from shared.db import UnitOfWork, make_engine
from tests.support import Clock

AT_ONCE = 40


@pytest.fixture
def gateways(database_url):
    url = database_url("gateway")
    engines = [make_engine(url), make_engine(url)]
    yield [UnitOfWork(sessionmaker(engine, expire_on_commit=False), "test")
           for engine in engines]
    for engine in engines:
        engine.dispose()


def test_failures_spread_over_two_gateways_count_once_together(gateways):
    clock = Clock()
    guards = [LoginGuard(per_account=3, per_address=100, clock=clock) for _ in gateways]
    for n in range(4):  # two failures on each: together past the allowance of three
        guards[n % 2].failed(gateways[n % 2], "staff1", f"10.0.0.{n}")
    for guard, db in zip(guards, gateways, strict=True):
        with pytest.raises(Throttled) as held:
            guard.check(db, "Staff1", "10.9.9.9")
        assert held.value.retry_after == 1
    guards[1].succeeded(gateways[1], "staff1")  # a success on one clears it on both
    guards[0].check(gateways[0], "staff1", "10.9.9.9")


def test_failures_at_once_on_two_gateways_are_each_counted(gateways):
    backoff = FailureBackoff(allowance=10 ** 6, kind="login-account")

    def fail(n):
        backoff.failed(gateways[n % 2], "staff1")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(fail, range(AT_ONCE)))
    with gateways[0].transaction() as session:
        count = session.scalar(select(Throttle.count)
                               .where(Throttle.key == key_of("login-account", "staff1")))
    assert count == AT_ONCE


def test_requests_at_once_on_two_gateways_pass_exactly_the_rate(gateways):
    rate = Rate(per_minute=15, kind="posts")

    def post(n):
        try:
            rate.take(gateways[n % 2], "10.0.0.1", "requests without a login")
            return "taken"
        except Throttled as throttled:
            return throttled.retry_after

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(post, range(AT_ONCE)))
    held = [answer for answer in answers if answer != "taken"]
    assert answers.count("taken") == 15 and len(held) == AT_ONCE - 15
    # The window began with the first request, moments ago: almost all of it is left.
    assert all(55 <= seconds <= 60 for seconds in held), held


def test_expired_rows_go(gateways):
    clock = Clock()
    rate = Rate(per_minute=5, clock=clock, kind="posts")
    backoff = FailureBackoff(allowance=1, forget_after=600, clock=clock, kind="login-address")
    rate.take(gateways[0], "10.0.0.1", "posts")
    backoff.failed(gateways[0], "10.0.0.1")
    backoff.failed(gateways[0], "10.0.0.1")  # held back 1 s, remembered for 600
    clock.now += 120  # the rate's window has closed; the failures are still remembered
    later = Rate(per_minute=5, clock=clock, kind="posts")  # another process's first sweep
    later.take(gateways[1], "10.0.0.2", "posts")
    with gateways[0].transaction() as session:
        keys = set(session.scalars(select(Throttle.key)))
    assert keys == {key_of("posts", "10.0.0.2"), key_of("login-address", "10.0.0.1")}
