"""The pages against what an outside check sent them: ids no row has, amounts that are not
money, dates at the calendar's edges, actions on what does not exist or cannot change,
header injection through `next`, NUL and lone surrogates. Each is refused as the API refuses
it (the same status, the field named), never with a 5xx. Also the headers every page
carries, the login form's CSRF token, and logging out for good."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import requests

from services.gateway.web_server import SECURITY_HEADERS
from shared.clock import local_today
from shared.identity import make_resident_id
from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in

HUGE_IDS = ["0", str(2**31), str(2**63), str(2**64), "99999999999"]
NOT_MONEY = ["9e999999", "NaN", "Infinity", "-Infinity", "sNaN", "1e-999", "1e999999999"]
EDGE_DAYS = ["0001-01-01", "9999-12-31", "0000-00-00"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class Browser:
    """A logged-in browser that posts forms with its CSRF token, as the pages' forms do."""

    def __init__(self, base: str, username: str, language: str = "en"):
        self.base = base
        self.session = log_in(base, username)
        self.session.cookies.set("phf_lang", language)
        home = self.session.get(base + self.session.home, timeout=TIMEOUT)
        self.csrf = csrf_of(home.url, home.text)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=TIMEOUT, allow_redirects=False,
                                **kwargs)

    def post(self, path: str, data: dict | None = None, raw: str | None = None):
        if raw is not None:  # bytes no well-behaved encoder would make
            return self.session.post(self.base + path, data=f"csrf={self.csrf}&{raw}",
                                     timeout=TIMEOUT, allow_redirects=False, headers={
                                         "Content-Type": "application/x-www-form-urlencoded"})
        return self.session.post(self.base + path, data={"csrf": self.csrf, **(data or {})},
                                 timeout=TIMEOUT, allow_redirects=False)


def _field_errors(page: requests.Response) -> dict:
    return field_errors(page.text)


def _page(answer: requests.Response, status: int) -> requests.Response:
    assert answer.status_code == status, (answer.status_code, answer.text[:600])
    assert answer.headers["Content-Type"].startswith("text/html")
    return answer


@pytest.fixture(scope="module")
def staff1(running_system):
    return Browser(running_system.url, "staff1")


@pytest.fixture
def staff2_api(anonymous):
    return anonymous.login("staff2")


# --- ids ---------------------------------------------------------------------------------
@pytest.mark.parametrize("odd", HUGE_IDS)
def test_an_id_no_row_has_is_a_404_page(staff1, odd):
    for path in (f"/insurance/claims/{odd}", f"/receipts/{odd}", f"/donor/pledges/{odd}"):
        _page(staff1.get(path), 404)
    for path in (f"/insurance/claims/{odd}/approve", f"/staff/disbursements/{odd}/approve",
                 f"/staff/pledges/{odd}/confirm"):
        _page(staff1.post(path, {"amount_yuan": "1", "channel_txn_id": "x"}), 404)


def test_a_negative_id_matches_no_page(staff1):
    assert staff1.get("/insurance/claims/-1").status_code == 404


# --- amounts -----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", NOT_MONEY)
def test_an_amount_that_is_not_money_is_named_at_its_field(staff1, typed):
    answer = staff1.post("/staff/donations", {"fund_code": "GENERAL", "amount_yuan": typed,
                                              "channel": "cash", "donor_kind": "person",
                                              "donor_name": "赵敏"})
    assert "amount_yuan" in _field_errors(_page(answer, 422))


def test_a_budget_that_is_not_money_is_named_at_its_field(running_system):
    admin = Browser(running_system.url, "admin")
    answer = admin.post("/admin/projects", {"fund_code": "GENERAL", "code": "P_FUZZ",
                                            "name": "n", "purpose": "p",
                                            "budget_yuan": "9e999999"})
    assert "budget_yuan" in _field_errors(_page(answer, 422))


