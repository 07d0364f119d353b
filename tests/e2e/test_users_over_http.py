"""User management through the gateway, over HTTP only, with the demo data loaded: an admin
creates logins and deactivates them, and a deactivated login's tokens stop working at once.
Passwords are refused, by field, when short for the role, holding the username or among
the most common."""
import uuid

import pytest

from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in
from tests.support import assert_problem

PASSWORD = "a-long-enough-password"
DISBURSEMENT = {"fund_code": "GENERAL", "amount_fen": 100, "purpose": "x",
                "payee": {"name": "张三"}, "category": "poverty_relief"}


def new_user(role="staff", **changes) -> dict:
    return {"username": f"user-{uuid.uuid4().hex[:8]}", "password": PASSWORD, "role": role,
            "display_name": "李明", **changes}


def create(admin, **changes) -> dict:
    body = new_user(**changes)
    response = admin.call("POST", "/api/v1/users", body)
    assert response.status_code == 201, response.text
    return body


def test_an_admin_creates_a_staff_user_who_logs_in_and_lists_funds(anonymous):
    admin = anonymous.login("admin")
    body = new_user(display_name="  李明  ")

    response = admin.call("POST", "/api/v1/users", body)

    assert response.status_code == 201, response.text
    association = admin.call("GET", "/api/v1/me").json()["association_code"]
    assert response.json() == {"username": body["username"], "role": "staff",
                               "display_name": "李明", "active": True,
                               "association_code": association}
    staff = anonymous.login(body["username"], PASSWORD)
    assert staff.call("GET", "/api/v1/me").json()["association_code"] == association
    funds = staff.call("GET", "/api/v1/funds")
    assert funds.status_code == 200, funds.text
    assert {"GENERAL", "SPECIAL_FAMILY"} <= {f["code"] for f in funds.json()["items"]}


def test_an_admin_lists_users_a_page_at_a_time(anonymous):
    admin = anonymous.login("admin")
    created = create(admin)

    everyone = admin.call("GET", "/api/v1/users?limit=500").json()
    page = admin.call("GET", "/api/v1/users?limit=2&offset=1").json()

    usernames = [user["username"] for user in everyone["items"]]
    assert {"admin", "staff1", "auditor1", created["username"]} <= set(usernames)
    assert everyone["total"] == len(usernames)
    assert page["total"] == everyone["total"]
    assert [user["username"] for user in page["items"]] == usernames[1:3]
    auditor = next(user for user in everyone["items"] if user["username"] == "auditor1")
    assert (auditor["role"], auditor["display_name"], auditor["active"]) == \
        ("auditor", "auditor1", True)
    bad = admin.call("GET", "/api/v1/users?limit=0")
    assert "limit" in assert_problem(bad, 422, "invalid_input")["errors"]


def test_a_taken_username_is_a_409_naming_the_field(anonymous):
    admin = anonymous.login("admin")
    first = create(admin)

    again = admin.call("POST", "/api/v1/users", new_user(username=first["username"]))
    demo = admin.call("POST", "/api/v1/users", new_user(username="staff1"))

    for response in (again, demo):
        assert list(assert_problem(response, 409, "username_taken")["errors"]) == ["username"]


@pytest.mark.parametrize("change, field", [
    ({"role": "superuser"}, "role"),
    ({"role": "system"}, "role"),
    ({"password": "too-short"}, "password"),
    ({"username": "ab"}, "username"),
    ({"username": "has space"}, "username"),
    ({"username": "new\n"}, "username"),
    ({"username": "x" * 101}, "username"),
    ({"display_name": "   "}, "display_name"),
    ({"display_name": "x" * 201}, "display_name"),
    ({"surprise": True}, "surprise"),
], ids=["unknown-role", "system-role", "short-password", "short-username", "space",
        "trailing-newline", "long-username", "blank-display-name", "long-display-name",
        "unknown-field"])
def test_a_bad_body_is_a_422_naming_the_field(anonymous, change, field):
    admin = anonymous.login("admin")

    response = admin.call("POST", "/api/v1/users", new_user(**change))

    assert list(assert_problem(response, 422, "invalid_input")["errors"]) == [field]


def test_a_missing_display_name_is_named(anonymous):
    admin = anonymous.login("admin")
    body = {k: v for k, v in new_user().items() if k != "display_name"}

    response = admin.call("POST", "/api/v1/users", body)

    assert list(assert_problem(response, 422, "invalid_input")["errors"]) == ["display_name"]


@pytest.mark.parametrize("username", ["staff1", "coordinator1", "auditor1", "donor1"])
def test_only_an_admin_manages_users(anonymous, username):
    caller = anonymous.login(username)

    responses = [caller.call("POST", "/api/v1/users", new_user()),
                 caller.call("GET", "/api/v1/users"),
                 caller.call("POST", "/api/v1/users/staff2/deactivate")]

    for response in responses:
        assert_problem(response, 403, "role_not_allowed")
    assert anonymous.login("staff2").call("GET", "/api/v1/funds").status_code == 200


def test_without_a_token_user_management_is_a_401(anonymous):
    assert_problem(anonymous.call("GET", "/api/v1/users"), 401, "not_authenticated")
    assert_problem(anonymous.call("POST", "/api/v1/users", new_user()), 401,
                   "not_authenticated")


