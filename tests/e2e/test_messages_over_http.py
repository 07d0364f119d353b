"""Messages to people over HTTP, on the running system (SMS to the log, as the run command
sends them): a volunteer moved up from a waiting list and a donor whose gift arrived find it
in their inboxes and mark it read; staff find the SMS, its number masked, and send it again;
a phone opted out on the person's word gets no more SMS while the inbox still hears; the link
at the foot of an SMS unsubscribes without a login, and one tampered with is a 404. The
system may be shared: each test makes its own people and looks only at their messages."""
import json
import random
import re
from dataclasses import dataclass
from datetime import timedelta

from tests.e2e.conftest import Client
from tests.e2e.test_volunteer_applications_over_http import NEW_PASSWORD, applied, person
from tests.insurance_data import TODAY
from tests.payment_channel import signed_headers
from tests.support import assert_problem, wait_until

WAIT = 30  # seconds for an event to reach an inbox, and an SMS its provider


@dataclass
class Volunteer:
    client: Client
    id: int
    phone: str

    @property
    def masked(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


def a_volunteer_with_a_login(anonymous) -> Volunteer:
    """A new volunteer, approved from an application, logged in with their own password."""
    coordinator = anonymous.login("coordinator1")
    made = applied(anonymous, person())
    approved = coordinator.call("POST", f"/api/v1/volunteer-applications/{made['id']}/approve"
                                ).json()
    first = Client(anonymous.base, anonymous.call("POST", "/api/v1/auth/token", {
        "username": approved["username"], "password": approved["one_time_password"]}
        ).json()["access_token"])
    changed = first.call("POST", "/api/v1/auth/password", {
        "current_password": approved["one_time_password"], "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    return Volunteer(anonymous.login(approved["username"], NEW_PASSWORD),
                     approved["volunteer_id"], approved["username"])


def a_shift(coordinator, capacity: int) -> int:
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "义诊"}).json()
    day = (TODAY + timedelta(days=random.randint(60, 3000))).isoformat()  # clashes with none
    made = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": capacity, "required_skills": ["general"],
        "place": "汊涧镇卫生院", "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T11:00:00+08:00"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def signed_up(client, shift_id: int, volunteer_id: int) -> str:
    made = client.call("POST", f"/api/v1/shifts/{shift_id}/signups",
                       {"volunteer_id": volunteer_id})
    assert made.status_code == 201, made.text
    return made.json()["status"]


def moved_up(anonymous, someone: Volunteer) -> None:
    """`someone` waitlisted on a shift of one place, and moved up when its holder cancels."""
    coordinator = anonymous.login("coordinator1")
    shift_id = a_shift(coordinator, capacity=1)
    holder = coordinator.call("POST", "/api/v1/volunteers", person("王建国")).json()
    assert signed_up(coordinator, shift_id, holder["id"]) == "confirmed"
    assert signed_up(someone.client, shift_id, someone.id) == "waitlisted"
    left = coordinator.call("DELETE", f"/api/v1/shifts/{shift_id}/signups/{holder['id']}")
    assert left.status_code == 200, left.text


def inbox_item(client, kind: str, text: str = "") -> dict | None:
    items = client.call("GET", "/api/v1/me/messages", params={"limit": 500}).json()["items"]
    return next((m for m in items if m["kind"] == kind and text in m["text"]), None)


def sms_to(staff, someone: Volunteer, kind: str, status: str | None = None) -> list[dict]:
    listed = staff.call("GET", "/api/v1/messages", params={
        "channel": "sms", "kind": kind, "limit": 500}).json()["items"]
    return [m for m in listed if m["to"] == someone.masked
            and (status is None or m["status"] == status)]


def test_a_volunteer_moved_up_reads_it_and_staff_send_the_sms_again(anonymous):
    someone = a_volunteer_with_a_login(anonymous)
    moved_up(anonymous, someone)

    told = wait_until(lambda: inbox_item(someone.client, "shift_promoted"), WAIT)
    assert told["read"] is False and "汊涧镇卫生院" in told["text"]
    before = someone.client.call("GET", "/api/v1/me/messages").json()["unread"]
    read = someone.client.call("POST", f"/api/v1/me/messages/{told['id']}/read")
    assert read.status_code == 200 and read.json() == {**told, "read": True}
    assert someone.client.call("GET", "/api/v1/me/messages").json()["unread"] == before - 1

    staff, auditor = anonymous.login("staff1"), anonymous.login("auditor1")
    [sms] = wait_until(lambda: sms_to(auditor, someone, "shift_promoted", "sent"), WAIT)
    assert sms["attempts"] == 1 and sms["error"] is None
    assert_problem(auditor.call("POST", f"/api/v1/messages/{sms['id']}/resend"), 403,
                   "role_not_allowed")
    resent = staff.call("POST", f"/api/v1/messages/{sms['id']}/resend")
    assert resent.status_code == 200, resent.text
    assert wait_until(lambda: [m["attempts"] for m in sms_to(staff, someone, "shift_promoted",
                                                            "sent")] == [2], WAIT)


