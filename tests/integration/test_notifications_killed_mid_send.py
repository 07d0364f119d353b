"""Exactly once through a crash: the notifications service, a real `nameko run` process, is
SIGKILLed while Aliyun's SMS API (the local stand-in) holds its SendSms: the SMS was taken,
the outcome never recorded. Started again, it finds the send cut off, asks the provider
(QuerySendDetails) for its OutId instead of sending again, and records it sent: one SMS at
the provider, one SendSms call."""
import json

from sqlalchemy import create_engine, text

from deploy.processes import SERVICES, System
from shared.migrate import upgrade
from tests.fake_providers import FakeProviders
from tests.notification_events import claim, insured
from tests.support import publish_raw, queue_consumed, wait_until

RUNS_ALONE = True  # tests/parallel.py: it kills a service mid-send

QUEUE = "evt-insurance-claim_approved--notifications.on_claim_approved"


def sends(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT status, attempts FROM sends")).all()
    finally:
        engine.dispose()


def start(system: System) -> None:
    system.start_one("notifications", SERVICES["notifications"])
    wait_until(lambda: queue_consumed(system.env["AMQP_URI"], QUEUE), timeout=30)


def test_an_sms_cut_off_by_a_kill_between_sending_and_recording_goes_once(
        rabbit_config, tmp_path, data_keys):
    # The events this test seals and the service it starts open them with the same keys,
    # whatever keyring earlier tests in this process left cached.
    data_keys("k1")
    providers = FakeProviders()
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    upgrade("notifications", url)
    system = System(log_dir=tmp_path / "logs", env={
        **providers.env, "AMQP_URI": rabbit_config["AMQP_URI"], "QUIET_HOURS": "",
        "NOTIFICATIONS_DATABASE_URL": url, "SEND_TIMEOUT_SECONDS": "1"})
    try:
        start(system)
        providers.behave(sms="hold")  # takes the SMS, answers nobody
        publish_raw(system.env["AMQP_URI"], "insurance.events", "claim_approved",
                    json.dumps(claim("approved", insured())).encode())
        wait_until(lambda: len(providers.sms()) == 1, timeout=30)
        system.kill("notifications")
        assert sends(url) == [("sending", 1)]  # handed over, no outcome recorded

        providers.behave(sms="ok")
        start(system)
        wait_until(lambda: sends(url) == [("sent", 2)], timeout=30,
                   failure=lambda: f"{sends(url)}{system.log_tail('notifications')}")
        assert len(providers.sms()) == 1 and providers.calls() == 1
    finally:
        system.stop(timeout=0.5)
        providers.stop()
