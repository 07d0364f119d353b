"""Restricted money through the fund service's RPC interface, on both databases: projects
and categories, the admin-cost cap, refunds under four eyes, gifts in kind, receipts and the
default statement period (DESIGN.md, "Second stage" → "Money")."""
import json

import pytest
from nameko.testing.services import entrypoint_waiter

from shared.actors import public_actor
from shared.clock import local_date, now_utc
from shared.contracts.events import build_envelope
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.support import ADMIN, STAFF1, STAFF2, publish_raw

COMPANY = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}
PERSON = {"kind": "person", "name": "张三", "id_number": "11010519491231002X",
          "phone": "13812345678"}
OTHER_PERSON = {"kind": "person", "name": "李梅", "phone": "13900001111"}


def open_restricted(fund, code="ELDERLY", categories=("elderly_care",), project="P1"):
    """A restricted fund allowing `categories`, with one project."""
    opened = fund.rpc.ensure_fund({"code": code, "name": "养老扶助", "restricted": True,
                                   "allowed_categories": list(categories)}, ADMIN)
    if project:
        fund.rpc.create_project(code, {"code": project, "name": "敬老院", "purpose": "独生子女"
                                       "伤残死亡家庭老人的养老服务", "budget_fen": 100_000}, ADMIN)
    return opened


def open_unrestricted(fund, code="GENERAL", project=None):
    opened = fund.ensure_fund(code)
    if project:
        fund.rpc.create_project(code, {"code": project, "name": "助学", "purpose": "助学",
                                       "budget_fen": None}, ADMIN)
    return opened


def give(fund, amount, code, project=None, donor=COMPANY, by=STAFF1, channel="bank",
         description=None):
    body = {"fund_code": code, "amount_fen": amount, "channel": channel, "donor": donor}
    if project:
        body["project_code"] = project
    if description:
        body["description"] = description
    return fund.rpc.record_donation(body, None, by)


def ask(fund, amount, code, category, project=None, by=STAFF1):
    body = {"fund_code": code, "amount_fen": amount, "category": category,
            "purpose": "慰问", "payee": {"name": "李四"}}
    if project:
        body["project_code"] = project
    return fund.rpc.request_disbursement(body, by)


def pay(fund, amount, code, category, project=None):
    """Requested by staff1, approved by staff2; returns the decided disbursement."""
    return fund.rpc.approve_disbursement(ask(fund, amount, code, category, project)["id"],
                                         STAFF2)


def refusal(call, *args) -> Conflict:
    """The Conflict `call` answers with; what it answered instead is the failure."""
    try:
        answer = call(*args)
    except Conflict as error:
        return error
    pytest.fail(f"expected a 409 Conflict, got status={answer.get('status')!r} "
                f"reason={answer.get('reason')!r}")


def balance(fund, code):
    return fund.rpc.get_fund(code, STAFF1)["balance_fen"]


def project_row(fund, code, project="P1"):
    (row,) = [p for p in fund.rpc.list_projects(code, STAFF1)["items"] if p["code"] == project]
    return row


# --- projects and categories ---------------------------------------------------------------

def test_a_restricted_fund_keeps_its_allowed_categories(fund):
    opened = open_restricted(fund, project=None)
    assert opened["restricted"] is True
    assert opened["allowed_categories"] == ["elderly_care"]
    assert fund.rpc.get_fund("ELDERLY", STAFF1)["allowed_categories"] == ["elderly_care"]


def test_gifts_for_a_project_raise_the_project_and_the_fund(fund):
    open_restricted(fund)
    given = give(fund, 30_000, "ELDERLY", "P1")
    give(fund, 5_000, "ELDERLY", "P1", donor=PERSON)
    give(fund, 2_000, "ELDERLY")  # for the fund, no project
    assert given["project_code"] == "P1"
    row = project_row(fund, "ELDERLY")
    assert (row["received_fen"], row["spent_fen"], row["balance_fen"]) == (35_000, 0, 35_000)
    assert row["budget_fen"] == 100_000
    assert balance(fund, "ELDERLY") == 37_000
    (public,) = fund.rpc.public_funds(public_actor())["items"]
    assert (public["received_fen"], public["spent_fen"], public["balance_fen"]) == \
        (37_000, 0, 37_000)
    assert [(p["code"], p["balance_fen"]) for p in public["projects"]] == [("P1", 35_000)]