def test_a_donors_gift_reaches_their_inbox_and_nobody_elses(anonymous):
    donor = anonymous.login("donor1")
    amount = random.randint(100, 99_999)
    pledge = donor.call("POST", "/api/v1/pledges", {
        "fund_code": "GENERAL", "amount_fen": amount, "channel": "wechat"},
        headers={"Idempotency-Key": f"messages-{random.randint(1, 10**12)}"}).json()
    body = json.dumps({"pledge_no": pledge["pledge_no"], "amount_fen": amount,
                       "channel_txn_id": f"wx-{pledge['pledge_no']}"}).encode()
    paid = anonymous.call("POST", "/api/v1/payments/notify", data=body, headers={
        "Content-Type": "application/json", **signed_headers(body)})
    assert paid.status_code == 200, paid.text

    yuan = f"¥{amount // 100:,}.{amount % 100:02d}"
    told = wait_until(lambda: inbox_item(donor, "pledge_confirmed", yuan), WAIT)
    assert told["read"] is False and "/public/trace/" in told["text"]  # where the gift goes
    for other in (anonymous.login("staff1"), anonymous.login("volunteer1")):
        assert_problem(other.call("POST", f"/api/v1/me/messages/{told['id']}/read"), 404)
    assert donor.call("POST", f"/api/v1/me/messages/{told['id']}/read").json()["read"] is True
    assert inbox_item(donor, "pledge_confirmed", yuan)["read"] is True


def test_an_opted_out_phone_gets_no_more_sms_while_the_inbox_still_hears(anonymous):
    someone = a_volunteer_with_a_login(anonymous)
    staff = anonymous.login("staff1")
    word = staff.call("POST", "/api/v1/notifications/preferences", {
        "phone": someone.phone, "channel": "sms", "opted_out": True, "language": "en"})
    assert word.status_code == 200, word.text
    assert word.json() == {"phone": someone.masked, "channel": "sms", "opted_out": True,
                           "language": "en"}

    coordinator = anonymous.login("coordinator1")
    assert signed_up(someone.client, a_shift(coordinator, 5), someone.id) == "confirmed"

    told = wait_until(lambda: inbox_item(someone.client, "shift_confirmed"), WAIT)
    assert "you are signed up" in told["text"]  # in the language the person chose
    assert wait_until(lambda: sms_to(staff, someone, "shift_confirmed"), WAIT)[0][
        "status"] == "suppressed"


def test_the_link_at_the_foot_of_an_sms_unsubscribes_without_a_login(anonymous,
                                                                      running_system):
    someone = a_volunteer_with_a_login(anonymous)
    coordinator = anonymous.login("coordinator1")
    assert signed_up(someone.client, a_shift(coordinator, 5), someone.id) == "confirmed"
    token = wait_until(lambda: link_in_the_log(running_system, someone), WAIT)

    number, _, mac = token.partition(".")
    for tampered in (f"{number}.{mac[:-1]}{'B' if mac.endswith('A') else 'A'}",
                     f"{int(number) + 1}.{mac}", number, f"{token}x", "9" * 300):
        refused = anonymous.call("GET", f"/u/{tampered}")
        assert refused.status_code == 404 and "此退订链接无效" in refused.text, tampered
    unsubscribed = anonymous.call("GET", f"/u/{token}")
    assert unsubscribed.status_code == 200
    assert f"协会将不再向 {someone.masked} 发送短信" in unsubscribed.text

    assert signed_up(someone.client, a_shift(coordinator, 5), someone.id) == "confirmed"
    staff = anonymous.login("staff1")
    wait_until(lambda: len(sms_to(staff, someone, "shift_confirmed")) == 2, WAIT)
    assert sorted(m["status"] for m in sms_to(staff, someone, "shift_confirmed")) == [
        "sent", "suppressed"]


def link_in_the_log(system, someone: Volunteer) -> str | None:
    """The unsubscribe token of an SMS to `someone`, as SMS_PROVIDER=log wrote it."""
    written = (system.log_dir / "notifications-1.log").read_text(errors="replace")
    found = re.findall(rf"SMS to {re.escape(someone.masked)} .*?/u/([0-9]+\.[A-Za-z0-9_-]+)",
                       written)
    return found[-1] if found else None


def test_bad_input_is_named_and_roles_are_kept(anonymous):
    staff = anonymous.login("staff1")
    for change, field in (({"phone": "12345"}, "phone"), ({"channel": "fax"}, "channel"),
                          ({"opted_out": "maybe"}, "opted_out")):
        refused = staff.call("POST", "/api/v1/notifications/preferences", {
            "phone": "13800138000", "channel": "sms", "opted_out": True, **change})
        assert list(assert_problem(refused, 422, "invalid_input")["errors"]) == [field]
    assert "status" in assert_problem(staff.call("GET", "/api/v1/messages?status=lost"),
                                      422)["errors"]
    assert_problem(staff.call("POST", f"/api/v1/me/messages/{2**31}/read"), 404)
    for username in ("donor1", "volunteer1", "coordinator1"):
        someone = anonymous.login(username)
        assert_problem(someone.call("GET", "/api/v1/messages"), 403, "role_not_allowed")
        assert_problem(someone.call("POST", "/api/v1/messages/1/resend"), 403)
        assert_problem(someone.call("POST", "/api/v1/notifications/preferences", {
            "phone": "13800138000", "channel": "sms", "opted_out": True}), 403)
    assert_problem(anonymous.call("GET", "/api/v1/me/messages"), 401)
