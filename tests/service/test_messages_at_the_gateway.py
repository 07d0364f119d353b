"""Interface tests of the gateway's messages to people: real HTTP to the GatewayService with
its `notifications` proxy replaced.

What is real: the gateway's routes, pages, role checks, schemas, problem documents, its
login table (a fresh SQLite file) and its container on a vhost of its own. What is replaced:
the notifications service, by a MagicMock (nameko's `replace_dependencies`); each test says
what it answers, or how it is away, and checks what it was asked. The service's own rules
(whose message is whose, what may be sent again) are its tests' business."""
from unittest.mock import MagicMock

import pytest
import requests
from nameko.exceptions import UnknownService
from nameko.testing.services import replace_dependencies

from deploy.processes import free_port
from services.gateway.service import GatewayService
from services.gateway.web import unread
from shared.actors import load_actor
from shared.errors import InvalidInput, NotFound
from tests.service.test_gateway_interface import PASSWORD, TOKEN_SECRET, add_users
from tests.support import assert_problem

# username: (role, donor_id, volunteer_id)
USERS = {"staff1": ("staff", None, None), "auditor1": ("auditor", None, None),
         "donor1": ("donor", 7, None), "volunteer1": ("volunteer", None, 3),
         "coord1": ("coordinator", None, None)}
ITEM = {"id": 11, "at": "2026-05-29T01:00:00+00:00", "kind": "shift_promoted",
        "text": "您已从候补转为确认。", "read": False}
SMS = {"id": 12, "at": "2026-05-29T01:00:00+00:00", "kind": "shift_promoted",
       "channel": "sms", "to": "138****1111", "status": "failed", "attempts": 3,
       "error": "isv.BUSINESS_LIMIT_CONTROL"}
PREFERENCE = {"phone": "13805501111", "channel": "sms", "opted_out": True}