def test_a_restricted_fund_refuses_a_category_it_does_not_allow(fund):
    open_restricted(fund)
    give(fund, 30_000, "ELDERLY", "P1")
    with pytest.raises(InvalidInput) as refused:
        ask(fund, 1_000, "ELDERLY", "poverty_relief", "P1")
    assert refused.value.code == "category_not_allowed"
    assert "category" in refused.value.fields
    assert fund.rpc.list_disbursements({}, STAFF1)["total"] == 0


def test_a_restricted_fund_spends_only_through_a_project(fund):
    open_restricted(fund)
    give(fund, 30_000, "ELDERLY", "P1")
    give(fund, 30_000, "ELDERLY")
    with pytest.raises(InvalidInput) as refused:
        ask(fund, 1_000, "ELDERLY", "elderly_care")
    assert refused.value.code == "project_required"
    assert "project_code" in refused.value.fields
    assert fund.rpc.list_disbursements({}, STAFF1)["total"] == 0


def test_a_project_pays_what_it_holds(fund):
    open_restricted(fund)
    give(fund, 30_000, "ELDERLY", "P1")
    paid = pay(fund, 12_000, "ELDERLY", "elderly_care", "P1")
    assert (paid["status"], paid["project_code"], paid["category"]) == \
        ("paid", "P1", "elderly_care")
    row = project_row(fund, "ELDERLY")
    assert (row["received_fen"], row["spent_fen"], row["balance_fen"]) == \
        (30_000, 12_000, 18_000)
    assert balance(fund, "ELDERLY") == 18_000


def test_more_than_the_project_holds_is_refused_when_requested(fund):
    open_restricted(fund)
    give(fund, 5_000, "ELDERLY", "P1")
    give(fund, 50_000, "ELDERLY")  # the fund holds plenty, the project does not
    with pytest.raises(Conflict) as refused:
        ask(fund, 5_001, "ELDERLY", "elderly_care", "P1")
    assert refused.value.code == "project_insufficient"
    assert fund.rpc.list_disbursements({}, STAFF1)["total"] == 0
    assert project_row(fund, "ELDERLY")["balance_fen"] == 5_000


@pytest.mark.parametrize("other_money", [0, 10_000],
                         ids=["only-the-projects-money", "the-fund-holds-more"])
def test_a_project_drained_after_the_request_is_refused_at_approval(fund, other_money):
    open_restricted(fund)
    give(fund, 5_000, "ELDERLY", "P1")
    if other_money:
        give(fund, other_money, "ELDERLY")
    first = ask(fund, 4_000, "ELDERLY", "elderly_care", "P1")
    second = ask(fund, 4_000, "ELDERLY", "elderly_care", "P1")  # both fit when asked
    assert fund.rpc.approve_disbursement(first["id"], STAFF2)["status"] == "paid"
    refused = refusal(fund.rpc.approve_disbursement, second["id"], STAFF2)
    assert refused.code == "project_insufficient"
    assert fund.rpc.get_disbursement(second["id"], STAFF1)["status"] == "requested"
    assert project_row(fund, "ELDERLY")["balance_fen"] == 1_000
    assert balance(fund, "ELDERLY") == 1_000 + other_money


def test_project_money_is_not_spent_by_a_request_without_the_project(fund):
    open_unrestricted(fund, project="P1")
    give(fund, 8_000, "GENERAL", "P1")
    give(fund, 2_000, "GENERAL")  # the fund's own, free cash
    requested = ask(fund, 3_000, "GENERAL", "poverty_relief")
    decided = fund.rpc.approve_disbursement(requested["id"], STAFF2)
    assert (decided["status"], decided["reason"]) == ("rejected", "insufficient_funds")
    assert project_row(fund, "GENERAL")["balance_fen"] == 8_000
    assert balance(fund, "GENERAL") == 10_000
    assert pay(fund, 2_000, "GENERAL", "poverty_relief")["status"] == "paid"
    assert project_row(fund, "GENERAL")["balance_fen"] == 8_000
    assert balance(fund, "GENERAL") == 8_000


