"""The notifications service sending for real: through Aliyun's SDK to a local server that
answers as Aliyun's SMS API does, over SMTP to a local aiosmtpd, events from the broker.
One message per event, person and channel however often the event comes; quiet hours and
the hourly limit per number kept (the postman's clock moved by the test); opted-out people
not sent to; a provider failing tried again, then given up with its reason."""
import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, text

from services.notifications.domain import QuietHours
from services.notifications.models import Message, Send
from shared.clock import LOCAL
from tests.notification_events import (
    EMAIL,
    PHONE,
    claim,
    family,
    insured,
    shift_signed_up,
    visit,
    volunteer,
)
from tests.support import STAFF1, wait_until


def messages(notifications, **where) -> list[Message]:
    with notifications.session() as session:
        return list(session.scalars(select(Message).filter_by(**where).order_by(Message.id)))


def status_of(notifications, channel: str) -> list[str]:
    return [m.status for m in messages(notifications, channel=channel)]


def at_local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(LOCAL).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), LOCAL).astimezone(UTC)


def fix_clock(notifications, moment: datetime) -> None:
    notifications.postman.clock = lambda: moment
    notifications.postman.kick()


def test_one_message_per_event_person_and_channel_however_often_it_arrives(
        notifications, providers):
    event = claim("approved", insured(email=EMAIL))
    notifications.deliver(event)
    notifications.deliver(event)  # redelivered: the same event id
    wait_until(lambda: len(providers.sms()) == 1 and len(providers.mail()) == 1)
    wait_until(lambda: status_of(notifications, "sms") == ["sent"])

    [sms] = providers.sms()
    [sms_message] = messages(notifications, channel="sms")
    with notifications.session() as session:
        [send] = session.scalars(select(Send).filter_by(channel="sms")).all()
        stored = session.execute(text("SELECT address, text FROM messages")).all()
    assert sms["out_id"] == send.key and sms["phone"] == PHONE
    assert sms["template"] == "SMS_PHF_CLAIM_APPROVED" and sms["sign_name"] == "天长计生协"
    assert sms["params"]["name"] == "张**" and sms["params"]["amount"] == "¥500.00"
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/u/\d+\.[\w-]{16}", sms["params"]["url"])
    [mail] = providers.mail()
    assert mail["to"] == [EMAIL] and send.key not in mail["message_id"]  # its own send
    assert "张**" in mail["body"] and "/u/" in mail["body"]
    [inbox] = messages(notifications, channel="inbox")
    assert inbox.person == "insured:1" and "张三丰" in inbox.text and inbox.status == "delivered"
    assert sms_message.to_masked == "138****8000" and sms_message.attempts == 1
    # Sealed at rest: neither the number nor the words are in the database in clear.
    assert all(address is None or address.startswith("enc1:") for address, _ in stored)
    assert all(words.startswith("enc1:") for _, words in stored)


def test_no_sms_in_quiet_hours_they_wait_until_morning(notifications, providers):
    postman = notifications.postman
    postman.rules = replace(postman.rules, quiet=QuietHours(time(21), time(8)))
    fix_clock(notifications, at_local(0, 22, 30))
    notifications.deliver(claim("submitted", insured(email=EMAIL)))
    wait_until(lambda: len(providers.mail()) == 1)  # e-mail goes at any hour
    notifications.postman.kick()
    assert status_of(notifications, "sms") == ["queued"] and providers.sms() == []

    fix_clock(notifications, at_local(1, 7, 59))
    assert status_of(notifications, "sms") == ["queued"] and providers.sms() == []
    fix_clock(notifications, at_local(1, 8, 0))
    wait_until(lambda: status_of(notifications, "sms") == ["sent"])
    assert len(providers.sms()) == 1


def test_at_most_so_many_sms_an_hour_to_one_number_the_rest_wait(notifications, providers):
    postman = notifications.postman
    postman.rules = replace(postman.rules, per_hour=2)
    start = datetime.now(UTC).replace(microsecond=0)
    fix_clock(notifications, start)
    for claim_id in (1, 2, 3):
        notifications.deliver(claim("submitted", insured(), claim_id=claim_id))
    wait_until(lambda: len(providers.sms()) == 2)
    wait_until(lambda: status_of(notifications, "sms").count("sent") == 2)
    assert status_of(notifications, "sms").count("queued") == 1

    fix_clock(notifications, start + timedelta(minutes=59))
    assert len(providers.sms()) == 2
    fix_clock(notifications, start + timedelta(hours=1, seconds=1))
    wait_until(lambda: status_of(notifications, "sms") == ["sent"] * 3)
    assert len(providers.sms()) == 3