# --- dates -------------------------------------------------------------------------------
@pytest.mark.parametrize("day", EDGE_DAYS)
def test_a_statement_at_the_calendars_edges_is_refused_by_field(staff1, day):
    for path in ("/staff/funds/GENERAL/statement", "/staff/funds/GENERAL/statement.csv"):
        assert "from" in _field_errors(_page(staff1.get(path, params={"from": day}), 422))
        assert "to" in _field_errors(_page(staff1.get(path, params={"to": day}), 422))


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_a_policy_or_claim_at_the_calendars_edges_is_refused_by_field(staff1, day):
    enrol = staff1.post("/insurance/policies", {
        "product_code": "ONLY_CHILD_ACCIDENT", "insured_name": "周小明",
        "insured_id_number": make_resident_id("341181", date(2010, 1, 1), 7),
        "start_date": day, "family_category": "only_child"})
    assert "start_date" in _field_errors(_page(enrol, 422))
    claim = staff1.post("/insurance/claims", {"policy_no": "PL-X", "amount_yuan": "10",
                                              "incident_date": day, "description": "d"})
    assert "incident_date" in _field_errors(_page(claim, 422))


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "0000-00-00T00:00"])
def test_a_shift_at_the_calendars_edges_is_refused_by_field(running_system, moment):
    coordinator = Browser(running_system.url, "coordinator1")
    answer = coordinator.post("/coordinator/shifts", {
        "title": "7.11", "capacity": "3", "starts_at": moment, "ends_at": "2027-07-11T11:00"})
    assert "starts_at" in _field_errors(_page(answer, 422))


def test_a_claim_before_the_insured_was_born_is_not_a_crash(staff1, staff2_api):
    policy = next(p for p in staff2_api.call("GET", "/api/v1/insurance/policies").json()[
        "items"] if p["product_code"] == "ONLY_CHILD_ACCIDENT")  # 周小龙, born 2008
    answer = staff1.post("/insurance/claims", {"policy_no": policy["policy_no"],
                                               "amount_yuan": "10", "incident_date":
                                               "1990-01-01", "description": "d"})
    assert answer.status_code in (303, 409, 422), answer.text[:600]
    newborn = make_resident_id("341181", local_today() - timedelta(days=10), 9)
    enrol = staff1.post("/insurance/policies", {
        "product_code": "ONLY_CHILD_ACCIDENT", "insured_name": "周小宝",
        "insured_id_number": newborn, "start_date": "2000-01-01",
        "family_category": "only_child"})
    assert enrol.status_code in (303, 409, 422), enrol.text[:600]


# --- missing things, wrong states ----------------------------------------------------------
@pytest.mark.parametrize("language, heading", [("en", "Not found"), ("zh", "找不到")])
def test_approving_a_claim_that_does_not_exist_is_a_404_page_in_the_users_language(
        running_system, language, heading):
    staff = Browser(running_system.url, "staff1", language)
    answer = _page(staff.post("/insurance/claims/999999/approve", {"amount_yuan": "1"}), 404)
    assert f'<h1 class="refused">{heading}</h1>' in answer.text


def test_acting_on_what_does_not_exist_is_a_404_page(running_system, staff1):
    _page(staff1.post("/staff/pledges/999999/confirm", {"channel_txn_id": "wx-1"}), 404)
    _page(staff1.post("/insurance/claims/999999/reject", {"reason": "no"}), 404)
    admin = Browser(running_system.url, "admin")
    _page(admin.post("/admin/users/nobody-at-all/deactivate"), 404)
    volunteer = Browser(running_system.url, "volunteer1")
    _page(volunteer.post("/volunteer/shifts/999999/signup"), 404)
    _page(volunteer.post("/volunteer/shifts/999999/cancel"), 404)


