"""A staff-side session ends after SESSION_IDLE_MINUTES unused, counted from the token's
last recorded use (or its issue); a use is recorded at most once a step, so a busy token
costs a write a minute. Here without a database: the recording is watched, not done (the
database side: tests/integration/test_idle_sessions.py)."""
from datetime import UTC, datetime, timedelta

import pytest

from services.gateway import idle_sessions

ISSUED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CLAIMS = {"jti": "t1", "iat": int(ISSUED.timestamp()),
          "exp": int((ISSUED + timedelta(hours=8)).timestamp())}


@pytest.fixture
def recorded(monkeypatch):
    """The uses the sessions record, as (token id, moment, first record of the token)."""
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("TOKEN_TTL_SECONDS", str(8 * 3600))
    uses = []
    monkeypatch.setattr(idle_sessions, "_record", lambda db, claims, now, first: uses.append(
        (claims["jti"], now, first)))
    return uses


def at(minutes: float) -> datetime:
    return ISSUED + timedelta(minutes=minutes)


def test_a_token_never_used_is_open_for_the_limit_after_it_was_issued(recorded):
    assert idle_sessions.still_open(None, CLAIMS, None, at(30))
    assert not idle_sessions.still_open(None, CLAIMS, None, at(30.01))


def test_a_use_on_record_opens_the_limit_again(recorded):
    assert idle_sessions.still_open(None, CLAIMS, at(40), at(70))
    assert not idle_sessions.still_open(None, CLAIMS, at(40), at(70.01))


def test_a_use_is_recorded_once_a_minute_not_on_every_request(recorded):
    for seconds in (0, 10, 59):
        assert idle_sessions.still_open(None, CLAIMS, None, ISSUED + timedelta(seconds=seconds))
    assert recorded == []
    assert idle_sessions.still_open(None, CLAIMS, None, at(1))
    assert idle_sessions.still_open(None, CLAIMS, at(1), at(1.5))
    assert idle_sessions.still_open(None, CLAIMS, at(1), at(2))
    assert recorded == [("t1", at(1), True), ("t1", at(2), False)]


def test_an_ended_session_records_nothing(recorded):
    assert not idle_sessions.still_open(None, CLAIMS, at(5), at(40))
    assert recorded == []


def test_a_short_limit_records_a_tenth_of_it_apart(recorded, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "0.5")
    assert idle_sessions.step() == timedelta(seconds=3)
    assert idle_sessions.still_open(None, CLAIMS, None, ISSUED + timedelta(seconds=3))
    assert recorded == [("t1", ISSUED + timedelta(seconds=3), True)]


def test_a_use_recorded_before_the_issue_counts_from_the_issue(recorded):
    # A replica whose clock runs behind the one that issued the token.
    assert idle_sessions.last_use(CLAIMS, at(-0.1)) == ISSUED
    assert idle_sessions.last_use(CLAIMS, at(12).replace(tzinfo=None)) == at(12)  # SQLite


def test_a_token_from_before_tokens_carried_their_issue_counts_from_exp_less_the_ttl(recorded):
    old = {key: value for key, value in CLAIMS.items() if key != "iat"}
    assert idle_sessions.last_use(old, None) == ISSUED


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "thirty"])
def test_the_limit_must_be_a_positive_number_of_minutes(monkeypatch, value):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", value)
    with pytest.raises(ValueError):
        idle_sessions.idle_limit()
