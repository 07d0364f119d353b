"""Staff-side sessions end once unused for SESSION_IDLE_MINUTES (here a tenth of a minute, so
the test waits seconds, not half an hour): the API answers 401 `session_expired`, the pages
send the browser to the login form saying why. A token in use goes on, and so do a donor's
and a volunteer's, which keep the plain TTL."""
import time

import requests

from tests.e2e.page_forms import TIMEOUT, log_in
from tests.support import assert_problem

IDLE_SECONDS = 6
ENV = {"SESSION_IDLE_MINUTES": str(IDLE_SECONDS / 60)}


def keep_busy(client, seconds: float) -> None:
    """`client` asks something every second for `seconds`."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert client.call("GET", "/api/v1/me").status_code == 200
        time.sleep(1)


def test_an_idle_staff_token_ends_while_one_in_use_goes_on(anonymous):
    idle = anonymous.login("staff1")
    busy = anonymous.login("staff2")
    donor = anonymous.login("donor1")
    volunteer = anonymous.login("volunteer1")
    assert idle.call("GET", "/api/v1/me").status_code == 200

    keep_busy(busy, IDLE_SECONDS + 2)

    ended = idle.call("GET", "/api/v1/funds")
    problem = assert_problem(ended, 401, "session_expired")
    assert "log in again" in problem["detail"]
    assert busy.call("GET", "/api/v1/funds").status_code == 200
    for own in (donor, volunteer):
        assert own.call("GET", "/api/v1/me").status_code == 200
    assert_problem(idle.call("GET", "/api/v1/me"), 401, "session_expired")  # for good
    again = anonymous.login("staff1")
    assert again.call("GET", "/api/v1/funds").status_code == 200


def test_an_idle_page_session_goes_back_to_the_login_form_saying_why(anonymous):
    browser = log_in(anonymous.base, "coordinator1")
    assert browser.get(anonymous.base + browser.home, timeout=TIMEOUT).status_code == 200

    time.sleep(IDLE_SECONDS + 2)
    ended = browser.get(anonymous.base + "/coordinator", allow_redirects=False,
                        timeout=TIMEOUT)

    assert ended.status_code == 303
    assert ended.headers["Location"] == "/login?expired=1&next=/coordinator"
    assert "phf_session" not in browser.cookies
    form = browser.get(anonymous.base + ended.headers["Location"], timeout=TIMEOUT)
    assert 'id="session-expired"' in form.text and "长时间未操作" in form.text
    plain = requests.get(anonymous.base + "/login", timeout=TIMEOUT)
    assert 'id="session-expired"' not in plain.text
