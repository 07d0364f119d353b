"""The rules of word going out, without a broker or a database: quiet hours in association
time, the hourly limit per number, how carriers count an SMS, growing delays between tries,
when reminders fall due; the catalogue complete in both languages and each SMS template
taking what its text says; and what each event says to whom."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.notifications import settings, texts
from services.notifications.domain import (
    MESSAGE,
    SEND,
    QuietHours,
    Recent,
    mask_email,
    next_try,
    parse_quiet_hours,
    ration,
    sms_segments,
    visit_reminder_at,
)
from services.notifications.notices import HEARD, heard
from services.notifications.sms import LINK, templates
from shared.clock import LOCAL
from shared.contracts.events import CATALOGUE
from shared.contracts.notifications import KINDS
from tests.notification_events import claim, insured, shift_signed_up, volunteer

NIGHT = QuietHours(time(21), time(8))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=LOCAL)


@pytest.mark.parametrize(("moment", "until"), [
    (local(28, 20, 59), None),
    (local(28, 21, 0), local(29, 8)),
    (local(28, 23, 30), local(29, 8)),
    (local(29, 0, 10), local(29, 8)),
    (local(29, 7, 59), local(29, 8)),
    (local(29, 8, 0), None),
    (local(29, 12), None),
])
def test_quiet_hours_across_midnight_in_association_time(moment, until):
    assert NIGHT.until(moment.astimezone(UTC)) == (until and until.astimezone(UTC))


def test_quiet_hours_within_a_day_and_their_setting():
    lunch = parse_quiet_hours("12:00-13:30")
    assert lunch.until(local(29, 12, 45)) == local(29, 13, 30)
    assert lunch.until(local(29, 13, 30)) is None
    assert parse_quiet_hours("") is None and parse_quiet_hours(" 21:00-08:00 ") == NIGHT
    for bad in ("21:00", "9pm-8am", "21:00-21:00", "25:00-08:00"):
        with pytest.raises(ValueError, match="QUIET_HOURS"):
            parse_quiet_hours(bad)


def test_at_most_so_many_an_hour_to_one_number_the_rest_waiting_for_a_place():
    now = datetime(2026, 5, 29, 2, tzinfo=UTC)
    earlier = now - timedelta(minutes=40)
    due = [(1, "a"), (2, "b"), (3, "a"), (4, None), (5, "a"), (6, "b")]
    going, waiting = ration(due, {"a": Recent(3, earlier)}, 5, now)
    assert going == [1, 2, 3, 4, 6]
    assert waiting == {5: earlier + timedelta(hours=1)}
    going, waiting = ration([(1, "c"), (2, "c")], {}, 1, now)
    assert going == [1] and waiting == {2: now + timedelta(hours=1)}


def test_an_sms_is_counted_as_carriers_count_it():
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2  # 67 a part once longer
    assert sms_segments("字" * 134) == 2
    assert sms_segments("字" * 135) == 3


def test_each_try_waits_longer_until_there_are_no_more():
    now = datetime(2026, 5, 29, tzinfo=UTC)
    delays = [10, 60, 600]
    assert [next_try(n, delays, now) - now for n in (1, 2, 3)] == \
        [timedelta(seconds=s) for s in delays]
    assert next_try(4, delays, now) is None


def test_a_family_hears_of_a_visit_in_the_morning_of_the_day_before():
    # 2026-05-30 01:00 local is still 2026-05-29 in UTC: the day before is the 29th locally.
    starts_at = local(30, 1).astimezone(UTC)
    assert visit_reminder_at(starts_at) == local(29, 10).astimezone(UTC)


def test_addresses_are_masked():
    assert mask_email("zhang.san@example.com") == "z***@example.com"


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_the_catalogue_says_every_kind_in_both_languages_with_the_same_values(language):
    other = "en" if language == "zh" else "zh"
    assert set(KINDS) <= set(texts.catalogue(language))
    assert set(texts.catalogue(language)) == set(texts.catalogue(other))
    for text_id, words in texts.catalogue(language).items():
        assert words and texts.placeholders(text_id, language) == \
            texts.placeholders(text_id, other), text_id


def test_each_sms_template_takes_the_values_of_its_text_and_the_link():
    found = templates({"claim_paid": "SMS_123456"})
    assert set(found) == set(KINDS)
    assert found["claim_paid"].code == "SMS_123456"
    assert found["claim_approved"].code == "SMS_PHF_CLAIM_APPROVED"
    for kind, template in found.items():
        assert set(template.params) == texts.placeholders(kind, "zh") | {LINK}
    with pytest.raises(ValueError, match="claim_lost"):
        templates({"claim_lost": "SMS_1"})


def test_every_event_heard_is_in_the_catalogue_and_every_kind_is_said():
    assert set(HEARD) <= set(CATALOGUE)
    said = {"shift_reminder", "visit_tomorrow"}  # by reminders, not by an event
    for event_type in HEARD:
        said |= _kinds_said(event_type)
    assert said == set(KINDS)


def _kinds_said(event_type: str) -> set[str]:
    """The kinds of message an event type's data can give (its variants tried)."""
    source = {"insurance.premium_due": [{"payer": "family"}],
              "insurance.premium_paid": [{"payer": "family", "in_force": True}],
              "fund.donation_recorded": [{"pledge_no": "P-1"}, {"pledge_no": None}],
              "volunteers.shift_signed_up": [{"status": "confirmed"}, {"status": "waitlisted"}],
              "volunteers.application_decided": [{"decision": "approved", "reason": None},
                                                  {"decision": "declined", "reason": "满员"}]}
    variants = source.get(event_type, [{}])
    return {notice.kind for variant in variants
            for notice in heard(event_type, _data(event_type, variant)).notices}


