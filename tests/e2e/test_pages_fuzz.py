"""Whatever a browser sends to the pages, the answer is never a 5xx. Logged in through the
login form as each demo role, the test walks that role's pages, reads every form on them
(where it posts, its fields, the hidden CSRF token) and posts hypothesis-generated values to
each with the session cookie and a valid token: text with NUL and lone surrogates, numbers
past 64 bits, `9e999999`, dates at the calendar's edges, very long and empty strings. It also
asks for the pages and form targets with ids no row has (0, -1, 2^63, 2^64, 99999999999),
and for each page with hostile query strings. Every 5xx is collected and printed with the
request that caused it."""
import re
from collections import Counter
from datetime import timedelta
from urllib.parse import urlencode, urlparse

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploy.demo import USERS
from services.gateway.web.ui import HOMES
from shared.clock import local_today
from tests.e2e.page_forms import TIMEOUT, Form, log_in, on_site, read

OWN_SYSTEM = True  # its forms deactivate and change the demo logins others use

EXAMPLES_PER_FORM = 30
EXAMPLES_PER_PAGE = 8
PAGES_PER_ROLE = 40
PAGES_PER_SHAPE = 3
# The order the roles are walked in: a form is fuzzed once, by the first role that finds it;
# the admin comes late since its forms deactivate other logins.
ROLE_ORDER = ("donor", "volunteer", "coordinator", "staff", "auditor", "admin")
NOT_FUZZED = ("/logout", "/lang/", "/static/")  # logging out ends the walk; nothing to post
IDS = ("0", "-1", str(2**63), str(2**64), "99999999999")
HOSTILE = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "9e999999", "NaN", "Infinity",
           "-Infinity", "sNaN", "1e-999", "-1", "0", "0.001", "12.345", "1,000.05", "１２", "²",
           str(2**63), str(2**64), "99999999999", "9" * 400, "0001-01-01", "9999-12-31",
           "0000-00-00", "1900-01-01", "2999-12-31", "1899-12-31", "0001-01-01T00:00",
           "9999-12-31T23:59", "2027-02-30T25:61", "x" * 20000, "\r\nSet-Cookie: a=b",
           "//evil.example", "/\\evil.example", "https://evil.example/", "<script>1</script>",
           "' OR 1=1 --", "true", "[]", "{}", "%00", "\u202e", "\ufeff"]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                   st.from_regex(r"-?\d{1,25}(\.\d{1,4})?([eE][-+]?\d{1,7})?", fullmatch=True),
                   st.dates().map(str))
QUERY_NAMES = ("done", "from", "to", "year", "next", "limit", "status")


def _demo_user(role: str) -> str:
    return next(username for username, their_role in USERS if their_role == role)


def _shape(method: str, url: str) -> tuple:
    """Forms that differ only in the record they act on (a row's approve button) post to
    one handler: fuzzing one of them is enough."""
    parts = urlparse(url).path.strip("/").split("/")
    return method, parts[0], parts[-1], len(parts)


def _strategy(field):
    if field.kind == "select":
        return st.one_of(st.sampled_from(field.options or [""]), VALUES)
    if field.kind == "checkbox":
        return st.lists(st.one_of(st.sampled_from(field.options), VALUES), max_size=3)
    return VALUES


def _encoded(pairs: list[tuple[str, str]]) -> str:
    # Lone surrogates cannot be sent by requests' own encoding; a hostile client sends their
    # UTF-8-style bytes all the same.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


