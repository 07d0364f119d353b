"""Every RPC entrypoint of every service, sorted: a read of records (a lookup by id, number or
code, or a listing), a write, or neither. The isolation test calls every read as another
county's logins; a new entrypoint left out of this table fails that test until it is sorted,
so a read cannot escape the check by being forgotten."""
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from nameko.rpc import Rpc

from services.families.service import FamiliesService
from services.fund.service import FundService
from services.insurance.service import InsuranceService
from services.notifications.service import NotificationsService
from services.volunteers.service import VolunteersService
from shared.errors import InvalidInput, NotFound

SERVICES = (FundService, InsuranceService, FamiliesService, VolunteersService,
            NotificationsService)


@dataclass(frozen=True)
class Read:
    """`call(rpc, a, actor)`: the read with county A's records named (`a`, county_a.CountyA);
    a lookup answers NotFound to another county, a listing shows it nothing."""
    call: Callable
    lookup: bool = False
    absent: tuple = (NotFound,)  # what answers "no such record"
    # Items a county is shown of its own with nothing recorded (its own association).
    own: Callable = lambda item, county: False


def lookup(call: Callable, absent: tuple = (NotFound,)) -> Read:
    return Read(call, lookup=True, absent=absent)


def listing(call: Callable, own: Callable = Read.own) -> Read:
    return Read(call, own=own)


def rpc_names(service: type) -> set[str]:
    """The service's nameko RPC entrypoints (its base class's too)."""
    return {name for name, member in inspect.getmembers(service)
            if any(isinstance(e, Rpc) for e in getattr(member, "nameko_entrypoints", ()))}


# Neither reads nor writes an association's records: liveness, and a link's token that is
# its own proof (no login, so no county to read as).
UNSCOPED = {"health", "ping", "unsubscribe"}

# Reads of what no service writes yet, so A has nothing to be shown: the notifications
# service audits nothing of its own; its log is read by the code every service shares
# (shared/service.py), checked through the others.
NEVER_FILLED = {("notifications", "audit_entries")}

WRITES = {
    "fund": {"approve_disbursement", "cancel_pledge", "cancel_recurring", "confirm_pledge",
             "create_pledge", "create_project", "ensure_donor", "ensure_fund",
             "import_donations", "import_donors", "payment_notified", "reconcile",
             "record_donation", "refund_donation", "reject_disbursement",
             "request_disbursement"},
    "insurance": {"appeal_claim", "approve_claim", "attach_document", "cancel_policy",
                  "decide_appeal", "enrol", "enrol_village", "ensure_product",
                  "import_policies", "record_premium_payment", "reject_claim", "renew",
                  "submit_claim"},
    "families": {"add_member", "create_association", "hold_member_day", "import_families",
                 "import_members", "pair_family", "rebuild_timeline", "record_contact",
                 "record_help", "register_family", "set_assessment_criteria",
                 "set_assessment_score", "set_care_plan", "update_family"},
    "volunteers": {"approve_application", "assign", "cancel_shift", "cancel_signup",
                   "cancel_visit", "change_shift", "change_visit", "check_in", "check_out",
                   "complete", "correct_hours", "create_activity", "create_shift",
                   "create_shifts", "decline_application", "import_volunteers", "register",
                   "sign_up", "submit_application"},
    "notifications": {"mark_read", "resend", "set_preference"},
}


# Another county's grassroots codes are refused as codes outside the caller's county.
OUTSIDE = (InvalidInput,)


def _audit(service: str) -> Read:
    return listing(lambda rpc, a, actor: getattr(rpc, service).audit_entries({}, actor))


