"""The notifications service's RPC interface as the gateway calls it: a person's inbox (theirs
alone: another's message is as one that does not exist), the messages staff follow and send
again, a person's word on a channel, the unsubscribe link; and bad input refused, naming
the field."""
import pytest

from shared.actors import sign
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.notification_events import claim, insured, shift_signed_up, volunteer
from tests.support import STAFF1, wait_until

VOLUNTEER3 = sign({"username": "13800000003", "role": "volunteer", "volunteer_id": 3})
VOLUNTEER4 = sign({"username": "13800000004", "role": "volunteer", "volunteer_id": 4})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})


def test_a_volunteer_reads_their_inbox_and_marks_a_message_read(notifications):
    notifications.deliver(shift_signed_up(volunteer(3), shift_id=1))
    notifications.deliver(shift_signed_up(volunteer(3), shift_id=2, status="waitlisted"))
    notifications.deliver(shift_signed_up(volunteer(4), shift_id=1))
    inbox = notifications.rpc.my_messages({"limit": "1"}, VOLUNTEER3)
    assert inbox["total"] == 2 and inbox["unread"] == 2
    [latest] = inbox["items"]
    assert latest["kind"] == "shift_waitlisted" and latest["read"] is False
    assert "李四" in latest["text"] and "候补" in latest["text"]
    after = notifications.rpc.my_messages({"after": str(latest["id"])}, VOLUNTEER3)["items"]
    assert [item["kind"] for item in after] == ["shift_confirmed"]

    assert notifications.rpc.mark_read(latest["id"], VOLUNTEER3)["read"] is True
    assert notifications.rpc.unread(VOLUNTEER3) == {"unread": 1}
    assert notifications.rpc.unread(VOLUNTEER4) == {"unread": 1}
    with pytest.raises(NotFound):
        notifications.rpc.mark_read(latest["id"], VOLUNTEER4)  # another person's
    with pytest.raises(NotFound):
        notifications.rpc.mark_read("1; DROP TABLE messages", VOLUNTEER3)


def test_staff_follow_messages_by_status_channel_and_kind(notifications, providers):
    providers.behave(sms="refuse")
    notifications.deliver(claim("approved", insured()))
    wait_until(lambda: notifications.rpc.list_messages({"status": "failed"}, STAFF1)["total"])
    everything = notifications.rpc.list_messages({}, AUDITOR)
    assert everything["total"] == 2
    [failed] = notifications.rpc.list_messages({"status": "failed", "channel": "sms",
                                                "kind": "claim_approved"}, STAFF1)["items"]
    assert failed["to"] == "138****8000" and failed["attempts"] == 1
    assert failed["error"].startswith("isv.MOBILE_NUMBER_ILLEGAL")
    [inbox] = notifications.rpc.list_messages({"channel": "inbox"}, STAFF1)["items"]
    assert inbox["to"] == "insured:1" and inbox["status"] == "delivered"

    with pytest.raises(Conflict):
        notifications.rpc.resend(inbox["id"], STAFF1)  # the inbox has nothing to send
    with pytest.raises(Forbidden):
        notifications.rpc.resend(failed["id"], AUDITOR)
    with pytest.raises(Forbidden):
        notifications.rpc.list_messages({}, DONOR)
    with pytest.raises(NotFound):
        notifications.rpc.resend(10_000, STAFF1)


@pytest.mark.parametrize(("body", "field"), [
    ({"phone": "12345", "channel": "sms", "opted_out": True}, "phone"),
    ({"phone": "13800138000", "channel": "wechat", "opted_out": True}, "channel"),
    ({"phone": "13800138000", "channel": "sms", "opted_out": "maybe"}, "opted_out"),
    ({"phone": "13800138000", "channel": "sms", "opted_out": True, "language": "fr"},
     "language"),
    ({"phone": "13800138000", "channel": "sms"}, "opted_out"),
])
def test_a_bad_preference_is_refused_naming_the_field(notifications, body, field):
    with pytest.raises(InvalidInput) as refused:
        notifications.rpc.set_preference(body, STAFF1)
    assert set(refused.value.fields) == {field}


def test_bad_queries_name_the_field(notifications):
    with pytest.raises(InvalidInput) as refused:
        notifications.rpc.list_messages({"status": "lost", "limit": "0"}, STAFF1)
    assert set(refused.value.fields) == {"status", "limit"}
    with pytest.raises(InvalidInput) as refused:
        notifications.rpc.my_messages({"after": "99"}, VOLUNTEER3)
    assert set(refused.value.fields) == {"after"}


def test_a_tampered_or_unknown_unsubscribe_link_is_not_found(notifications, providers):
    notifications.deliver(claim("submitted", insured()))
    wait_until(lambda: providers.sms())
    token = providers.sms()[0]["params"]["url"].rsplit("/", 1)[1]
    number, mac = token.split(".")
    altered = mac[:-1] + ("B" if mac.endswith("A") else "A")
    for bad in (f"{int(number) + 1}.{mac}", f"{number}.{altered}", f"{number}.", "",
                "../etc", f"{number}.{mac}x", "9" * 40, None, 7, ["x"]):
        with pytest.raises(NotFound):
            notifications.rpc.unsubscribe(bad)
    assert notifications.rpc.unsubscribe(token) == {"channel": "sms", "to": "138****8000",
                                                    "language": "zh"}
