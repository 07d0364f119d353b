"""Applications to volunteer over HTTP: a person applies without a login, a coordinator
approves (a volunteer and a login with a one-time password come of it) or declines with a
reason; the one-time password opens nothing but its own change. The system may be shared
with other modules: every test makes its own people and compares counts, never totals."""
import random
from datetime import date, timedelta

import requests

from shared.identity import make_resident_id
from tests.e2e.conftest import Client
from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in
from tests.insurance_data import TODAY
from tests.support import assert_problem

APPLY = "/api/v1/public/volunteer-applications"
NEW_PASSWORD = "my-own-password-2027"


def person(name="王秀英", **extra) -> dict:
    born = date(1960, 1, 1) + timedelta(days=random.randint(0, 15000))
    return {"name": name, "id_number": make_resident_id("341181", born, random.randint(0, 999)),
            "phone": f"13{random.randint(0, 10**9 - 1):09d}", "skills": ["general"], **extra}


def applied(anonymous, body: dict) -> dict:
    response = anonymous.call("POST", APPLY, body)
    assert response.status_code == 201, response.text
    return response.json()


def pending_total(coordinator) -> int:
    return coordinator.call("GET", "/api/v1/volunteer-applications",
                            params={"status": "pending", "limit": 1}).json()["total"]


def test_an_applicant_approved_logs_in_changes_the_password_and_signs_up(anonymous):
    coordinator = anonymous.login("coordinator1")
    before = pending_total(coordinator)
    body = person(skills=["general", "legal_aid"], certificates=[
        {"skill": "legal_aid", "certificate_no": "LA-77", "expires_on": "2099-12-31"}])
    made = applied(anonymous, body)
    assert made["status"] == "pending"
    assert made["phone"] == body["phone"][:3] + "****" + body["phone"][-4:]
    assert made["id_number"].endswith(body["id_number"][-4:]) and "*" in made["id_number"]
    assert pending_total(coordinator) == before + 1
    assert coordinator.call("GET", f"/api/v1/volunteer-applications/{made['id']}"
                            ).json()["skills"][1]["certificate_no"] == "LA-77"

    approval = coordinator.call("POST", f"/api/v1/volunteer-applications/{made['id']}/approve")
    assert approval.status_code == 200, approval.text
    approved = approval.json()
    assert approved["status"] == "approved" and approved["volunteer_id"]
    assert approved["username"] == body["phone"]  # by default
    one_time = approved["one_time_password"]
    assert len(one_time) == 12
    assert pending_total(coordinator) == before
    # The login exists now: approving again makes no second one, nor shows a password.
    again = coordinator.call("POST", f"/api/v1/volunteer-applications/{made['id']}/approve")
    assert "one_time_password" not in assert_problem(again, 409, "already_approved")

    login = anonymous.call("POST", "/api/v1/auth/token",
                           {"username": approved["username"], "password": one_time})
    assert login.status_code == 200, login.text
    assert login.json()["must_change_password"] is True
    first = Client(anonymous.base, login.json()["access_token"])
    me = f"/api/v1/volunteers/{approved['volunteer_id']}"
    assert_problem(first.call("GET", me), 403, "password_change_required")
    assert_problem(first.call("GET", "/api/v1/shifts"), 403, "password_change_required")

    wrong = first.call("POST", "/api/v1/auth/password",
                       {"current_password": "not-it-at-all", "new_password": NEW_PASSWORD})
    assert "current_password" in assert_problem(wrong, 422, "wrong_password")["errors"]
    for new in (one_time, "short"):
        refused = first.call("POST", "/api/v1/auth/password",
                             {"current_password": one_time, "new_password": new})
        assert "new_password" in assert_problem(refused, 422, "invalid_input")["errors"]

    changed = first.call("POST", "/api/v1/auth/password",
                         {"current_password": one_time, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert_problem(first.call("POST", "/api/v1/auth/password", {
        "current_password": NEW_PASSWORD, "new_password": "yet-another-one"}), 401)
    assert Client(anonymous.base, changed.json()["access_token"]).call(
        "GET", me).status_code == 200
    assert_problem(anonymous.call("POST", "/api/v1/auth/token", {
        "username": approved["username"], "password": one_time}), 401)

    volunteer = anonymous.login(approved["username"], NEW_PASSWORD)
    assert volunteer.call("GET", me).json()["name"] == "王秀英"
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "义诊"}).json()
    day = (TODAY + timedelta(days=random.randint(60, 3000))).isoformat()  # clashes with none
    shift = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 5, "required_skills": ["legal_aid"],
        "starts_at": f"{day}T09:00:00+08:00", "ends_at": f"{day}T11:00:00+08:00"}).json()
    signed = volunteer.call("POST", f"/api/v1/shifts/{shift['id']}/signups",
                            {"volunteer_id": approved["volunteer_id"]})
    assert signed.status_code == 201, signed.text
    assert signed.json()["status"] == "confirmed"