def test_deciding_a_disbursement_twice_is_a_409_page(staff1, staff2_api):
    asked = staff2_api.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": 100,
        "purpose": "twice", "payee": {"name": "李秀英"}}).json()
    assert staff1.post(f"/staff/disbursements/{asked['id']}/approve").status_code == 303
    again = _page(staff1.post(f"/staff/disbursements/{asked['id']}/approve"), 409)
    assert "_decision" in _field_errors(again)
    _page(staff1.post(f"/staff/disbursements/{asked['id']}/reject", {"reason": "late"}), 409)


# --- redirects ---------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["/donor\r\nSet-Cookie: evil=1", "/donor%0d%0aX: 1",
                                    "//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "javascript:alert(1)", "/\tevil"])
def test_next_never_splits_the_header_or_leaves_the_site(running_system, target):
    browser = requests.Session()
    form = browser.get(running_system.url + "/login", timeout=TIMEOUT)
    answer = browser.post(running_system.url + "/login", allow_redirects=False, timeout=TIMEOUT,
                          data={"username": "donor1", "password": "donor1-demo", "next": target,
                                "csrf": csrf_of(form.url, form.text)})
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert not re.search(r"[\x00-\x1f]", location) and "evil" not in str(answer.headers)
    if "%0d" not in target:
        assert location == "/donor"


def test_next_on_the_site_is_followed(running_system):
    browser = requests.Session()
    form = browser.get(running_system.url + "/login?next=/donor/annual-receipt",
                       timeout=TIMEOUT)
    assert 'name="next" value="/donor/annual-receipt"' in form.text
    answer = browser.post(running_system.url + "/login", allow_redirects=False, timeout=TIMEOUT,
                          data={"username": "donor1", "password": "donor1-demo",
                                "next": "/donor/annual-receipt",
                                "csrf": csrf_of(form.url, form.text)})
    assert answer.headers["Location"] == "/donor/annual-receipt"


def test_the_language_switch_goes_back_only_to_this_site(running_system):
    answer = requests.get(running_system.url + "/lang/en", allow_redirects=False,
                          timeout=TIMEOUT, headers={"Referer": "http://x/\\evil.example"})
    assert answer.headers["Location"] == "/login"


# --- text that is not text -----------------------------------------------------------------
def test_nul_in_a_form_field_is_refused_with_the_field_named(staff1):
    answer = staff1.post("/staff/donations", {"fund_code": "GENERAL", "amount_yuan": "5",
                                              "channel": "cash", "donor_name": "赵\x00敏"})
    assert list(_field_errors(_page(answer, 422))) == ["donor_name"]


def test_nul_in_a_query_string_or_path_is_refused_with_the_field_named(staff1):
    assert "done" in _field_errors(_page(staff1.get("/staff?done=%00"), 422))
    assert "from" in _field_errors(_page(
        staff1.get("/staff/funds/GENERAL/statement?from=2026-01-01%00"), 422))
    _page(staff1.get("/staff/funds/GEN%00/statement"), 404)  # names nothing, as in the API


def test_a_lone_surrogate_in_a_form_or_query_is_no_crash(staff1):
    answer = staff1.post("/staff/donations", raw="fund_code=GENERAL&amount_yuan=x&channel=cash"
                                                 "&donor_name=%ED%A0%80")
    assert "amount_yuan" in _field_errors(_page(answer, 422))
    assert staff1.get("/staff?done=%ED%A0%80").status_code == 200  # read as U+FFFD


def test_nul_in_the_login_form_is_refused(running_system):
    browser = requests.Session()
    form = browser.get(running_system.url + "/login", timeout=TIMEOUT)
    answer = browser.post(running_system.url + "/login", timeout=TIMEOUT, data={
        "username": "donor1\x00", "password": "x", "csrf": csrf_of(form.url, form.text)})
    assert "username" in _field_errors(_page(answer, 422))


def test_a_static_name_with_nul_is_not_found(running_system):
    assert requests.get(running_system.url + "/static/site.css%00", timeout=TIMEOUT
                        ).status_code == 404


