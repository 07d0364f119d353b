"""Two counties on one deployment, over HTTP: every GET of the API, asked by county 341182's
staff, admin, auditor and coordinator with the demo county's (341181) real ids, numbers and
codes in its path, answers 404 as for a record that does not exist; a list, export, figure
or log shows none of 341181's records; nothing answers 5xx. A new GET route is walked
without being listed here, and one whose path names something this module cannot fill
fails until it can. A few pages, as B's browser sees them, likewise."""
import re
from datetime import date

import pytest

from deploy import demo
from services.gateway.routes import ROUTES
from services.gateway.service import GatewayService  # noqa: F401 (its methods define ROUTES)
from tests.e2e.conftest import Client
from tests.e2e.county_logins import county_logins
from tests.e2e.page_forms import TIMEOUT, log_in
from tests.family_data import family, resident

B = "341182"
A_LOGINS = {"staff": "staff1", "admin": "admin", "auditor": "auditor1",
            "coordinator": "coordinator1"}
PEOPLE = (1, 2)
BORN = date(1961, 11, 11)  # this module's people: nobody else's was born that day
# Path parts that name no county's record: a template's register, a year.
NOT_RECORDS = {"register", "year"}
# Lists where B is shown its own: its county's association, its logins, itself.
OWN = {"/api/v1/associations", "/api/v1/users", "/api/v1/me"}


@pytest.fixture(scope="module")
def county_a(running_system) -> dict:
    """What 341181's logins see of their county: the value for each path part, and
    the marks (numbers, names) that must not reach B."""
    client = Client(running_system.url)
    staff, coordinator, admin = (client.login(n) for n in ("staff1", "coordinator1", "admin"))
    made = staff.call("POST", "/api/v1/families", _family_of_our_people()).json()
    donor = client.login("donor1")
    donor.call("POST", "/api/v1/pledges", {"fund_code": "GENERAL", "amount_fen": 1_100,
                                          "channel": "wechat", "recurring": {"months": 2}},
               headers={"Idempotency-Key": "counties-over-http-monthly"})
    run = _dry_run_with_an_error(staff)

    def first(client, path, **params):
        items = client.call("GET", path, params=params).json()["items"]
        assert items, f"341181 has no {path}"
        return items[0]

    donation, claim = first(staff, "/api/v1/donations"), _documented_claim(staff)
    shift = first(coordinator, "/api/v1/shifts")
    member = first(staff, "/api/v1/members")
    pledge, policy = first(staff, "/api/v1/pledges"), first(staff, "/api/v1/insurance/policies")
    volunteer = first(coordinator, "/api/v1/volunteers")
    application = first(coordinator, "/api/v1/volunteer-applications")
    values = {
        "application_id": application["id"], "code": demo.TONGCHENG, "year": date.today().year,
        "member_id": member["id"], "volunteer_id": shift["confirmed"][0]["volunteer_id"],
        "family_id": made["id"], "donation_id": donation["id"], "donor_id": donation["donor_id"],
        "disbursement_id": first(staff, "/api/v1/disbursements")["id"],
        "pledge_id": pledge["id"], "plan_id": first(staff, "/api/v1/recurring")["id"],
        "import_id": run, "register": "families", "policy_no": policy["policy_no"],
        "claim_id": claim["id"], "sha256": claim["documents"][0]["sha256"],
        "shift_id": shift["id"], "visit_id": first(coordinator, "/api/v1/visits")["id"],
        "fund_code": demo.PROJECTS[0][0]}
    marks = [donation["receipt_no"], pledge["pledge_no"], policy["policy_no"],
             claim["claim_no"], made["family_no"], member["member_no"], member["name"],
             volunteer["name"], application["name"], demo.COMPANY["name"],
             *(m["name"] for m in made["members"]), "staff1", "coordinator1",
             *(a["name"] for a in demo.ASSOCIATIONS)]
    assert admin.call("GET", "/api/v1/audit").json()["items"], "341181 has no audit log"
    return {"values": values, "marks": marks, "product": policy["product_code"]}


def _family_of_our_people() -> dict:
    made = family(*PEOPLE)
    for person, n in zip(made["members"], PEOPLE, strict=True):
        person["id_number"] = resident(n, BORN)
    return made


def _documented_claim(staff: Client) -> dict:
    claims = staff.call("GET", "/api/v1/insurance/claims", params={"limit": 500}).json()
    return next(c for c in claims["items"] if c["documents"])


