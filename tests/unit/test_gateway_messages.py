"""The gateway's side of messages to people, without a broker: what of the notifications
service's answers leaves the gateway, how the pages name a message's codes, and the menu's
unread count when that service is away (the page shows without it, and the next pages do
not wait for it)."""
import eventlet
import pytest
from nameko.exceptions import UnknownService
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.views import inbox_view, message_view
from services.gateway.web import unread
from services.gateway.web.notification_pages import _naming
from services.gateway.web.ui import Ui
from services.gateway.web.words import MESSAGE_WORDS, WORDS
from shared.contracts.notifications import CHANNELS, KINDS, STATUSES

MESSAGE = {"id": 7, "at": "2026-05-29T01:00:00+00:00", "kind": "claim_paid", "channel": "sms",
           "to": "138****8000", "status": "sent", "attempts": 1, "error": None}


def test_only_what_the_contract_documents_leaves_the_gateway():
    shown = message_view({**MESSAGE, "phone": "13800138000", "person": "insured:3"})
    assert shown == MESSAGE
    inbox = inbox_view({"items": [{"id": 1, "at": MESSAGE["at"], "kind": "shift_promoted",
                                   "text": "您已从候补转为确认。", "read": False,
                                   "person": "volunteer:3"}], "total": 1, "unread": 1})
    assert inbox["items"][0].keys() == {"id", "at", "kind", "text", "read"}


def test_an_answer_missing_a_documented_field_is_a_bug_not_a_quiet_gap():
    with pytest.raises(KeyError):
        message_view({name: value for name, value in MESSAGE.items() if name != "attempts"})


def test_every_code_of_a_message_has_its_words_in_both_languages():
    codes = {"status": STATUSES, "channel": CHANNELS, "kind": KINDS}
    words = {**MESSAGE_WORDS, "status": WORDS}
    assert {part: sorted(set(found) - set(words[part]))
            for part, found in codes.items()} == {"status": [], "channel": [], "kind": []}
    zh, en = _naming(_ui("zh")), _naming(_ui("en"))
    for part, found in codes.items():
        for code in found:
            assert zh(part, code) != en(part, code) == words[part][code]


def test_an_inbox_message_names_the_person_it_went_to_in_words():
    assert _naming(_ui("zh"))("person", "volunteer:12") == "志愿者 12"
    assert _naming(_ui("en"))("person", "insured:3") == "Insured person 3"
    assert _naming(_ui("en"))("person", "someone_new:4") == "someone_new 4"


class Notifications:
    """Stands for the RPC proxy: answers, or fails as `failure` says."""

    def __init__(self, failure=None):
        self.failure = failure
        self.asked = 0

    def unread(self, actor):
        self.asked += 1
        if self.failure == "hang":
            eventlet.sleep(10)
        if self.failure is not None:
            raise self.failure
        return {"unread": 3}


@pytest.fixture(autouse=True)
def _never_paused(monkeypatch):
    monkeypatch.setattr(unread, "_paused_until", 0.0)


def test_the_count_is_asked_once_per_page():
    notifications = Notifications()
    count = unread.Unread(notifications, {"username": "donor1"})
    assert (count(), count()) == (3, 3)
    assert notifications.asked == 1


@pytest.mark.parametrize("away", [UnknownService("notifications"), "hang"])
def test_a_service_away_leaves_the_count_out_and_the_next_pages_do_not_wait(away, monkeypatch):
    monkeypatch.setattr(unread, "DEADLINE_SECONDS", 0.2)
    away = Notifications(away)
    assert unread.Unread(away, {})() is None
    again = Notifications()
    assert unread.Unread(again, {})() is None
    assert again.asked == 0  # paused after the miss
    monkeypatch.setattr(unread, "_paused_until", 0.0)
    assert unread.Unread(again, {})() == 3


def test_a_refusal_leaves_the_count_out_without_pausing_the_others():
    assert unread.Unread(Notifications(ValueError("a bug")), {})() is None
    assert unread.Unread(Notifications(), {})() == 3


def _ui(language: str) -> Ui:
    return Ui(Request(EnvironBuilder(path="/messages", headers={
        "Cookie": f"phf_lang={language}"}).get_environ()))