# --- headers, CSRF, logging out ------------------------------------------------------------
def test_a_donors_page_carries_the_security_headers_and_is_not_stored(running_system):
    donor = Browser(running_system.url, "donor1")
    answer = _page(donor.get("/donor"), 200)
    assert answer.headers["Content-Security-Policy"] == CSP == \
        SECURITY_HEADERS["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["Cache-Control"] == "no-store"
    receipt = re.search(r'href="(/receipts/\d+)"', answer.text).group(1)
    assert donor.get(receipt).headers["Cache-Control"] == "no-store"


def test_the_pages_scripts_are_served_as_javascript(running_system):
    for name in ("pages.js", "chart-4.5.1.umd.min.js"):
        answer = requests.get(f"{running_system.url}/static/{name}", timeout=TIMEOUT)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].split(";")[0] == "text/javascript"
    assert requests.get(running_system.url + "/static/site.css", timeout=TIMEOUT
                        ).headers["Content-Type"].startswith("text/css")


def test_the_login_form_refuses_a_post_without_its_csrf_token(running_system):
    browser = requests.Session()
    browser.get(running_system.url + "/login", timeout=TIMEOUT)  # the nonce cookie
    answer = browser.post(running_system.url + "/login", timeout=TIMEOUT, allow_redirects=False,
                          data={"username": "donor1", "password": "donor1-demo"})
    assert answer.status_code == 403
    assert "phf_session" not in browser.cookies
    stranger = requests.post(running_system.url + "/login", timeout=TIMEOUT, data={
        "username": "donor1", "password": "donor1-demo", "csrf": "é" * 32})
    assert stranger.status_code == 403


def test_after_logging_out_the_old_session_cookie_opens_nothing(running_system):
    donor = Browser(running_system.url, "donor1")
    old = donor.session.cookies["phf_session"]
    out = donor.post("/logout")
    assert out.status_code == 303 and out.headers["Location"] == "/login"
    replay = requests.get(running_system.url + "/donor", cookies={"phf_session": old},
                          allow_redirects=False, timeout=TIMEOUT)
    assert replay.status_code == 303
    assert replay.headers["Location"].startswith("/login")


# --- nothing inline, for the Content-Security-Policy ---------------------------------------
class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        given = dict(attrs)
        if tag == "script" and "src" not in given and given.get("type") != "application/json":
            self.found.append("an inline <script>")
        self.found += [f"{tag} {name}=" for name in given
                       if name == "style" or name.startswith("on")]
        if tag == "style":
            self.found.append("a <style> element")
        if any((value or "").strip().lower().startswith("javascript:")
               for value in given.values()):
            self.found.append(f"a javascript: address on {tag}")


def test_no_page_has_an_inline_script_handler_or_style(running_system, staff2_api):
    staff = Browser(running_system.url, "staff1")
    donor = Browser(running_system.url, "donor1")
    admin = Browser(running_system.url, "admin")
    volunteer = Browser(running_system.url, "volunteer1")
    receipt = re.search(r'href="(/receipts/\d+)"', donor.get("/donor").text).group(1)
    first = staff2_api.call("GET", "/api/v1/insurance/claims").json()["items"][0]
    claim = f"/insurance/claims/{first['id']}"
    pages = [(staff, "/staff"), (staff, "/staff/funds/GENERAL/statement"), (staff, "/insurance"),
             (staff, claim), (donor, "/donor"), (donor, receipt), (donor, "/donor/annual-receipt"),
             (admin, "/admin"), (admin, "/coordinator"), (volunteer, "/volunteer"),
             (staff, "/insurance/claims/999999")]
    for browser, path in pages:
        answer = browser.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        parser = _Inline()
        parser.feed(answer.text)
        assert parser.found == [], path
    for path in ("/login", "/public/341181"):
        parser = _Inline()
        parser.feed(requests.get(running_system.url + path, timeout=TIMEOUT).text)
        assert parser.found == [], path