def test_a_deactivated_users_token_stops_working_at_once(anonymous):
    admin = anonymous.login("admin")
    body = create(admin)
    user = anonymous.login(body["username"], PASSWORD)
    cookie = {"phf_session": user.token}
    assert user.call("GET", "/api/v1/funds").status_code == 200
    assert user.call("GET", "/staff", cookies=cookie, allow_redirects=False).status_code == 200

    response = admin.call("POST", f"/api/v1/users/{body['username']}/deactivate")

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert response.json()["username"] == body["username"]
    refused = user.call("GET", "/api/v1/funds")
    assert_problem(refused, 401, "not_authenticated")
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    page = user.call("GET", "/staff", cookies=cookie, allow_redirects=False)
    assert page.status_code == 303
    assert page.headers["Location"].startswith("/login")
    login = anonymous.call("POST", "/api/v1/auth/token",
                           {"username": body["username"], "password": PASSWORD})
    assert_problem(login, 401, "not_authenticated")
    again = admin.call("POST", f"/api/v1/users/{body['username']}/deactivate")
    assert (again.status_code, again.json()["active"]) == (200, False)
    listed = admin.call("GET", "/api/v1/users?limit=500").json()["items"]
    assert next(u for u in listed if u["username"] == body["username"])["active"] is False


def test_an_unknown_user_cannot_be_deactivated(anonymous):
    admin = anonymous.login("admin")

    response = admin.call("POST", "/api/v1/users/nobody-here/deactivate")

    assert_problem(response, 404, "user_not_found")


def test_an_admin_cannot_deactivate_themself(anonymous):
    admin = anonymous.login("admin")

    response = admin.call("POST", "/api/v1/users/admin/deactivate")

    assert list(assert_problem(response, 409, "cannot_deactivate_self")["errors"]) == \
        ["username"]
    assert admin.call("GET", "/api/v1/users").status_code == 200


def test_the_auditor_reads_funds_and_disbursements_but_requests_nothing(anonymous):
    auditor = anonymous.login("auditor1")

    funds = auditor.call("GET", "/api/v1/funds")
    disbursements = auditor.call("GET", "/api/v1/disbursements")
    request = auditor.call("POST", "/api/v1/disbursements", DISBURSEMENT)

    assert funds.status_code == 200, funds.text
    assert {"GENERAL", "SPECIAL_FAMILY"} <= {f["code"] for f in funds.json()["items"]}
    assert disbursements.status_code == 200, disbursements.text
    assert disbursements.json()["total"] >= 1
    assert "auditor" in assert_problem(request, 403, "role_not_allowed")["detail"]


def _weak_for(username: str) -> list[tuple[str, str]]:
    """(password, what is wrong with it) for a staff-side login named `username`."""
    return [("k7#vq!m2zp9", "At least 12 characters for this role."),
            (username.upper() + "-spring", "Must not contain the username."),
            ("qwerty123456", "One of the most common passwords; choose another.")]


@pytest.mark.parametrize("kind", [0, 1, 2], ids=["eleven-characters", "holds-the-username",
                                                 "most-common"])
@pytest.mark.parametrize("role", ["staff", "coordinator"])
def test_a_staff_side_login_with_a_weak_password_is_a_422_on_password(anonymous, kind, role):
    admin = anonymous.login("admin")
    body = new_user(role=role)
    password, why = _weak_for(body["username"])[kind]

    response = admin.call("POST", "/api/v1/users", {**body, "password": password})

    assert assert_problem(response, 422, "invalid_input")["errors"] == {"password": [why]}


def test_a_donor_login_keeps_ten_characters_but_not_a_common_password(anonymous):
    admin = anonymous.login("admin")

    common = admin.call("POST", "/api/v1/users", new_user(role="donor", password="password123"))
    made = admin.call("POST", "/api/v1/users", new_user(role="donor", password="k7#vq!m2zp"))

    assert list(assert_problem(common, 422, "invalid_input")["errors"]) == ["password"]
    assert made.status_code == 201, made.text


def test_changing_a_staff_password_refuses_each_weakness_on_new_password(anonymous):
    admin = anonymous.login("admin")
    body = create(admin)
    staff = anonymous.login(body["username"], PASSWORD)

    for password, why in _weak_for(body["username"]):
        refused = staff.call("POST", "/api/v1/auth/password",
                             {"current_password": PASSWORD, "new_password": password})
        assert assert_problem(refused, 422, "invalid_input")["errors"] == \
            {"new_password": [why]}
    both = staff.call("POST", "/api/v1/auth/password",
                      {"current_password": "not-it-at-all", "new_password": "qwerty123456"})
    assert set(assert_problem(both, 422, "wrong_password")["errors"]) == \
        {"current_password", "new_password"}
    assert staff.call("GET", "/api/v1/me").status_code == 200  # nothing changed

    changed = staff.call("POST", "/api/v1/auth/password",
                         {"current_password": PASSWORD, "new_password": "harbour-lamp-2027"})

    assert changed.status_code == 200, changed.text
    assert anonymous.login(body["username"], "harbour-lamp-2027")


def test_the_password_page_shows_a_staff_login_what_is_wrong_next_to_the_field(anonymous):
    admin = anonymous.login("admin")
    body = create(admin)
    browser = log_in(anonymous.base, body["username"], PASSWORD)
    page = browser.get(anonymous.base + "/password", timeout=TIMEOUT)
    assert "至少 12 位" in page.text

    def post(new: str):
        return browser.post(anonymous.base + "/password", allow_redirects=False,
                            timeout=TIMEOUT, data={
                                "csrf": csrf_of(page.url, page.text),
                                "current_password": PASSWORD, "new_password": new,
                                "new_password_again": new})

    for password, chinese in zip([p for p, _ in _weak_for(body["username"])],
                                 ["此角色的密码至少 12 位。", "不能包含用户名。",
                                  "这是最常见的密码之一，请另选一个。"], strict=True):
        refused = post(password)
        assert refused.status_code == 422
        assert field_errors(refused.text) == {"new_password": [chinese]}
    assert post("harbour-lamp-2027").headers["Location"] == "/staff"
