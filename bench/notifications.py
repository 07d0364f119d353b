"""Messages to people: events published → SMS handed to the provider and recorded sent, per
second, through the notifications service as it runs (a `nameko run` process on SQLite)
and Aliyun's SDK against the local stand-in for its SMS API (tests/fake_providers.py).

    .venv/bin/python -m bench.notifications [--events 2000]

Each event is a claim approved for a person of their own (so no number reaches its hourly
limit): an inbox message and an SMS each. The clock runs from the first event published to
the last SMS recorded `sent`. `measure()` gives the figure to `python -m bench`."""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pika
from sqlalchemy import create_engine, text

from bench.vhost import private_vhost
from deploy.processes import SERVICES, System
from shared.contracts.events import build_envelope
from shared.migrate import upgrade
from shared.outbox import pika_uri
from shared.recipients import recipient

QUEUE = "evt-insurance-claim_approved--notifications.on_claim_approved"


def _events(count: int) -> list[bytes]:
    return [json.dumps(build_envelope("insurance.claim_approved", {
        "association_code": "341181", "claim_id": n, "claim_no": f"CL-{n}", "policy_no": "P-1",
        "product_code": "ONLY_CHILD_ACCIDENT", "amount_approved_fen": 50_000,
        "payout_fund_code": "INSURANCE_PAYOUT", "insured_name": "张三丰",
        "insured_id_number_masked": "3411**********1234", "approved_by": "bench",
        "recipients": [recipient(f"insured:{n}", "张三丰", f"138{n:08d}")]}, "bench")).encode()
        for n in range(1, count + 1)]


def _publish(uri: str, bodies: list[bytes]) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(uri)))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.exchange_declare("insurance.events", exchange_type="topic", durable=True)
        for body in bodies:
            channel.basic_publish("insurance.events", "claim_approved", body,
                                  pika.BasicProperties(content_type="application/json",
                                                       delivery_mode=2))
    finally:
        connection.close()


def _sent(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM sends WHERE status = 'sent'")) \
            .scalar()


def measure(events: int = 2_000) -> dict:
    # The stand-in and the broker's helpers live with the tests.
    from tests.fake_providers import FakeProviders
    from tests.support import queue_declared, wait_until

    bodies = _events(events)
    providers = FakeProviders()
    with private_vhost("phf-bench-notifications") as uri, \
            tempfile.TemporaryDirectory(prefix="phf-bench-notifications-") as directory:
        url = f"sqlite:///{Path(directory) / 'notifications.db'}"
        upgrade("notifications", url)
        system = System(log_dir=Path(directory) / "logs", env={
            **providers.env, "AMQP_URI": uri, "NOTIFICATIONS_DATABASE_URL": url,
            "QUIET_HOURS": "", "WORK_LOG_LEVEL": "WARNING", "NOTIFICATIONS_LOG_LEVEL": "WARNING"})
        engine = create_engine(url)
        try:
            system.start_one("notifications", SERVICES["notifications"])
            wait_until(lambda: queue_declared(uri, QUEUE), timeout=60)
            began = time.perf_counter()
            _publish(uri, bodies)
            published = time.perf_counter() - began
            while _sent(engine) < events:
                system.check_alive()
                if time.perf_counter() - began > 30 + events / 20:
                    raise TimeoutError(f"{_sent(engine)} of {events} SMS sent")
                time.sleep(0.05)
            seconds = time.perf_counter() - began
            calls = providers.calls()
        finally:
            engine.dispose()
            system.stop(timeout=2)
            providers.stop()
    if calls != events:
        raise RuntimeError(f"{calls} SendSms calls for {events} SMS")
    return {"notifications_per_s": events / seconds, "notifications_events": events,
            "notifications_publish_s": published, "notifications_seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2_000)
    args = parser.parse_args()
    for name, value in measure(args.events).items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
