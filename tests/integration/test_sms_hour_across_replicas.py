"""Each number's hourly SMS limit across notifications replicas, on PostgreSQL: two rounds
(two engines, as two processes have) take different sends to one number at once; together
they hand over no more than the limit, the rest put off until a place frees."""
import uuid
from datetime import UTC, datetime, timedelta

import eventlet
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications import sending
from services.notifications.models import Message, Send
from shared.db import make_engine

LIMIT = 5
SENDS = 10
NUMBER = "n" * 16


def test_two_rounds_at_once_keep_one_numbers_hour(postgres_url, data_keys):
    data_keys("k1")
    url = postgres_url("notifications")
    engines = [make_engine(url), make_engine(url)]
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    rules = sending.Rules(None, LIMIT, [10.0], timedelta(minutes=5))
    try:
        with Session(engines[0]) as session, session.begin():
            for n in range(SENDS):
                message = Message(association_code="341181", event_key=f"e{n}", person="p1",
                                  channel="sms", kind="claim_approved", language="zh",
                                  text="您的理赔已批准", params={}, address="13900000000",
                                  address_index=NUMBER, to_masked="139****0000",
                                  status="queued")
                message.sends.append(Send(key=str(uuid.uuid4()), channel="sms",
                                          address_index=NUMBER, status="due",
                                          due_at=now - timedelta(minutes=n)))
                session.add(message)
        first = Session(engines[0])
        first.begin()
        taken_first = sending.take(first, now, rules, batch=LIMIT)  # holds the number
        second = eventlet.spawn(_round, engines[1], now, rules)
        eventlet.sleep(0.5)  # the second round has taken its sends and waits on the number
        first.commit()
        first.close()
        taken_second = second.wait()
        assert (len(taken_first), len(taken_second)) == (LIMIT, 0)
        with Session(engines[0]) as session:
            statuses = session.scalars(select(Send.status)).all()
            waiting = session.scalars(select(Send.due_at).where(Send.status == "due")).all()
        assert sorted(statuses).count("sending") == LIMIT
        assert all(due > now for due in waiting) and len(waiting) == SENDS - LIMIT
    finally:
        for engine in engines:
            engine.dispose()


def _round(engine, now, rules):
    with Session(engine) as session, session.begin():
        return sending.take(session, now, rules, batch=LIMIT)
