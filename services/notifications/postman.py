"""The postman: a loop inside each service process that tells the reminders that fell due
and then makes a round of the due sends (sending.py), woken when a consumer queues a send
and every second besides. Its clock is an attribute, so a test can move time."""
import logging
import threading
from datetime import timedelta

from eventlet import GreenPool
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from services.notifications import reminders, sending
from services.notifications.mail import LogMail, SmtpMail
from services.notifications.settings import (
    mail_from,
    quiet_hours,
    send_retry_delays,
    send_timeout_seconds,
    sms_access_key,
    sms_endpoint,
    sms_per_phone_per_hour,
    sms_provider,
    sms_sign_name,
    sms_template_codes,
    smtp_url,
)
from services.notifications.sms import AliyunSms, LogSms
from shared.clock import now_utc
from shared.db import dependency_of
from shared.settings import association_name

log = logging.getLogger(__name__)

# A send held by a provider three timeouts long was cut off (its process died mid-call).
LEASE_TIMEOUTS = 3


def couriers() -> sending.Couriers:
    timeout = send_timeout_seconds()
    if sms_provider() == "log":
        sms = LogSms(sms_sign_name())
    else:
        sms = AliyunSms(sms_endpoint(), sms_access_key(), sms_sign_name(),
                        sms_template_codes(), timeout)
    url = smtp_url()
    mail = SmtpMail(url, mail_from(), association_name(), timeout) if url \
        else LogMail(mail_from(), association_name())
    return sending.Couriers(sms, mail)


class Postman(DependencyProvider):
    idle_wait = 1.0
    batch = 100
    concurrency = 20  # provider calls at once

    def __init__(self, database: str):
        """`database`: the service's attribute holding its Database."""
        self.database = database

    def setup(self):
        # Read here: a bad setting stops the start, not the first send.
        self.rules = sending.Rules(quiet_hours(), sms_per_phone_per_hour(),
                                   send_retry_delays(),
                                   timedelta(seconds=LEASE_TIMEOUTS * send_timeout_seconds()))
        self.couriers = couriers()
        self.clock = now_utc
        self._wake = threading.Event()
        self._running = False

    def start(self):
        self.engine = dependency_of(self.container, self.database).engine
        self.pool = GreenPool(self.concurrency)
        self._running = True
        self.container.spawn_managed_thread(self._loop, identifier="postman")

    def stop(self):
        self._running = False
        self._wake.set()

    def kill(self):
        self.stop()

    def kick(self):
        self._wake.set()

    def get_dependency(self, worker_ctx):
        return self

    def round(self) -> int:
        """Reminders due told, due sends handed over; returns how many of either."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            told = reminders.fire_due(session, now)
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            parcels = sending.take(session, now, self.rules, self.batch)
        if parcels:
            outcomes = sending.deliver(parcels, self.couriers, self.pool)
            with Session(self.engine) as session, session.begin():
                sending.record(session, outcomes, self.clock(), self.rules)
        return told + len(parcels)

    def _loop(self):
        while self._running:
            self._wake.clear()
            try:
                busy = self.round()
            except Exception:  # the database away for a moment: the sends wait for it
                log.exception("postman's round")
                busy = 0
            if not busy:
                self._wake.wait(self.idle_wait)