def approved_claim(fund, code, amount, claim_id=41):
    """An insurance claim approved for `amount`: the fund opens its payout from `code`."""
    envelope = build_envelope("insurance.claim_approved", {
        "association_code": "341181", "claim_id": claim_id, "claim_no": f"CL-{claim_id}",
        "policy_no": "P-1", "product_code": "ONLY_CHILD_ACCIDENT",
        "amount_approved_fen": amount, "payout_fund_code": code, "insured_name": "赵六",
        "insured_id_number_masked": "3411**********1234", "approved_by": "staff2"}, "claim")
    with entrypoint_waiter(fund.container, "on_claim_approved", timeout=10):
        publish_raw(fund.config["AMQP_URI"], "insurance.events", "claim_approved",
                    json.dumps(envelope).encode())
    (payout,) = fund.rpc.list_disbursements({}, STAFF1)["items"]
    return payout


def test_a_gift_for_a_project_is_recorded_while_a_claim_payout_waits(fund):
    """A waiting payout is the fund's to pay from its free cash; a gift for a project must
    neither pay it nor be refused because it cannot."""
    open_restricted(fund, code="INSURANCE_PAYOUT", categories=("insurance_payout",))
    assert approved_claim(fund, "INSURANCE_PAYOUT", 3_000)["status"] == "awaiting_funds"
    given = give(fund, 5_000, "INSURANCE_PAYOUT", "P1")
    assert given["project_code"] == "P1"
    assert project_row(fund, "INSURANCE_PAYOUT")["balance_fen"] == 5_000
    (payout,) = fund.rpc.list_disbursements({}, STAFF1)["items"]
    assert payout["status"] == "awaiting_funds"
    give(fund, 3_000, "INSURANCE_PAYOUT")  # the fund's own money: now it is paid
    (payout,) = fund.rpc.list_disbursements({}, STAFF1)["items"]
    assert payout["status"] == "paid"
    assert balance(fund, "INSURANCE_PAYOUT") == 5_000
    assert project_row(fund, "INSURANCE_PAYOUT")["balance_fen"] == 5_000


# --- admin costs (慈善法 第六十条) ----------------------------------------------------------

def test_admin_costs_never_come_from_a_restricted_fund(fund):
    open_restricted(fund)
    give(fund, 30_000, "ELDERLY", "P1")
    with pytest.raises(InvalidInput) as refused:
        ask(fund, 100, "ELDERLY", "admin_cost", "P1")
    assert refused.value.code == "category_not_allowed"
    assert "category" in refused.value.fields


def test_a_restricted_fund_cannot_be_opened_to_allow_admin_costs(fund):
    with pytest.raises(InvalidInput):
        fund.rpc.ensure_fund({"code": "ELDERLY", "name": "养老扶助", "restricted": True,
                              "allowed_categories": ["elderly_care", "admin_cost"]}, ADMIN)


def test_the_first_admin_cost_of_a_year_without_spending_is_over_the_cap(fund):
    open_unrestricted(fund)
    give(fund, 100_000, "GENERAL")
    with pytest.raises(Conflict) as refused:
        ask(fund, 100, "GENERAL", "admin_cost")
    assert refused.value.code == "admin_cost_cap"
    assert fund.rpc.list_disbursements({}, STAFF1)["total"] == 0


def test_admin_costs_may_reach_a_tenth_of_the_years_spending_and_no_more(fund):
    open_unrestricted(fund)
    give(fund, 100_000, "GENERAL")
    assert pay(fund, 9_000, "GENERAL", "poverty_relief")["status"] == "paid"
    with pytest.raises(Conflict) as refused:
        ask(fund, 1_001, "GENERAL", "admin_cost")
    assert refused.value.code == "admin_cost_cap"
    paid = pay(fund, 1_000, "GENERAL", "admin_cost")  # 1 000 of 10 000: exactly a tenth
    assert (paid["status"], paid["category"]) == ("paid", "admin_cost")
    assert balance(fund, "GENERAL") == 90_000


def test_the_admin_cost_cap_is_checked_again_at_approval(fund):
    open_unrestricted(fund)
    give(fund, 100_000, "GENERAL")
    pay(fund, 9_000, "GENERAL", "poverty_relief")
    first = ask(fund, 1_000, "GENERAL", "admin_cost")
    second = ask(fund, 1_000, "GENERAL", "admin_cost")  # each fits on its own
    assert fund.rpc.approve_disbursement(first["id"], STAFF2)["status"] == "paid"
    with pytest.raises(Conflict) as refused:  # 2 000 of 11 000 would be above a tenth
        fund.rpc.approve_disbursement(second["id"], STAFF2)
    assert refused.value.code == "admin_cost_cap"
    assert fund.rpc.get_disbursement(second["id"], STAFF1)["status"] == "requested"
    assert balance(fund, "GENERAL") == 90_000