class Gateway:
    def __init__(self, base: str, notifications: MagicMock):
        self.base = base
        self.notifications = notifications

    def token(self, username: str) -> str:
        response = requests.post(f"{self.base}/api/v1/auth/token", timeout=10,
                                 json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def api(self, method: str, path: str, user: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, timeout=10, headers={
            "Authorization": f"Bearer {self.token(user)}"}, **kwargs)

    def page(self, path: str, user: str | None = None, language: str = "zh"):
        cookies = {"phf_lang": language, **({"phf_session": self.token(user)} if user else {})}
        return requests.get(self.base + path, cookies=cookies, timeout=10,
                            allow_redirects=False)


@pytest.fixture
def gateway(container_factory, rabbit_config, sqlite_url, monkeypatch):
    monkeypatch.setenv("TOKEN_SECRET", TOKEN_SECRET)
    monkeypatch.setattr(unread, "_paused_until", 0.0)  # no miss of another test's
    url = sqlite_url("gateway")
    add_users(url, USERS)
    port = free_port()
    container = container_factory(GatewayService, {
        **rabbit_config, "DATABASE_URLS": {"gateway": url},
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    notifications = replace_dependencies(container, "notifications")
    container.start()
    yield Gateway(f"http://127.0.0.1:{port}", notifications)


def test_an_inbox_is_asked_as_its_person_and_leaves_as_documented(gateway):
    gateway.notifications.my_messages.return_value = {
        "items": [{**ITEM, "person": "volunteer:3"}], "total": 1, "unread": 1}

    response = gateway.api("GET", "/api/v1/me/messages?limit=5", "volunteer1")

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [ITEM], "total": 1, "unread": 1}
    query, actor = gateway.notifications.my_messages.call_args.args
    assert query == {"limit": "5"}
    assert (load_actor(actor)["role"], load_actor(actor)["volunteer_id"]) == ("volunteer", 3)


def test_marking_another_persons_message_read_is_404(gateway):
    gateway.notifications.mark_read.side_effect = NotFound("No such message.", "not_found")

    assert_problem(gateway.api("POST", "/api/v1/me/messages/12/read", "donor1"), 404)
    assert gateway.notifications.mark_read.call_args.args[0] == 12


def test_staff_see_messages_masked_and_send_one_again(gateway):
    gateway.notifications.list_messages.return_value = {
        "items": [{**SMS, "phone": "13805501111"}], "total": 1}
    gateway.notifications.resend.return_value = {**SMS, "status": "queued"}

    listed = gateway.api("GET", "/api/v1/messages?channel=sms&status=failed", "auditor1")
    resent = gateway.api("POST", "/api/v1/messages/12/resend", "staff1")

    assert listed.json() == {"items": [SMS], "total": 1}  # no phone in clear
    assert gateway.notifications.list_messages.call_args.args[0] == {"channel": "sms",
                                                                     "status": "failed"}
    assert resent.status_code == 200 and resent.json()["status"] == "queued"


@pytest.mark.parametrize("user, method, path", [
    ("donor1", "GET", "/api/v1/messages"), ("volunteer1", "GET", "/api/v1/messages"),
    ("coord1", "GET", "/api/v1/messages"), ("auditor1", "POST", "/api/v1/messages/12/resend"),
    ("coord1", "POST", "/api/v1/notifications/preferences"),
    ("donor1", "POST", "/api/v1/notifications/preferences")])
def test_those_who_do_not_follow_messages_are_refused_403(gateway, user, method, path):
    response = gateway.api(method, path, user, json=PREFERENCE if "preferences" in path
                           else None)

    assert_problem(response, 403, "role_not_allowed")
    assert gateway.notifications.mock_calls == []


@pytest.mark.parametrize("change, field", [
    ({"phone": "12345"}, "phone"), ({"channel": "fax"}, "channel"),
    ({"channel": "inbox"}, "channel"), ({"opted_out": "perhaps"}, "opted_out"),
    ({"language": "fr"}, "language"), ({"surprise": 1}, "surprise")])
def test_a_bad_preference_is_422_naming_the_field(gateway, change, field):
    response = gateway.api("POST", "/api/v1/notifications/preferences", "staff1",
                           json={**PREFERENCE, **change})

    assert list(assert_problem(response, 422, "invalid_input")["errors"]) == [field]
    assert gateway.notifications.mock_calls == []


@pytest.mark.parametrize("query, field", [("status=lost", "status"), ("channel=fax", "channel"),
                                          ("kind=gossip", "kind"), ("limit=0", "limit")])
def test_a_bad_filter_is_422_naming_it(gateway, query, field):
    response = gateway.api("GET", f"/api/v1/messages?{query}", "staff1")

    assert field in assert_problem(response, 422, "invalid_input")["errors"]
    assert gateway.notifications.mock_calls == []


def test_a_preference_the_service_refuses_is_422_as_it_says(gateway):
    gateway.notifications.set_preference.side_effect = InvalidInput(
        "Some fields are invalid.", "invalid_input", {"phone": ["Not a number we know."]})

    response = gateway.api("POST", "/api/v1/notifications/preferences", "staff1",
                           json=PREFERENCE)

    assert assert_problem(response, 422)["errors"] == {"phone": ["Not a number we know."]}


def test_the_service_away_is_503_and_the_pages_show_without_the_count(gateway):
    gateway.notifications.my_messages.side_effect = UnknownService("notifications")
    gateway.notifications.unread.side_effect = UnknownService("notifications")

    assert_problem(gateway.api("GET", "/api/v1/me/messages", "donor1"), 503, "unavailable")
    form = gateway.page("/messages/preferences", "staff1")
    assert form.status_code == 200 and 'id="set-preference"' in form.text
    assert 'id="menu-unread"' not in form.text
    assert gateway.page("/inbox", "donor1").status_code == 503


def test_the_menu_and_the_inbox_say_how_many_are_unread(gateway):
    gateway.notifications.unread.return_value = {"unread": 4}
    gateway.notifications.my_messages.return_value = {"items": [ITEM], "total": 1,
                                                      "unread": 1}

    form = gateway.page("/messages/preferences", "staff1", "en")
    inbox = gateway.page("/inbox", "volunteer1", "en")

    assert "(4 unread)" in form.text
    assert "(1 unread)" in inbox.text and 'data-message="11"' in inbox.text
    assert gateway.notifications.unread.call_count == 1  # the inbox's own count serves


def test_the_unsubscribe_link_needs_no_login_and_speaks_the_persons_language(gateway):
    gateway.notifications.unsubscribe.return_value = {"channel": "sms", "to": "138****1111",
                                                      "language": "en"}
    english = gateway.page("/u/a-token")  # in a browser set to Chinese

    gateway.notifications.unsubscribe.return_value = {"channel": "email", "to": "z***@qq.com",
                                                      "language": "zh"}
    chinese = gateway.page("/u/a-token", language="en")

    assert english.status_code == 200 and 'lang="en"' in english.text
    assert "no more SMS from the association at 138****1111" in english.text
    assert "协会将不再向 z***@qq.com 发送电子邮件" in chinese.text
    assert gateway.notifications.unsubscribe.call_args.args == ("a-token",)


def test_a_tampered_unsubscribe_link_is_404_and_changes_nothing(gateway):
    gateway.notifications.unsubscribe.side_effect = NotFound("No such link.", "not_found")

    refused = gateway.page("/u/tampered")

    assert refused.status_code == 404 and "此退订链接无效" in refused.text


def test_the_routes_are_in_the_openapi_document(gateway):
    paths = requests.get(f"{gateway.base}/api/v1/openapi.json", timeout=10).json()["paths"]
    assert {"/api/v1/me/messages", "/api/v1/me/messages/{message_id}/read",
            "/api/v1/messages", "/api/v1/messages/{message_id}/resend",
            "/api/v1/notifications/preferences"} <= set(paths)
    listed = paths["/api/v1/messages"]["get"]
    assert {p["name"] for p in listed["parameters"] if p["in"] == "query"} >= {
        "status", "channel", "kind", "limit", "offset", "after"}