def _dry_run_with_an_error(staff: Client) -> str:
    """An import run of 341181 with a row in error, so it has an errors workbook."""
    rows = ("Household number,Family category,Address,Village code,Name,Identity number,"
            "Relation to the head,Mobile phone\n"
            f"H1,only_child,龙岗村9号,{demo.FAMILIES[0]['village_code']},县外导入,"
            "not-a-number,head,\n")
    answer = staff.call("POST", "/api/v1/imports/families", params={"dry_run": "true"},
                        files={"file": ("families.csv", rows.encode())})
    assert answer.status_code == 200, answer.text
    return answer.json()["import_id"]


@pytest.fixture(scope="module")
def county_b(running_system) -> dict[str, Client]:
    """341182's staff-side logins, logged in: role -> client."""
    client = Client(running_system.url)
    return {role: client.login(username)
            for role, username in county_logins(running_system, B).items()}


def test_county_b_s_logins_get_none_of_county_a_s_records_from_any_get(running_system,
                                                                       county_a, county_b):
    a_side = Client(running_system.url)
    a_logins = {role: a_side.login(username) for role, username in A_LOGINS.items()}
    shown = []
    for route in (r for r in ROUTES if r.method == "GET" and r.roles is not None):
        asked = [role for role in county_b if role in route.roles]
        assert asked, f"no login of B may GET {route.path}: sort it here"
        path, is_lookup = _filled(route.path, county_a["values"])
        params = _query_of(path, county_a)
        if is_lookup:  # 341181's own login finds it: the path names a real record
            found = a_logins[asked[0]].call("GET", path, params=params)
            assert found.status_code == 200, f"{path} as 341181's {asked[0]}: {found.text}"
        for role in asked:
            answer = county_b[role].call("GET", path, params=params)
            problem = _what_b_got(answer, path, is_lookup, county_a["marks"])
            if problem:
                shown.append(f"GET {path} as {role}: {problem}")
    assert not shown, "\n".join(shown)


def _filled(path: str, values: dict) -> tuple[str, bool]:
    """The path with 341181's values in it, and whether it looks up a record."""
    if path.startswith("/api/v1/funds/"):  # a fund's code, not an association's
        path = path.replace("<code>", "<fund_code>")
    names = re.findall(r"<(?:\w+:)?(\w+)>", path)
    missing = set(names) - set(values)
    assert not missing, f"{path}: no value of 341181 for {missing}"
    filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    return filled, bool(set(names) - NOT_RECORDS)


def _query_of(path: str, county_a: dict) -> dict:
    if path.endswith("/export"):
        return {"format": "csv"}
    if path.endswith("/identity"):
        return {"reason": "核对捐赠人身份"}
    if path == "/api/v1/insurance/renewals":
        return {"product_code": county_a["product"]}
    return {}


def _what_b_got(answer, path: str, is_lookup: bool, marks: list[str]) -> str | None:
    if answer.status_code >= 500:
        return f"{answer.status_code} {answer.text[:200]}"
    # A 404 may name what was asked for, as for any number that does not exist.
    seen = [m for m in marks if m in answer.text and m not in path]
    if seen:
        return f"{answer.status_code} naming {seen}"
    if is_lookup:
        return None if answer.status_code == 404 else f"{answer.status_code}, not 404"
    if answer.status_code != 200:
        return None  # refused: nothing shown (renewals of a product B does not have)
    if answer.headers["Content-Type"].startswith("text/csv"):
        rows = [line for line in answer.text.splitlines() if line.strip()]
        return None if len(rows) <= 1 else f"{len(rows) - 1} rows"
    if answer.headers["Content-Type"].startswith("application/json") and path not in OWN:
        items = answer.json().get("items")
        return f"{len(items)} items" if items else None
    return None


PAGES_OF_A = ["/families/{family_id}", "/members/{member_id}", "/associations/{code}",
              "/receipts/{donation_id}", "/donor/pledges/{pledge_id}",
              "/donor/recurring/{plan_id}", "/associations/{code}/assessment"]
LISTING_PAGES = ["/staff", "/staff/donations", "/families", "/associations", "/follow-ups"]


def test_county_b_s_staff_pages_show_none_of_county_a_s(running_system, county_a, county_b):
    staff = log_in(running_system.url, f"staff{B}")
    for page in PAGES_OF_A:
        answer = staff.get(running_system.url + page.format(**county_a["values"]),
                           timeout=TIMEOUT)
        assert answer.status_code == 404, page
    for page in LISTING_PAGES:
        answer = staff.get(running_system.url + page, timeout=TIMEOUT)
        assert answer.status_code == 200, page
        assert [m for m in county_a["marks"] if m in answer.text] == [], page