def test_admin_costs_count_spending_from_every_fund_of_the_year(fund):
    open_unrestricted(fund)
    open_restricted(fund)
    give(fund, 100_000, "GENERAL")
    give(fund, 20_000, "ELDERLY", "P1")
    pay(fund, 10_000, "ELDERLY", "elderly_care", "P1")  # restricted spending counts too
    assert pay(fund, 1_000, "GENERAL", "admin_cost")["status"] == "paid"


# --- refunds under four eyes -------------------------------------------------------------

def test_whoever_recorded_a_donation_cannot_refund_it(fund):
    open_unrestricted(fund)
    given = give(fund, 10_000, "GENERAL", by=STAFF1)
    with pytest.raises(Forbidden) as refused:
        fund.rpc.refund_donation(given["id"], {"reason": "捐错了"}, STAFF1)
    assert refused.value.code == "refund_four_eyes"
    assert fund.rpc.get_donation(given["id"], STAFF1)["status"] == "recorded"
    assert balance(fund, "GENERAL") == 10_000
    refunded = fund.rpc.refund_donation(given["id"], {"reason": "捐错了"}, STAFF2)
    assert (refunded["status"], refunded["refund_reason"]) == ("refunded", "捐错了")
    assert balance(fund, "GENERAL") == 0
    assert given["history"] == []
    [change] = fund.rpc.get_donation(given["id"], STAFF1)["history"]
    assert (change["actor"], change["from_status"], change["to_status"], change["reason"]) \
        == ("staff2", "recorded", "refunded", "捐错了")


def test_refunding_a_project_gift_takes_it_from_the_project(fund):
    open_restricted(fund)
    given = give(fund, 6_000, "ELDERLY", "P1")
    give(fund, 1_000, "ELDERLY", "P1")
    fund.rpc.refund_donation(given["id"], {"reason": "退回"}, STAFF2)
    row = project_row(fund, "ELDERLY")
    assert (row["received_fen"], row["balance_fen"]) == (1_000, 1_000)
    assert balance(fund, "ELDERLY") == 1_000


def test_a_gift_to_the_fund_is_not_refunded_out_of_a_projects_money(fund):
    """The fund's own gift was spent; what is left belongs to the project's donors."""
    open_unrestricted(fund, project="P1")
    own = give(fund, 5_000, "GENERAL")
    give(fund, 5_000, "GENERAL", "P1")
    assert pay(fund, 5_000, "GENERAL", "poverty_relief")["status"] == "paid"
    refused = refusal(fund.rpc.refund_donation, own["id"], {"reason": "退回"}, STAFF2)
    assert refused.code == "insufficient_funds"
    assert project_row(fund, "GENERAL")["balance_fen"] == 5_000
    assert balance(fund, "GENERAL") == 5_000


# --- gifts in kind -----------------------------------------------------------------------

def test_a_gift_in_kind_is_receipted_but_never_spent_as_cash(fund):
    open_unrestricted(fund)
    give(fund, 10_000, "GENERAL")
    goods = give(fund, 50_000, "GENERAL", channel="in_kind", description="大米 100 袋")
    assert goods["receipt_no"].startswith("341181-")
    assert (goods["channel"], goods["description"]) == ("in_kind", "大米 100 袋")
    held = fund.rpc.get_fund("GENERAL", STAFF1)
    assert (held["balance_fen"], held["in_kind_fen"]) == (10_000, 50_000)
    requested = ask(fund, 50_000, "GENERAL", "poverty_relief")
    decided = fund.rpc.approve_disbursement(requested["id"], STAFF2)
    assert (decided["status"], decided["reason"]) == ("rejected", "insufficient_funds")
    held = fund.rpc.get_fund("GENERAL", STAFF1)
    assert (held["balance_fen"], held["in_kind_fen"]) == (10_000, 50_000)
    (public,) = fund.rpc.public_funds(public_actor())["items"]
    assert (public["received_fen"], public["balance_fen"]) == (10_000, 10_000)


