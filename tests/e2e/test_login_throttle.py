"""Guessing passwords and flooding the public endpoints are slowed down: 429 with
Retry-After, a wait that grows, and no way around it with the right password."""
import time

import requests

from tests.support import assert_problem

# Low limits so the test reaches them; the order of the tests matters (the address test
# holds back every login from 127.0.0.1, so it comes last).
ENV = {"LOGIN_FAILURES_PER_ACCOUNT": "3", "LOGIN_FAILURES_PER_ADDRESS": "12",
       "PUBLIC_POSTS_PER_MINUTE": "4"}


def _login(base, username, password):
    return requests.post(base + "/api/v1/auth/token", json={"username": username,
                                                           "password": password}, timeout=30)


def test_failed_logins_of_one_account_wait_longer_each_time(running_system):
    base = running_system.url
    for _ in range(4):  # three free failures, then the fourth sets a 1 s wait
        assert _login(base, "staff2", "wrong").status_code == 401
    held = _login(base, "staff2", "staff2-demo")  # the right password does not get round it
    assert_problem(held, 429, "too_many_requests")
    assert held.headers["Retry-After"] == "1"
    time.sleep(1.2)
    assert _login(base, "staff2", "wrong").status_code == 401
    assert _login(base, "staff2", "wrong").headers["Retry-After"] == "2"
    time.sleep(2.2)
    assert _login(base, "staff2", "staff2-demo").status_code == 200  # and a success clears it
    assert _login(base, "staff2", "wrong").status_code == 401


def test_the_login_page_is_throttled_too(running_system):
    base = running_system.url
    page = requests.Session()
    form = page.get(base + "/login", timeout=30).text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answers = [page.post(base + "/login", data={"username": "staff1", "password": "wrong",
                                                "csrf": csrf}, timeout=30,
                         allow_redirects=False) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert answers[-1].headers["Retry-After"] == "1"


def test_pledges_without_a_login_are_rated_per_address(running_system, anonymous):
    body = {"fund_code": "GENERAL", "amount_fen": 1_000, "channel": "wechat",
            "donor": {"kind": "person", "name": "周九", "phone": "13600000001"}}
    answers = [anonymous.call("POST", "/api/v1/pledges", body) for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [201] * 4
    assert_problem(answers[4], 429, "too_many_requests")
    assert 0 < int(answers[4].headers["Retry-After"]) <= 60
    donor = anonymous.login("donor1")  # a donor logged in is not the anonymous public
    assert donor.call("POST", "/api/v1/pledges", {k: v for k, v in body.items()
                                                  if k != "donor"}).status_code == 201


def test_many_accounts_failing_from_one_address_hold_that_address_back(running_system):
    base = running_system.url
    for n in range(12):
        _login(base, f"nobody{n}", "wrong")
    held = _login(base, "admin", "admin-demo")
    assert_problem(held, 429, "too_many_requests")
    assert int(held.headers["Retry-After"]) >= 1