class Fuzz:
    def __init__(self, base: str):
        self.base = base
        self.failures = []
        self.sent = 0
        self.forms: set = set()  # the shapes of the forms fuzzed
        self.asked: set = set()  # the shapes of the pages asked with odd queries and ids

    def send(self, browser, method: str, url: str, pairs: list[tuple[str, str]]):
        body = _encoded(pairs)
        if method == "GET":
            url, body = (f"{url}?{body}" if body else url), None
        try:
            answer = browser.request(method, url, data=body, timeout=TIMEOUT,
                                     allow_redirects=False, headers={
                                         "Content-Type": "application/x-www-form-urlencoded"})
        except requests.RequestException as exc:  # a dropped connection is a failure too
            self.failures.append(f"{exc!r} <- {method} {url} {body!r:.1000}")
            return
        self.sent += 1
        if answer.status_code >= 500:
            self.failures.append(f"{answer.status_code} <- {method} {url} {body!r:.1000}")

    def walk(self, browser, home: str) -> tuple[list[Form], list[str]]:
        """The forms on a role's pages, and the pages (a few of each shape: one claim's page
        offers other forms than the next claim's)."""
        seen = []
        shapes = Counter()
        forms = []
        queue = [self.base + home]
        while queue and len(seen) < PAGES_PER_ROLE:
            url = queue.pop(0)
            if url in seen or shapes[_shape("GET", url)] >= PAGES_PER_SHAPE:
                continue
            seen.append(url)
            shapes[_shape("GET", url)] += 1
            page = browser.get(url, timeout=TIMEOUT)
            assert page.status_code < 500, (url, page.status_code, page.text[:300])
            if "text/html" not in page.headers.get("Content-Type", ""):
                continue
            found, links = read(page.url, page.text)
            forms += found
            queue += [link.split("#")[0] for link in links if on_site(self.base, link)
                      and not any(part in link for part in NOT_FUZZED)]
        return forms, seen

    def fuzz_form(self, browser, form: Form) -> None:
        if any(part in form.action for part in NOT_FUZZED) or \
                _shape(form.method, form.action) in self.forms:
            return
        self.forms.add(_shape(form.method, form.action))
        hidden = form.hidden()
        fields = {f.name: _strategy(f) for f in form.typed()}
        fields.update({name: st.one_of(st.just(value), VALUES) for name, value
                       in hidden.items() if name != "csrf"})  # csrf stays valid: no 403s

        @given(values=st.fixed_dictionaries(fields))
        @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def post(values):
            pairs = [("csrf", hidden["csrf"])] if "csrf" in hidden else []
            for name, value in values.items():
                pairs += [(name, one) for one in (value if isinstance(value, list) else [value])]
            self.send(browser, form.method, form.action, pairs)

        post()

    def ask_oddly(self, browser, method: str, url: str, csrf: str | None = None) -> None:
        """A page (or a form's target) with ids no row has and, for pages, odd queries."""
        if (method, _shape(method, url)) in self.asked:
            return
        self.asked.add((method, _shape(method, url)))
        path = urlparse(url).path
        for odd in IDS:
            changed = re.sub(r"/\d+(?=/|$)", f"/{odd}", path)
            if changed != path:
                self.send(browser, method, self.base + changed, [("csrf", csrf)] if csrf else [])
        if method != "GET":
            return

        @given(query=st.dictionaries(st.sampled_from(QUERY_NAMES), VALUES, max_size=3))
        @settings(max_examples=EXAMPLES_PER_PAGE, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def ask(query):
            self.send(browser, "GET", self.base + path, list(query.items()))

        ask()


def _something_to_decide(anonymous) -> None:
    """Records in the states whose pages carry forms: a disbursement and a claim that staff1
    did not request (so staff1 may decide them), a shift volunteer1 is on and one it is not
    on, and an assigned visit."""
    staff2 = anonymous.login("staff2")
    coordinator = anonymous.login("coordinator1")
    volunteer = anonymous.login("volunteer1")
    assert staff2.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": 100,
        "purpose": "fuzz", "payee": {"name": "李秀英"}}).status_code == 201
    policy = staff2.call("GET", "/api/v1/insurance/policies").json()["items"][0]
    assert staff2.call("POST", "/api/v1/insurance/claims", {
        "policy_no": policy["policy_no"], "incident_date": str(local_today() - timedelta(5)),
        "amount_claimed_fen": 100, "description": "fuzz"}).status_code == 201
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "fuzz"}).json()
    shifts = [coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 5, "required_skills": [],
        "starts_at": f"{local_today() + timedelta(days)}T09:00:00+08:00",
        "ends_at": f"{local_today() + timedelta(days)}T10:00:00+08:00"}).json()
        for days in (30, 31)]
    me = volunteer.call("GET", "/api/v1/me").json()
    assert volunteer.call("POST", f"/api/v1/shifts/{shifts[0]['id']}/signups",
                          {"volunteer_id": me["volunteer_id"]}).status_code == 201
    for visit in coordinator.call("GET", "/api/v1/visits?status=open").json()["items"][:1]:
        free = coordinator.call("GET", f"/api/v1/visits/{visit['id']}/proposals").json()
        if free["volunteer_ids"]:
            coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                             {"volunteer_ids": free["volunteer_ids"][:1]})


def test_no_input_to_any_page_answers_5xx(running_system, anonymous):
    _something_to_decide(anonymous)
    fuzz = Fuzz(running_system.url)
    # Every role logs in first: the login form is fuzzed last, since failed logins slow
    # down further logins from this address.
    browsers = {role: log_in(fuzz.base, _demo_user(role)) for role in ROLE_ORDER}
    for role in ROLE_ORDER:
        browser = browsers[role]
        forms, pages = fuzz.walk(browser, HOMES[role])
        for url in pages:
            fuzz.ask_oddly(browser, "GET", url)
        for form in forms:
            fuzz.ask_oddly(browser, form.method, form.action, form.hidden().get("csrf"))
            fuzz.fuzz_form(browser, form)
    visitor = requests.Session()
    login_page = visitor.get(fuzz.base + "/login", timeout=TIMEOUT)
    for form in read(login_page.url, login_page.text)[0]:
        fuzz.fuzz_form(visitor, form)
    for path in ("/login", "/public/341181", "/public/trace/R-1"):
        fuzz.ask_oddly(visitor, "GET", fuzz.base + path)
    print(f"{fuzz.sent} requests; forms fuzzed: {sorted(fuzz.forms)}")
    assert len(fuzz.forms) >= 18, sorted(fuzz.forms)  # the walk found the forms
    assert fuzz.failures == [], f"{len(fuzz.failures)} of {fuzz.sent} requests failed:\n" + \
        "\n".join(fuzz.failures)