def test_the_receipt_of_a_gift_in_kind_says_what_was_given(fund):
    open_unrestricted(fund)
    goods = give(fund, 50_000, "GENERAL", channel="in_kind", description="轮椅 5 台")
    receipt = fund.rpc.get_receipt(goods["id"], STAFF1)
    assert receipt["receipt_no"] == goods["receipt_no"]
    assert (receipt["amount_fen"], receipt["in_kind_description"]) == (50_000, "轮椅 5 台")
    assert receipt["status"] == "valid"
    cash = fund.rpc.get_receipt(give(fund, 100, "GENERAL")["id"], STAFF1)
    assert cash["in_kind_description"] is None


def test_a_gift_in_kind_without_a_description_is_refused(fund):
    open_unrestricted(fund)
    with pytest.raises(InvalidInput) as refused:
        give(fund, 50_000, "GENERAL", channel="in_kind")
    assert "description" in refused.value.fields
    assert fund.rpc.get_fund("GENERAL", STAFF1)["in_kind_fen"] == 0


# --- receipts and statements -------------------------------------------------------------

def test_the_annual_receipt_sums_the_years_valid_gifts_and_leaves_refunds_out(fund):
    open_unrestricted(fund)
    first = give(fund, 10_000, "GENERAL", donor=PERSON)
    second = give(fund, 2_345, "GENERAL", donor=PERSON)
    refunded = give(fund, 5_000, "GENERAL", donor=PERSON)
    give(fund, 7_000, "GENERAL", donor=OTHER_PERSON)  # someone else's
    fund.rpc.refund_donation(refunded["id"], {"reason": "重复"}, STAFF2)
    year = local_date(now_utc()).year
    annual = fund.rpc.annual_receipt(first["donor_id"], {"year": year}, STAFF1)
    assert (annual["donor_id"], annual["year"], annual["total_fen"]) == \
        (first["donor_id"], year, 12_345)
    assert annual["total_in_words"] == "壹佰贰拾叁元肆角伍分"
    assert [r["receipt_no"] for r in annual["receipts"]] == \
        [first["receipt_no"], second["receipt_no"]]
    assert fund.rpc.annual_receipt(first["donor_id"], {}, STAFF1)["total_fen"] == 12_345
    assert fund.rpc.annual_receipt(first["donor_id"], {"year": year - 1},
                                   STAFF1)["total_fen"] == 0
    assert fund.rpc.get_receipt(refunded["id"], STAFF1)["status"] == "void"


def test_a_statement_without_dates_covers_this_year_to_today(fund):
    open_unrestricted(fund)
    give(fund, 10_000, "GENERAL")
    pay(fund, 2_500, "GENERAL", "poverty_relief")
    today = local_date(now_utc())
    statement = fund.rpc.statement("GENERAL", {}, STAFF1)
    assert (statement["from"], statement["to"]) == (f"{today.year}-01-01", today.isoformat())
    assert (statement["opening_balance_fen"], statement["closing_balance_fen"]) == (0, 7_500)
    assert (statement["total_in_fen"], statement["total_out_fen"]) == (10_000, 2_500)
    only_from = fund.rpc.statement("GENERAL", {"from": f"{today.year}-01-01"}, STAFF1)
    assert only_from["to"] == today.isoformat()


def test_a_statement_counts_the_money_its_projects_hold(fund):
    open_restricted(fund)
    open_unrestricted(fund, "OTHER", project="P1")  # the same project code in another fund
    give(fund, 20_000, "ELDERLY", project="P1")
    give(fund, 5_000, "OTHER", project="P1")
    pay(fund, 3_000, "ELDERLY", "elderly_care", project="P1")
    statement = fund.rpc.statement("ELDERLY", {}, STAFF1)
    assert (statement["total_in_fen"], statement["total_out_fen"]) == (20_000, 3_000)
    assert statement["closing_balance_fen"] == balance(fund, "ELDERLY") == 17_000
    assert [(line["in_fen"], line["out_fen"]) for line in statement["lines"]] == \
        [(20_000, 0), (0, 3_000)]


def test_every_project_of_every_fund_is_listed_in_one_call(fund):
    open_restricted(fund, project="P1")
    open_unrestricted(fund, project="SCHOOL")
    give(fund, 3_000, "GENERAL", project="SCHOOL")
    listed = fund.rpc.list_fund_projects(STAFF1)
    assert listed["total"] == 2
    assert [(p["fund_code"], p["code"], p["balance_fen"]) for p in listed["items"]] == [
        ("ELDERLY", "P1", 0), ("GENERAL", "SCHOOL", 3_000)]
    assert "received_fen" not in listed["items"][0]