def _data(event_type: str, variant: dict) -> dict:
    starts_at = datetime(2026, 5, 29, 1, tzinfo=UTC)
    return {"claim_no": "CL-1", "amount_approved_fen": 100, "amount_paid_fen": 100,
            "reason": "x", "policy_no": "P-1", "amount_fen": 100, "end_date": date(2026, 6, 1),
            "receipt_no": "R-1", "shift_id": 1, "title": "t", "starts_at": starts_at,
            "place": None, "visit_id": 1, "volunteer_ids": [1],
            "recipients": [volunteer(1), volunteer(2)], **variant}


def test_the_family_hears_of_its_own_premium_share_alone():
    assert heard("insurance.premium_due", _data("", {"payer": "government"})).notices == []
    assert heard("insurance.premium_paid", _data("", {"payer": "government",
                                                      "in_force": False})).notices == []


def test_a_team_change_tells_those_taken_off_that_the_visit_is_off_for_them():
    found = heard("volunteers.visit_changed", _data("", {"recipients": [
        volunteer(1), volunteer(2), {**volunteer(9), "person": "family:9"}]}))
    assert [(n.kind, [r["person"] for r in n.recipients]) for n in found.notices] == \
        [("visit_changed", ["volunteer:1"]), ("visit_cancelled", ["volunteer:2"])]
    [booking] = found.bookings
    assert booking.kind == "visit_tomorrow" and booking.key == "visit:1:family:9"


def test_an_event_from_before_recipients_says_nothing():
    data = {key: value for key, value in claim("approved", insured())["data"].items()
            if key != "recipients"}
    assert heard("insurance.claim_approved", data).notices == []
    assert heard("volunteers.shift_signed_up",
                 {k: v for k, v in shift_signed_up()["data"].items()
                  if k != "recipients"}).bookings == []


@pytest.mark.parametrize(("variable", "value", "setting"), [
    ("SMS_PROVIDER", "twilio", settings.sms_provider),
    ("SMS_ENDPOINT", "127.0.0.1:9000", settings.sms_endpoint),
    ("SMTP_URL", "http://127.0.0.1:25", settings.smtp_url),
    ("SMS_PER_PHONE_PER_HOUR", "0", settings.sms_per_phone_per_hour),
    ("SEND_RETRY_DELAYS", "10,-1", settings.send_retry_delays),
    ("SMS_TEMPLATE_CODES", "claim_paid", settings.sms_template_codes),
])
def test_a_setting_it_cannot_use_stops_the_start_naming_it(monkeypatch, variable, value,
                                                           setting):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        setting()


def test_the_sms_endpoint_is_a_url(monkeypatch):
    monkeypatch.setenv("SMS_ENDPOINT", "http://127.0.0.1:9000")
    assert settings.sms_endpoint() == ("http", "127.0.0.1:9000")
    monkeypatch.delenv("SMS_ENDPOINT")
    assert settings.sms_endpoint() == ("https", "dysmsapi.aliyuncs.com")


def test_the_steps_a_message_and_a_send_may_take():
    assert MESSAGE.allows("failed", "queued") and MESSAGE.allows("sent", "queued")
    assert not MESSAGE.allows("delivered", "queued")  # the inbox has nothing to send again
    assert not MESSAGE.allows("suppressed", "sent")
    assert SEND.allows("sending", "sending")  # cut off mid-call: taken again
    assert not SEND.allows("sent", "sending")