def test_a_declined_application_says_why_and_cannot_be_approved_after(anonymous):
    coordinator = anonymous.login("coordinator1")
    made = applied(anonymous, person(name="赵桂芳"))
    decline = f"/api/v1/volunteer-applications/{made['id']}/decline"
    assert "reason" in assert_problem(coordinator.call("POST", decline, {}), 422)["errors"]
    assert "reason" in assert_problem(coordinator.call("POST", decline, {
        "reason": "x" * 501}), 422)["errors"]

    declined = coordinator.call("POST", decline, {"reason": "本季度名额已满"})
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    last = coordinator.call("GET", f"/api/v1/volunteer-applications/{made['id']}"
                            ).json()["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["reason"]) == \
        ("pending", "declined", "coordinator1", "本季度名额已满")
    assert_problem(coordinator.call(
        "POST", f"/api/v1/volunteer-applications/{made['id']}/approve"), 409,
        "illegal_transition")


def test_a_second_application_and_a_volunteer_applying_are_refused(anonymous):
    coordinator = anonymous.login("coordinator1")
    body = person()
    applied(anonymous, body)
    twice = anonymous.call("POST", APPLY, {**body, "phone": "13900000000"})
    assert list(assert_problem(twice, 409, "already_applied")["errors"]) == ["id_number"]

    registered = person()
    assert coordinator.call("POST", "/api/v1/volunteers", registered).status_code == 201
    again = anonymous.call("POST", APPLY, registered)
    assert list(assert_problem(again, 409, "already_registered")["errors"]) == ["id_number"]


def test_bad_fields_are_named_and_nothing_is_kept(anonymous):
    coordinator = anonymous.login("coordinator1")
    before = pending_total(coordinator)
    for change, field in (({"id_number": "341181196001010000"}, "id_number"),
                          ({"phone": "138"}, "phone"), ({"skills": "general"}, "skills"),
                          ({"certificates": [{"skill": "legal_aid", "certificate_no": "1"}]},
                           "certificates.0.skill"), ({"referrer": "x"}, "referrer")):
        refused = anonymous.call("POST", APPLY, {**person(), **change})
        assert field in assert_problem(refused, 422, "invalid_input")["errors"], change
    assert_problem(anonymous.call("POST", APPLY, data="name=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert pending_total(coordinator) == before
    assert_problem(anonymous.call("GET", "/api/v1/volunteer-applications"), 401)
    assert_problem(anonymous.login("volunteer1").call(
        "GET", "/api/v1/volunteer-applications"), 403, "role_not_allowed")


def test_a_username_taken_leaves_the_approval_to_finish_with_another(anonymous):
    coordinator = anonymous.login("coordinator1")
    made = applied(anonymous, person(name="孙丽"))
    approve = f"/api/v1/volunteer-applications/{made['id']}/approve"
    taken = coordinator.call("POST", approve, {"username": "staff1"})
    assert list(assert_problem(taken, 409, "username_taken")["errors"]) == ["username"]
    bad = coordinator.call("POST", approve, {"username": "孙 丽"})
    assert "username" in assert_problem(bad, 422)["errors"]

    # The volunteer was registered by the first try; this one makes the login.
    username = f"sunli{random.randint(10**5, 10**6)}"
    finished = coordinator.call("POST", approve, {"username": username})
    assert finished.status_code == 200, finished.text
    assert finished.json()["username"] == username
    login = anonymous.call("POST", "/api/v1/auth/token", {
        "username": username, "password": finished.json()["one_time_password"]})
    assert login.json()["must_change_password"] is True


def test_the_public_form_is_csrf_protected_and_names_each_bad_field(anonymous):
    browser = requests.Session()
    form = browser.get(anonymous.base + "/public/volunteer", timeout=TIMEOUT)
    assert form.status_code == 200 and browser.cookies.get("phf_login")
    good = {**person(name="钱玉梅"), "csrf": csrf_of(form.url, form.text)}

    def post(**change):
        return browser.post(anonymous.base + "/public/volunteer", data={**good, **change},
                            timeout=TIMEOUT)

    assert post(csrf="forged").status_code == 403
    refused = post(phone="12345", skills=["juggling"])
    assert refused.status_code == 422
    assert set(field_errors(refused.text)) == {"phone", "skills"}
    assert 'value="钱玉梅"' in refused.text  # kept to be corrected
    # A certificate for a skill not applied with (checked once the fields themselves are).
    refused = post(certificate_skill="legal_aid", certificate_no="LA-1")
    assert set(field_errors(refused.text)) == {"certificate_skill"}
    for hostile in ("\x00", "x" * 20000, "9" * 400):
        answer = post(name=hostile, expires_on=hostile, certificate_no="C-1",
                      certificate_skill="general")
        assert answer.status_code == 422, hostile[:20]
    sent = post()
    assert sent.status_code == 200 and 'id="applied"' in sent.text
    assert post().status_code == 409  # the same person again
    assert "id_number" in field_errors(post().text)


def test_a_one_time_password_login_is_sent_to_change_it_first(anonymous):
    coordinator = anonymous.login("coordinator1")
    made = applied(anonymous, person(name="吴桂兰"))
    approved = coordinator.call(
        "POST", f"/api/v1/volunteer-applications/{made['id']}/approve").json()
    browser = requests.Session()
    form = browser.get(anonymous.base + "/login", timeout=TIMEOUT)
    landed = browser.post(anonymous.base + "/login", allow_redirects=False, timeout=TIMEOUT,
                          data={"username": approved["username"], "next": "/volunteer",
                                "password": approved["one_time_password"],
                                "csrf": csrf_of(form.url, form.text)})
    assert landed.headers["Location"] == "/password"
    elsewhere = browser.get(anonymous.base + "/volunteer", allow_redirects=False,
                            timeout=TIMEOUT)
    assert elsewhere.status_code == 303 and elsewhere.headers["Location"] == "/password"
    page = browser.get(anonymous.base + "/password", timeout=TIMEOUT)
    changed = browser.post(anonymous.base + "/password", allow_redirects=False,
                           timeout=TIMEOUT, data={
                               "csrf": csrf_of(page.url, page.text),
                               "current_password": approved["one_time_password"],
                               "new_password": NEW_PASSWORD,
                               "new_password_again": NEW_PASSWORD})
    assert changed.status_code == 303 and changed.headers["Location"] == "/volunteer"
    home = browser.get(anonymous.base + "/volunteer", timeout=TIMEOUT)
    assert home.status_code == 200 and "吴桂兰" in home.text
    assert log_in(anonymous.base, approved["username"], NEW_PASSWORD).home == "/volunteer"
