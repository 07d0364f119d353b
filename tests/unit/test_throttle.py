"""Failed logins slow down per account and per address; posts without a login are rated.
The counts live in the gateway's database: here an SQLite file, its tables made from the
models; tests/integration/test_throttles_across_gateways.py runs
them on files and PostgreSQL shared by two gateways."""
import pytest
from sqlalchemy.orm import sessionmaker

from services.gateway.models import Base
from services.gateway.throttle import FailureBackoff, LoginGuard, Rate, Throttled
from shared.db import UnitOfWork, make_engine
from tests.support import Clock


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    Base.metadata.create_all(engine)
    yield UnitOfWork(sessionmaker(engine, expire_on_commit=False), "test")
    engine.dispose()


def test_failures_past_the_allowance_double_the_wait(db):
    clock = Clock()
    backoff = FailureBackoff(allowance=3, first_wait=1, longest_wait=60, clock=clock)
    waits = []
    for _ in range(9):
        backoff.failed(db, "staff1")
        waits.append(backoff.wait_for(db, "staff1"))
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    for _ in range(3):
        backoff.failed(db, "staff1")
    assert backoff.wait_for(db, "staff1") == 60  # capped
    clock.now += 61
    assert backoff.wait_for(db, "staff1") == 0


def test_a_success_clears_an_account_and_quiet_time_forgets_it(db):
    clock = Clock()
    backoff = FailureBackoff(allowance=1, forget_after=600, clock=clock)
    backoff.failed(db, "a"), backoff.failed(db, "a")
    assert backoff.wait_for(db, "a") == 1
    backoff.succeeded(db, "a")
    assert backoff.wait_for(db, "a") == 0
    backoff.failed(db, "b"), backoff.failed(db, "b")
    clock.now += 601
    backoff.failed(db, "b")  # the old failures are forgotten: this is the first again
    assert backoff.wait_for(db, "b") == 0


def test_an_address_is_held_back_for_every_account_and_a_success_does_not_clear_it(db):
    clock = Clock()
    guard = LoginGuard(per_account=5, per_address=3, clock=clock)
    for n in range(4):
        guard.check(db, f"user{n}", "10.0.0.1")
        guard.failed(db, f"user{n}", "10.0.0.1")
    with pytest.raises(Throttled) as held:
        guard.check(db, "staff1", "10.0.0.1")
    assert held.value.retry_after == 1
    guard.succeeded(db, "staff1")
    with pytest.raises(Throttled):
        guard.check(db, "staff1", "10.0.0.1")
    guard.check(db, "staff1", "10.0.0.2")  # another address is not held back


def test_an_account_is_held_back_from_every_address_whatever_its_case(db):
    clock = Clock()
    guard = LoginGuard(per_account=2, per_address=100, clock=clock)
    for n in range(3):
        guard.failed(db, "Staff1", f"10.0.0.{n}")
    with pytest.raises(Throttled) as held:
        guard.check(db, "staff1", "10.9.9.9")
    assert "failed logins" in str(held.value)


def test_a_rate_allows_so_many_a_minute_and_says_when_to_come_back(db):
    clock = Clock()
    rate = Rate(per_minute=3, clock=clock)
    for _ in range(3):
        rate.take(db, "10.0.0.1", "pledges")
        clock.now += 1
    with pytest.raises(Throttled) as held:
        rate.take(db, "10.0.0.1", "pledges")
    assert held.value.retry_after == 57
    rate.take(db, "10.0.0.2", "pledges")
    clock.now += 57
    rate.take(db, "10.0.0.1", "pledges")


@pytest.mark.parametrize(("env", "secure"), [
    ({"PUBLIC_URL": "https://fund.example.org"}, True),
    ({"PUBLIC_URL": "http://127.0.0.1:8000"}, False),
    ({"PUBLIC_URL": "http://127.0.0.1:8000", "SECURE_COOKIES": "1"}, True),
    ({"PUBLIC_URL": "https://fund.example.org", "SECURE_COOKIES": "0"}, False)])
def test_session_cookies_are_secure_when_the_site_is_served_over_tls(monkeypatch, env, secure):
    from shared.settings import secure_cookies
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert secure_cookies() is secure
