"""County A's records, as the demo loader makes them through the services' RPCs (341181's
funds, donors, gifts, families, associations, members, volunteers, policies, claims), with
what the loader leaves out (a recurring plan) and what the services make on their own
(a care visit, messages) waited for; and the identifiers another county's reads name."""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from deploy import demo
from shared.actors import sign
from shared.clock import LOCAL, local_today

CODE = "341181"
TIMEOUT = 30


def twin(role: str, county: str, donor: int | None = None,
         volunteer: int | None = None) -> dict:
    """A login of `county`: the same username, role, donor and volunteer in every county, so
    the only thing keeping one county's answers from another's is the association."""
    return sign({"username": f"{role}-twin", "role": role, "association_code": county,
                 "donor_id": donor if role == "donor" else None,
                 "volunteer_id": volunteer if role == "volunteer" else None})


@dataclass(frozen=True)
class CountyA:
    fund: str
    donor: int
    donation: int
    receipt_no: str
    disbursement: int
    pledge: int
    plan: int
    product: str
    policy_no: str
    claim: int
    claim_no: str
    claim_last4: str
    document: str
    family: int
    village: str
    member: int
    volunteer: int
    application: int
    shift: int
    signed_up: int
    visit: int
    payout_fund: str = demo.PRODUCTS[0]["payout_fund_code"]
    project_fund: str = demo.PROJECTS[0][0]
    county: str = CODE
    township: str = demo.TONGCHENG
    grassroots: tuple = (demo.TONGCHENG, demo.QINLAN)
    year: int = local_today().year
    year_start: str = local_today().replace(month=1, day=1).isoformat()
    week_ago: str = f"{local_today() - timedelta(days=7)}T00:00:00+08:00"
    month_ahead: str = f"{local_today() + timedelta(days=30)}T00:00:00+08:00"
    far_ahead: str = (local_today() + timedelta(days=400)).isoformat()


def waited(read, timeout: float = TIMEOUT):
    """What `read()` answers once it answers something (a service's work after an event)."""
    deadline = time.monotonic() + timeout
    while not (found := read()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found, "county A's records did not appear"
    return found


def county_a(rpc) -> CountyA:
    """The identifiers of county A's records, read back as its staff after the demo load."""
    staff = sign({"username": "staff1", "role": "staff", "association_code": CODE})
    coordinator = sign({"username": "coordinator1", "role": "coordinator",
                        "association_code": CODE})
    donation = rpc.fund.list_donations({}, staff)["items"][0]
    donor = donation["donor_id"]
    rpc.fund.create_pledge({**demo.PLEDGE, "recurring": {"months": 3}}, "county-a-monthly",
                           twin("donor", CODE, donor=donor))
    plan = rpc.fund.list_recurring({}, staff)["items"][0]
    claims = rpc.insurance.list_claims({"limit": 100}, staff)["items"]
    claim = next(c for c in claims if c["documents"])
    insured = next(p for p in demo.POLICIES + [e for e, _, _ in demo.PREMIUM_POLICIES]
                   if p["insured"]["name"] == claim["insured"]["name"])
    shift = rpc.volunteers.list_shifts({}, coordinator)["items"][0]
    _hours_served(rpc, coordinator, shift["confirmed"][0]["volunteer_id"])
    waited(lambda: rpc.notifications.list_messages({}, staff)["items"])
    return CountyA(
        fund=donation["fund_code"], donor=donor, donation=donation["id"],
        receipt_no=donation["receipt_no"],
        disbursement=rpc.fund.list_disbursements({}, staff)["items"][0]["id"],
        pledge=rpc.fund.list_pledges({}, staff)["items"][0]["id"], plan=plan["id"],
        product=claim["product_code"], policy_no=claim["policy_no"], claim=claim["id"],
        claim_no=claim["claim_no"], claim_last4=insured["insured"]["id_number"][-4:],
        document=claim["documents"][0]["sha256"],
        family=rpc.families.list_families({}, staff)["items"][0]["id"],
        village=demo.FAMILIES[0]["village_code"],
        member=rpc.families.list_members({}, staff)["items"][0]["id"],
        volunteer=shift["confirmed"][0]["volunteer_id"],
        application=rpc.volunteers.list_applications({}, coordinator)["items"][0]["id"],
        shift=shift["id"], signed_up=shift["confirmed"][0]["volunteer_id"],
        visit=waited(lambda: rpc.volunteers.list_visits({}, coordinator)["items"])[0]["id"])


def _hours_served(rpc, coordinator: dict, volunteer: int) -> None:
    """Yesterday morning's shift, its hours credited by the coordinator (the demo's shift is
    next week): so that hours, rankings and the hours records have something of A's."""
    yesterday = local_today() - timedelta(days=1)
    starts = datetime(yesterday.year, yesterday.month, yesterday.day, 9, tzinfo=LOCAL)
    activity = rpc.volunteers.create_activity({"title": "入户走访"}, coordinator)
    shift = rpc.volunteers.create_shift({
        "activity_id": activity["id"], "capacity": 5, "required_skills": ["general"],
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat()},
        coordinator)
    rpc.volunteers.sign_up(shift["id"], {"volunteer_id": volunteer}, coordinator)
    rpc.volunteers.correct_hours(shift["id"], volunteer,
                                 {"minutes": 180, "reason": "现场签到表"}, coordinator)