READS = {
    "fund": {
        "list_funds": listing(lambda rpc, a, actor: rpc.fund.list_funds(actor)),
        "get_fund": lookup(lambda rpc, a, actor: rpc.fund.get_fund(a.fund, actor)),
        # A product's fund checked: one not in the county is refused as a fund that is not.
        "check_payout_fund": lookup(lambda rpc, a, actor: rpc.fund.check_payout_fund(
            a.payout_fund, actor), absent=(InvalidInput,)),
        "check_premium_fund": lookup(lambda rpc, a, actor: rpc.fund.check_premium_fund(
            a.payout_fund, actor), absent=(InvalidInput,)),
        "list_donors": listing(lambda rpc, a, actor: rpc.fund.list_donors({}, actor)),
        "get_donor": lookup(lambda rpc, a, actor: rpc.fund.get_donor(a.donor, actor)),
        "reveal_donor_identity": lookup(lambda rpc, a, actor: rpc.fund.reveal_donor_identity(
            a.donor, {"reason": "核对捐赠人身份"}, actor)),
        "get_donation": lookup(lambda rpc, a, actor: rpc.fund.get_donation(a.donation, actor)),
        "list_donations": listing(lambda rpc, a, actor: rpc.fund.list_donations({}, actor)),
        "get_receipt": lookup(lambda rpc, a, actor: rpc.fund.get_receipt(a.donation, actor)),
        "annual_receipt": lookup(lambda rpc, a, actor: rpc.fund.annual_receipt(
            a.donor, {"year": a.year}, actor)),
        "get_disbursement": lookup(
            lambda rpc, a, actor: rpc.fund.get_disbursement(a.disbursement, actor)),
        "list_disbursements": listing(
            lambda rpc, a, actor: rpc.fund.list_disbursements({}, actor)),
        "statement": lookup(lambda rpc, a, actor: rpc.fund.statement(a.fund, {}, actor)),
        "grassroots_totals": lookup(lambda rpc, a, actor: rpc.fund.grassroots_totals(
            {"codes": a.grassroots}, actor), absent=OUTSIDE),
        "list_projects": listing(
            lambda rpc, a, actor: rpc.fund.list_projects(a.project_fund, actor)),
        "list_fund_projects": listing(
            lambda rpc, a, actor: rpc.fund.list_fund_projects(actor)),
        "get_pledge": lookup(lambda rpc, a, actor: rpc.fund.get_pledge(a.pledge, actor)),
        "list_pledges": listing(lambda rpc, a, actor: rpc.fund.list_pledges({}, actor)),
        "get_recurring": lookup(lambda rpc, a, actor: rpc.fund.get_recurring(a.plan, actor)),
        "list_recurring": listing(lambda rpc, a, actor: rpc.fund.list_recurring({}, actor)),
        "public_funds": listing(lambda rpc, a, actor: rpc.fund.public_funds(actor)),
        "public_disbursements": listing(
            lambda rpc, a, actor: rpc.fund.public_disbursements({}, actor)),
        "public_spending": listing(lambda rpc, a, actor: rpc.fund.public_spending({}, actor)),
        "trace": lookup(lambda rpc, a, actor: rpc.fund.trace(a.receipt_no, actor)),
        "audit_entries": _audit("fund"),
    },
    "insurance": {
        "list_products": listing(lambda rpc, a, actor: rpc.insurance.list_products(actor)),
        "get_policy": lookup(lambda rpc, a, actor: rpc.insurance.get_policy(a.policy_no, actor)),
        "list_policies": listing(lambda rpc, a, actor: rpc.insurance.list_policies({}, actor)),
        "get_claim": lookup(lambda rpc, a, actor: rpc.insurance.get_claim(a.claim, actor)),
        "list_claims": listing(lambda rpc, a, actor: rpc.insurance.list_claims({}, actor)),
        "get_document": lookup(lambda rpc, a, actor: rpc.insurance.get_document(
            a.claim, a.document, actor)),
        "report": listing(lambda rpc, a, actor: rpc.insurance.report(
            "premiums", {"year": a.year}, actor)),
        "public_claim_status": lookup(lambda rpc, a, actor: rpc.insurance.public_claim_status(
            a.claim_no, {"id_last4": a.claim_last4}, actor)),
        # Another county's product is refused as an unknown one.
        "renewals_due": lookup(lambda rpc, a, actor: rpc.insurance.renewals_due(
            {"product_code": a.product, "ends_before": a.far_ahead}, actor),
            absent=(InvalidInput,)),
        "audit_entries": _audit("insurance"),
    },
    "families": {
        "get_family": lookup(lambda rpc, a, actor: rpc.families.get_family(a.family, actor)),
        "list_families": listing(lambda rpc, a, actor: rpc.families.list_families({}, actor)),
        "insured_of_village": listing(
            lambda rpc, a, actor: rpc.families.insured_of_village(a.village, actor)),
        "list_associations": listing(
            lambda rpc, a, actor: rpc.families.list_associations(actor),
            own=lambda item, county: item["code"] == county),
        "get_association": lookup(
            lambda rpc, a, actor: rpc.families.get_association(a.township, actor)),
        "get_member": lookup(lambda rpc, a, actor: rpc.families.get_member(a.member, actor)),
        "list_members": listing(lambda rpc, a, actor: rpc.families.list_members({}, actor)),
        "list_contacts": lookup(
            lambda rpc, a, actor: rpc.families.list_contacts(a.member, {}, actor)),
        "overdue_contacts": lookup(
            lambda rpc, a, actor: rpc.families.overdue_contacts(a.county, {}, actor)),
        "list_member_days": lookup(
            lambda rpc, a, actor: rpc.families.list_member_days(a.township, {}, actor)),
        "dashboard": lookup(lambda rpc, a, actor: rpc.families.dashboard(a.township, actor)),
        "ranking": lookup(lambda rpc, a, actor: rpc.families.ranking(a.county, {}, actor)),
        "list_help": lookup(lambda rpc, a, actor: rpc.families.list_help(a.family, {}, actor)),
        "overdue_follow_ups": lookup(
            lambda rpc, a, actor: rpc.families.overdue_follow_ups(a.county, {}, actor)),
        "assessment": lookup(
            lambda rpc, a, actor: rpc.families.assessment(a.county, a.year, actor)),
        "timeline": lookup(lambda rpc, a, actor: rpc.families.timeline(a.family, {}, actor)),
        "audit_entries": _audit("families"),
    },
    "volunteers": {
        "list_applications": listing(
            lambda rpc, a, actor: rpc.volunteers.list_applications({}, actor)),
        "get_application": lookup(
            lambda rpc, a, actor: rpc.volunteers.get_application(a.application, actor)),
        "get_volunteer": lookup(
            lambda rpc, a, actor: rpc.volunteers.get_volunteer(a.volunteer, actor)),
        "volunteer_named": lookup(
            lambda rpc, a, actor: rpc.volunteers.volunteer_named(a.volunteer, actor)),
        "list_volunteers": listing(
            lambda rpc, a, actor: rpc.volunteers.list_volunteers({}, actor)),
        "count_volunteers": lookup(lambda rpc, a, actor: rpc.volunteers.count_volunteers(
            {"codes": a.grassroots}, actor), absent=OUTSIDE),
        "volunteer_hours": lookup(lambda rpc, a, actor: rpc.volunteers.volunteer_hours(
            {"codes": a.grassroots, "year": a.year}, actor), absent=OUTSIDE),
        "hours": lookup(lambda rpc, a, actor: rpc.volunteers.hours(a.volunteer, {}, actor)),
        "calendar": lookup(lambda rpc, a, actor: rpc.volunteers.calendar(
            a.volunteer, {"from": a.week_ago, "to": a.month_ahead}, actor)),
        "hours_records": listing(lambda rpc, a, actor: rpc.volunteers.hours_records(
            {"from": a.year_start, "to": a.month_ahead[:10]}, actor)),
        "ranking": listing(lambda rpc, a, actor: rpc.volunteers.ranking({}, actor)),
        "get_shift": lookup(lambda rpc, a, actor: rpc.volunteers.get_shift(a.shift, actor)),
        "list_shifts": listing(lambda rpc, a, actor: rpc.volunteers.list_shifts({}, actor)),
        "get_signup": lookup(lambda rpc, a, actor: rpc.volunteers.get_signup(
            a.shift, a.signed_up, actor)),
        "list_signups": lookup(
            lambda rpc, a, actor: rpc.volunteers.list_signups(a.shift, actor)),
        "list_visits": listing(lambda rpc, a, actor: rpc.volunteers.list_visits({}, actor)),
        "propose": lookup(lambda rpc, a, actor: rpc.volunteers.propose(a.visit, actor)),
        "audit_entries": _audit("volunteers"),
    },
    "notifications": {
        "my_messages": listing(
            lambda rpc, a, actor: rpc.notifications.my_messages({}, actor)),
        "unread": listing(lambda rpc, a, actor: rpc.notifications.unread(actor)),
        "list_messages": listing(
            lambda rpc, a, actor: rpc.notifications.list_messages({}, actor)),
        "audit_entries": _audit("notifications"),
    },
}
