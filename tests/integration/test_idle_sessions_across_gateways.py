"""Idle staff sessions across gateway replicas: two gateways (two engines, as two processes
have) on one gateway database, SQLite and PostgreSQL. A use one of them records keeps the
session open on the other; a token unused past the limit is refused by both. The clock of
the sessions is moved by hand; the tokens themselves are fresh."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.gateway import auth, idle_sessions
from services.gateway.models import TokenUse, User
from shared.db import UnitOfWork, make_engine


class Clock:
    def __init__(self):
        self.now = None

    def __call__(self):
        return self.now


@pytest.fixture
def replicas(database_url, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    url = database_url("gateway")
    engines = [make_engine(url), make_engine(url)]
    gateways = [UnitOfWork(sessionmaker(engine, expire_on_commit=False), "test")
                for engine in engines]
    with gateways[0].transaction() as session:
        for username, role in (("staff9", "staff"), ("donor9", "donor")):
            session.add(User(username=username, password_hash=auth.hash_password("x"),
                             role=role, display_name=username, association_code="341181"))
    yield gateways
    for engine in engines:
        engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth, "now_utc", clock)
    return clock


def token_of(gateways, username: str) -> tuple[str, object]:
    with gateways[0].transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(user)
    token = auth.issue_token(user)
    return f"Bearer {token.value}", auth._claims(f"Bearer {token.value}")


def recorded(gateway, claims) -> object:
    with gateway.transaction() as session:
        return session.scalar(select(TokenUse.last_used_at)
                              .where(TokenUse.token_id == claims["jti"]))


def test_a_use_recorded_by_one_replica_keeps_the_session_open_on_the_other(replicas, clock):
    one, other = replicas
    header, claims = token_of(replicas, "staff9")
    issued = idle_sessions.last_use(claims, None)

    clock.now = issued + timedelta(minutes=20)
    assert auth.current_actor(one, header)["username"] == "staff9"
    clock.now = issued + timedelta(minutes=45)  # 25 minutes after the use on `one`
    assert auth.current_actor(other, header)["username"] == "staff9"
    clock.now = issued + timedelta(minutes=45, seconds=30)  # within the minute: no write
    assert auth.current_actor(one, header)["username"] == "staff9"
    assert idle_sessions.last_use(claims, recorded(one, claims)) == \
        issued + timedelta(minutes=45)

    clock.now = issued + timedelta(minutes=76)
    for gateway in replicas:
        with pytest.raises(auth.SessionExpired):
            auth.current_actor(gateway, header)


def test_a_staff_token_never_used_ends_while_a_donors_goes_on(replicas, clock):
    staff, claims = token_of(replicas, "staff9")
    donor, _ = token_of(replicas, "donor9")

    clock.now = idle_sessions.last_use(claims, None) + timedelta(minutes=31)

    with pytest.raises(auth.SessionExpired):
        auth.current_actor(replicas[0], staff)
    assert auth.current_actor(replicas[1], donor)["role"] == "donor"


def test_two_replicas_recording_at_once_keep_the_later_use(replicas, clock):
    one, other = replicas
    _, claims = token_of(replicas, "staff9")
    issued = idle_sessions.last_use(claims, None)

    idle_sessions._record(one, claims, issued + timedelta(minutes=5), first=True)
    idle_sessions._record(other, claims, issued + timedelta(minutes=4), first=True)

    assert idle_sessions.last_use(claims, recorded(one, claims)) == issued + timedelta(minutes=5)


def test_the_rows_of_expired_tokens_go_when_a_new_token_is_first_recorded(replicas, clock):
    _, old = token_of(replicas, "staff9")
    _, new = token_of(replicas, "staff9")
    after_expiry = idle_sessions.last_use(old, None) + timedelta(hours=2)
    idle_sessions._record(replicas[0], old, idle_sessions.last_use(old, None), first=True)

    idle_sessions._record(replicas[1], new, after_expiry, first=True)

    assert recorded(replicas[0], old) is None
    assert recorded(replicas[0], new) is not None