def test_opted_out_people_are_not_sent_to(notifications, providers):
    answer = notifications.rpc.set_preference({"phone": "+86 138 0013 8000", "channel": "sms",
                                               "opted_out": True, "language": "en"}, STAFF1)
    assert answer == {"phone": "138****8000", "channel": "sms", "opted_out": True,
                      "language": "en"}
    notifications.deliver(claim("paid", insured(email=EMAIL), claim_id=1))
    wait_until(lambda: len(providers.mail()) == 1)
    assert status_of(notifications, "sms") == ["suppressed"] and providers.sms() == []
    [mail] = providers.mail()
    assert "has been paid" in mail["body"]  # the language the person chose, by phone

    # The link at the foot of the e-mail opts its address out of e-mail.
    token = re.search(r"/u/(\S+)", mail["body"]).group(1)
    assert notifications.rpc.unsubscribe(token) == {"channel": "email", "to": "z***@example.com",
                                                    "language": "en"}
    notifications.deliver(claim("paid", insured(email=EMAIL), claim_id=2))
    assert status_of(notifications, "email") == ["sent", "suppressed"]
    assert len(providers.mail()) == 1


def test_a_provider_failing_is_tried_again_then_the_message_fails_with_its_reason(
        notifications, providers):
    providers.behave(sms="fail")
    notifications.deliver(claim("rejected", insured()))
    wait_until(lambda: status_of(notifications, "sms") == ["failed"])
    [failed] = messages(notifications, channel="sms")
    assert failed.attempts == 3 and providers.calls() == 3  # the first try and two more
    assert failed.error.startswith("InternalError") and "after 3 tries" in failed.error

    providers.behave(sms="ok")
    assert notifications.rpc.resend(failed.id, STAFF1)["status"] == "queued"
    wait_until(lambda: status_of(notifications, "sms") == ["sent"])
    assert len(providers.sms()) == 1


def test_a_provider_that_does_not_answer_is_tried_again(notifications, providers):
    providers.behave(sms="hang")
    notifications.deliver(claim("submitted", insured()))
    wait_until(lambda: providers.calls() == 1)
    providers.behave(sms="ok")
    wait_until(lambda: status_of(notifications, "sms") == ["sent"], timeout=15)
    assert len(providers.sms()) == 1 and messages(notifications, channel="sms")[0].attempts == 2


def test_an_sms_the_provider_took_without_answering_in_time_is_not_sent_twice(
        notifications, providers):
    providers.behave(sms="hold")  # taken, the answer held past the timeout
    notifications.deliver(claim("submitted", insured()))
    wait_until(lambda: status_of(notifications, "sms") == ["sent"], timeout=15)
    assert len(providers.sms()) == 1 and providers.calls() == 1  # found by its OutId


def test_an_answer_that_will_not_change_fails_at_once(notifications, providers):
    providers.behave(sms="refuse")
    notifications.deliver(claim("submitted", insured()))
    wait_until(lambda: status_of(notifications, "sms") == ["failed"])
    [failed] = messages(notifications, channel="sms")
    assert failed.attempts == 1 and failed.error.startswith("isv.MOBILE_NUMBER_ILLEGAL")


def test_a_shift_is_confirmed_at_once_and_reminded_two_hours_before(notifications, providers):
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    fix_clock(notifications, starts_at - timedelta(hours=4))
    notifications.deliver(shift_signed_up(volunteer(3), starts_at=starts_at))
    wait_until(lambda: len(providers.sms()) == 1)
    assert [m.kind for m in messages(notifications, channel="inbox")] == ["shift_confirmed"]

    fix_clock(notifications, starts_at - timedelta(hours=2))
    wait_until(lambda: len(providers.sms()) == 2)
    assert [m.kind for m in messages(notifications, channel="inbox")] == \
        ["shift_confirmed", "shift_reminder"]
    assert providers.sms()[1]["template"] == "SMS_PHF_SHIFT_REMINDER"


def test_a_family_hears_of_a_visit_the_day_before_and_that_it_is_off(notifications, providers):
    starts_at = at_local(3, 15)  # in three days, 15:00
    fix_clock(notifications, at_local(0, 12))
    notifications.deliver(visit("assigned", volunteer(3, phone="13900000003"), family(1),
                                starts_at=starts_at))
    wait_until(lambda: len(providers.sms()) == 1)  # the team hears at once, the family not
    assert providers.sms()[0]["template"] == "SMS_PHF_VISIT_ASSIGNED"

    fix_clock(notifications, at_local(2, 10))  # the morning of the day before
    wait_until(lambda: len(providers.sms()) == 2)
    told = providers.sms()[1]
    assert told["template"] == "SMS_PHF_VISIT_TOMORROW" and told["phone"] == PHONE
    assert told["params"]["when"] == starts_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")

    notifications.deliver(visit("cancelled", volunteer(3, phone="13900000003"), family(1),
                                starts_at=starts_at))
    wait_until(lambda: len(providers.sms()) == 4)  # the team, and the family told before
    assert sorted(sms["template"] for sms in providers.sms()[2:]) == \
        ["SMS_PHF_VISIT_CANCELLED"] * 2


def test_an_smtp_server_refusing_for_a_while_is_tried_again(notifications, providers):
    providers.behave(smtp="fail")
    notifications.deliver(claim("paid", insured(phone=None, email=EMAIL)))
    wait_until(lambda: status_of(notifications, "email") == ["failed"])
    [failed] = messages(notifications, channel="email")
    assert failed.attempts == 3 and failed.error.startswith("SMTP 451")
