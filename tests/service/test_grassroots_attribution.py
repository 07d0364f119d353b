"""Money and volunteers attributed to grassroots associations (township and village
associations under the county's), and the figures the leadership's dashboard reads: money
raised and spent in a year and active volunteers, each code counting itself and every code
under it. On both databases, through the services' RPC interfaces."""
import json
from datetime import UTC, datetime

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select, update

from services.fund import disbursements, donations, ledger
from services.fund.models import Disbursement, Donation, GrassrootsMonth, LedgerTransaction
from services.volunteers.models import Volunteer
from shared.actors import sign, system_actor
from shared.clock import local_date, now_utc
from shared.contracts.events import build_envelope
from shared.errors import Forbidden, InvalidInput
from tests.support import ADMIN, STAFF1, STAFF2, publish_raw
from tests.volunteer_data import COORDINATOR, volunteer

COUNTY = "341181"
TOWN = "341181100"
OTHER_TOWN = "341181101"
VILLAGE = "341181100001"
OTHER_VILLAGE = "341181100002"
ELSEWHERE = "341182100"  # a township of another county
THIS_YEAR = local_date(now_utc()).year
LAST_YEAR = THIS_YEAR - 1
DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})
VOLUNTEER = sign({"username": "vol1", "role": "volunteer", "volunteer_id": 1})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
GIVER = {"kind": "person", "name": "张三", "phone": "13812345678"}
BAD_CODES = ["34118110000a", "３４１１８１", "3411811", "34118110", "3411811000011", "", 341181100,
             " 341181100"]


def give(fund, amount, code=None, channel="bank", by=STAFF1):
    body = {"fund_code": "GENERAL", "amount_fen": amount, "channel": channel, "donor": GIVER}
    if channel == "in_kind":
        body["description"] = "大米 100 袋"
    if code is not None:
        body["grassroots_code"] = code
    return fund.rpc.record_donation(body, None, by)


def ask(fund, amount, code=None):
    body = {"fund_code": "GENERAL", "amount_fen": amount, "category": "poverty_relief",
            "purpose": "慰问", "payee": {"name": "李四"}}
    if code is not None:
        body["grassroots_code"] = code
    return fund.rpc.request_disbursement(body, STAFF1)


def spend(fund, amount, code=None):
    return fund.rpc.approve_disbursement(ask(fund, amount, code)["id"], STAFF2)


def totals(fund, codes, year=THIS_YEAR, actor=STAFF1):
    answer = fund.rpc.grassroots_totals({"codes": codes, "year": year}, actor)
    return [(i["code"], i["donations_fen"], i["spent_fen"]) for i in answer["items"]]


def counts(volunteers, codes, actor=COORDINATOR):
    answer = volunteers.rpc.count_volunteers({"codes": codes}, actor)
    return [(i["code"], i["volunteers"]) for i in answer["items"]]


def at(monkeypatch, moment: datetime) -> None:
    """Donations, refunds and payouts from here on are posted at `moment` (UTC), as
    now_utc() would give it."""
    for module in (ledger, donations, disbursements):
        monkeypatch.setattr(module, "now_utc", lambda: moment)


def back_to_now(monkeypatch) -> None:
    for module in (ledger, donations, disbursements):
        monkeypatch.setattr(module, "now_utc", now_utc)


def mid(year: int) -> datetime:
    return datetime(year, 6, 1, 4, 0, tzinfo=UTC)


# --- attribution --------------------------------------------------------------------------
def test_without_a_code_money_and_volunteers_count_for_the_county(fund, volunteers):
    fund.ensure_fund()
    gift = give(fund, 10_000)
    assert gift["grassroots_code"] == COUNTY
    assert fund.rpc.get_donation(gift["id"], STAFF1)["grassroots_code"] == COUNTY
    pledged = fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": 500,
                                      "channel": "wechat", "donor": GIVER}, None, STAFF1)
    assert pledged["grassroots_code"] == COUNTY
    assert ask(fund, 1_000)["grassroots_code"] == COUNTY
    assert give(fund, 100, code=None)["grassroots_code"] == COUNTY
    registered = volunteers.rpc.register({**volunteer(1), "grassroots_code": None}, COORDINATOR)
    assert registered["grassroots_code"] == COUNTY


def test_a_code_given_is_kept_and_shown(fund, volunteers):
    fund.ensure_fund()
    gift = give(fund, 10_000, VILLAGE)
    assert gift["grassroots_code"] == VILLAGE
    assert fund.rpc.list_donations({}, STAFF1)["items"][0]["grassroots_code"] == VILLAGE
    asked = ask(fund, 1_000, TOWN)
    assert fund.rpc.get_disbursement(asked["id"], STAFF1)["grassroots_code"] == TOWN
    assert fund.rpc.list_disbursements({}, STAFF1)["items"][0]["grassroots_code"] == TOWN
    registered = volunteers.rpc.register({**volunteer(1), "grassroots_code": OTHER_VILLAGE},
                                     COORDINATOR)
    assert registered["grassroots_code"] == OTHER_VILLAGE
    assert volunteers.rpc.get_volunteer(registered["id"], COORDINATOR)["grassroots_code"] == \
        OTHER_VILLAGE
    assert volunteers.rpc.list_volunteers({}, COORDINATOR)["items"][0]["grassroots_code"] == \
        OTHER_VILLAGE


@pytest.mark.parametrize("code, error", [(c, "invalid_input") for c in BAD_CODES] + [
    (c, "grassroots_outside") for c in (ELSEWHERE, "341182", "341182100001", "100341181")])
def test_a_bad_code_or_one_of_another_county_is_refused_on_grassroots_code(fund, volunteers, code,
                                                                           error):
    fund.ensure_fund()
    give(fund, 10_000)
    calls = [
        lambda: give(fund, 100, code),
        lambda: fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": 100,
                                        "channel": "wechat", "donor": GIVER,
                                        "grassroots_code": code}, None, STAFF1),
        lambda: ask(fund, 100, code),
        lambda: volunteers.rpc.register({**volunteer(1), "grassroots_code": code}, COORDINATOR),
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.code == error
        assert list(refused.value.fields) == ["grassroots_code"]
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 1
    assert fund.rpc.list_pledges({}, STAFF1)["total"] == 0
    assert fund.rpc.list_disbursements({}, STAFF1)["total"] == 0
    assert volunteers.rpc.list_volunteers({}, COORDINATOR)["total"] == 0


def test_an_import_attributes_each_row_and_refuses_a_bad_code_on_its_row(fund):
    fund.ensure_fund()
    row = {"fund_code": "GENERAL", "amount_fen": 1_000, "channel": "bank", "donor": GIVER}
    answers = fund.rpc.import_donations([
        {"key": "r1", "donation": {**row, "grassroots_code": VILLAGE}},
        {"key": "r2", "donation": {**row, "grassroots_code": ELSEWHERE}},
        {"key": "r3", "donation": {**row, "grassroots_code": "x"}},
        {"key": "r4", "donation": row}], system_actor("csv-import"))
    assert (answers["imported"], answers["already_there"]) == (2, 0)
    assert [(bad["row"], list(bad["fields"])) for bad in answers["bad"]] == [
        (1, ["grassroots_code"]), (2, ["grassroots_code"])]
    kept = fund.rpc.list_donations({}, STAFF1)["items"]
    assert sorted(d["grassroots_code"] for d in kept) == sorted([VILLAGE, COUNTY])
    assert totals(fund, [VILLAGE, COUNTY]) == [(VILLAGE, 1_000, 0), (COUNTY, 2_000, 0)]


def test_a_confirmed_pledge_gives_its_donation_the_pledges_code(fund):
    fund.ensure_fund()
    pledged = fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": 8_800,
                                      "channel": "wechat", "donor": GIVER,
                                      "grassroots_code": VILLAGE}, None, STAFF1)
    assert pledged["grassroots_code"] == VILLAGE
    assert totals(fund, [VILLAGE]) == [(VILLAGE, 0, 0)]  # a promise is not money
    confirmed = fund.rpc.confirm_pledge(pledged["id"], {"channel_txn_id": "wx-1"}, STAFF2)
    assert confirmed["grassroots_code"] == VILLAGE
    assert confirmed["donation"]["grassroots_code"] == VILLAGE
    assert fund.rpc.get_donation(confirmed["donation"]["id"], STAFF1)["grassroots_code"] == \
        VILLAGE
    assert totals(fund, [VILLAGE, TOWN]) == [(VILLAGE, 8_800, 0), (TOWN, 8_800, 0)]


def test_a_claim_payout_counts_for_the_county(fund):
    fund.ensure_fund("INSURANCE_PAYOUT", restricted=True)
    fund.rpc.record_donation({"fund_code": "INSURANCE_PAYOUT", "amount_fen": 10_000,
                              "channel": "bank", "donor": GIVER, "grassroots_code": TOWN},
                             None, STAFF1)
    envelope = build_envelope("insurance.claim_approved", {
        "association_code": COUNTY, "claim_id": 7, "claim_no": "CL-7", "policy_no": "P-1",
        "product_code": "ONLY_CHILD_ACCIDENT", "amount_approved_fen": 3_000,
        "payout_fund_code": "INSURANCE_PAYOUT", "insured_name": "赵六",
        "insured_id_number_masked": "3411**********1234", "approved_by": "staff2"}, "c-1")
    with entrypoint_waiter(fund.container, "on_claim_approved", timeout=10):
        publish_raw(fund.config["AMQP_URI"], "insurance.events", "claim_approved",
                    json.dumps(envelope).encode())
    [payout] = fund.rpc.list_disbursements({}, STAFF1)["items"]
    assert (payout["status"], payout["grassroots_code"]) == ("paid", COUNTY)
    assert totals(fund, [COUNTY, TOWN]) == [(COUNTY, 10_000, 3_000), (TOWN, 10_000, 0)]


# --- money by grassroots association ------------------------------------------------------
def test_each_code_counts_itself_and_every_code_under_it_in_the_order_asked(fund):
    fund.ensure_fund()
    for amount, code in ((100, VILLAGE), (200, OTHER_VILLAGE), (400, TOWN), (800, OTHER_TOWN),
                         (1_600, None)):
        give(fund, amount, code)
    spend(fund, 10, VILLAGE)
    spend(fund, 20, TOWN)
    spend(fund, 40, OTHER_TOWN)
    spend(fund, 80)
    assert totals(fund, [OTHER_VILLAGE, TOWN, COUNTY, VILLAGE, OTHER_TOWN, "341181101001",
                         TOWN]) == [
        (OTHER_VILLAGE, 200, 0), (TOWN, 700, 30), (COUNTY, 3_100, 150), (VILLAGE, 100, 10),
        (OTHER_TOWN, 800, 40), ("341181101001", 0, 0), (TOWN, 700, 30)]


def test_money_counts_in_the_local_year_it_was_received_or_paid(fund, monkeypatch):
    fund.ensure_fund()
    at(monkeypatch, mid(LAST_YEAR))
    give(fund, 1_000, VILLAGE)
    # 00:30 on 1 January in China is still the last day of the year before in UTC.
    at(monkeypatch, datetime(THIS_YEAR - 1, 12, 31, 16, 30, tzinfo=UTC))
    give(fund, 2_000, VILLAGE)
    at(monkeypatch, datetime(THIS_YEAR - 1, 12, 31, 15, 59, tzinfo=UTC))
    give(fund, 4_000, VILLAGE)
    at(monkeypatch, mid(LAST_YEAR))
    spend(fund, 300, VILLAGE)
    back_to_now(monkeypatch)
    give(fund, 8_000, VILLAGE)
    spend(fund, 500, VILLAGE)
    assert totals(fund, [VILLAGE], LAST_YEAR) == [(VILLAGE, 5_000, 300)]
    assert totals(fund, [VILLAGE], THIS_YEAR) == [(VILLAGE, 10_000, 500)]
    assert totals(fund, [VILLAGE], THIS_YEAR + 1) == [(VILLAGE, 0, 0)]


def test_refunds_are_taken_off_in_the_year_they_are_made(fund, monkeypatch):
    fund.ensure_fund()
    kept = give(fund, 5_000, VILLAGE)
    refunded = give(fund, 3_000, VILLAGE)
    fund.rpc.refund_donation(refunded["id"], {"reason": "捐赠人要求退回"}, STAFF2)
    assert totals(fund, [VILLAGE, TOWN]) == [(VILLAGE, 5_000, 0), (TOWN, 5_000, 0)]
    # A gift of last year refunded this year: in last year's money, out of this year's.
    at(monkeypatch, mid(LAST_YEAR))
    old = give(fund, 700, VILLAGE)
    back_to_now(monkeypatch)
    fund.rpc.refund_donation(old["id"], {"reason": "重复录入"}, STAFF2)
    assert totals(fund, [VILLAGE], LAST_YEAR) == [(VILLAGE, 700, 0)]
    assert totals(fund, [VILLAGE]) == [(VILLAGE, 4_300, 0)]
    # ...and a refund made last year is last year's, not this year's.
    at(monkeypatch, mid(LAST_YEAR))
    given_back = give(fund, 900, VILLAGE)
    fund.rpc.refund_donation(given_back["id"], {"reason": "重复录入"}, STAFF2)
    back_to_now(monkeypatch)
    assert totals(fund, [VILLAGE], LAST_YEAR) == [(VILLAGE, 700, 0)]
    assert totals(fund, [VILLAGE]) == [(VILLAGE, 4_300, 0)]
    assert kept["status"] == "recorded"


def test_goods_given_in_kind_are_not_money_raised(fund):
    fund.ensure_fund()
    give(fund, 2_000, VILLAGE)
    goods = give(fund, 50_000, VILLAGE, channel="in_kind")
    assert goods["grassroots_code"] == VILLAGE
    fund.rpc.refund_donation(goods["id"], {"reason": "退回物资"}, STAFF2)
    assert totals(fund, [VILLAGE, COUNTY]) == [(VILLAGE, 2_000, 0), (COUNTY, 2_000, 0)]


def test_only_disbursements_paid_count_as_spent(fund):
    fund.ensure_fund()
    give(fund, 1_000)
    spend(fund, 100, VILLAGE)
    ask(fund, 200, VILLAGE)  # requested, not approved
    fund.rpc.reject_disbursement(ask(fund, 300, VILLAGE)["id"], {"reason": "材料不全"},
                                 STAFF2)
    short = spend(fund, 5_000, VILLAGE)  # more than the fund holds
    assert short["status"] == "rejected"
    assert totals(fund, [VILLAGE]) == [(VILLAGE, 0, 100)]


def test_the_sums_can_be_recomputed_from_the_donations_and_disbursements_lists(fund):
    fund.ensure_fund()
    for amount, code in ((100, VILLAGE), (200, OTHER_VILLAGE), (400, TOWN), (800, OTHER_TOWN)):
        give(fund, amount, code)
    fund.rpc.refund_donation(give(fund, 50, VILLAGE)["id"], {"reason": "退回"}, STAFF2)
    give(fund, 9_999, VILLAGE, channel="in_kind")
    spend(fund, 30, OTHER_VILLAGE)
    ask(fund, 60, OTHER_VILLAGE)
    gifts = fund.rpc.list_donations({"limit": 500}, STAFF1)["items"]
    payouts = fund.rpc.list_disbursements({"limit": 500}, STAFF1)["items"]
    for code in (VILLAGE, OTHER_VILLAGE, TOWN, OTHER_TOWN, COUNTY):
        raised = sum(d["amount_fen"] for d in gifts if d["grassroots_code"].startswith(code)
                     and d["channel"] != "in_kind" and d["status"] == "recorded")
        spent = sum(d["amount_fen"] for d in payouts
                    if d["grassroots_code"].startswith(code) and d["status"] == "paid")
        assert totals(fund, [code]) == [(code, raised, spent)]


def test_a_bad_question_about_money_is_refused_by_field(fund):
    for query, field in (({"codes": []}, "codes"),
                         ({"codes": [COUNTY] * 201}, "codes"),
                         ({"codes": ["x"]}, "codes.0"),
                         ({"codes": [COUNTY, "3411811"]}, "codes.1"),
                         ({"codes": COUNTY}, "codes"),
                         ({"codes": [COUNTY], "year": 1899}, "year"),
                         ({"codes": [COUNTY], "year": "2026"}, "year"),
                         ({"codes": [COUNTY], "month": 5}, "month"),
                         ({"year": THIS_YEAR}, "codes")):
        with pytest.raises(InvalidInput) as refused:
            fund.rpc.grassroots_totals(query, STAFF1)
        assert field in refused.value.fields, (query, refused.value.fields)


def test_another_countys_codes_are_refused_not_counted(fund):
    fund.ensure_fund()
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.grassroots_totals({"codes": [TOWN, ELSEWHERE, "341182"]}, STAFF1)
    assert refused.value.code == "grassroots_outside"
    assert sorted(refused.value.fields) == ["codes.1", "codes.2"]


def test_the_year_defaults_to_this_year(fund):
    fund.ensure_fund()
    give(fund, 1_000, TOWN)
    answer = fund.rpc.grassroots_totals({"codes": [TOWN]}, STAFF1)
    assert answer == {"items": [{"code": TOWN, "donations_fen": 1_000, "spent_fen": 0}]}


def test_leadership_reads_the_money_donors_and_volunteers_do_not(fund):
    fund.ensure_fund()
    give(fund, 1_000, TOWN)
    for reader in (STAFF1, ADMIN, AUDITOR, COORDINATOR, system_actor("families")):
        assert totals(fund, [TOWN], actor=reader) == [(TOWN, 1_000, 0)]
    for outsider in (DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            totals(fund, [TOWN], actor=outsider)


# --- volunteers by grassroots association -------------------------------------------------
def test_active_volunteers_are_counted_by_code_and_every_code_under_it(volunteers):
    placed = {}
    for n, code in ((1, VILLAGE), (2, VILLAGE), (3, OTHER_VILLAGE), (4, TOWN), (5, OTHER_TOWN),
                    (6, None)):
        placed[n] = volunteers.rpc.register({**volunteer(n), "grassroots_code": code},
                                        COORDINATOR)["id"]
    assert counts(volunteers, [VILLAGE, TOWN, OTHER_TOWN, COUNTY, "341181101001"]) == [
        (VILLAGE, 2), (TOWN, 4), (OTHER_TOWN, 1), (COUNTY, 6), ("341181101001", 0)]
    with volunteers.session() as session, session.begin():
        session.execute(update(Volunteer).where(Volunteer.id == placed[1])
                        .values(status="inactive"))
    assert counts(volunteers, [COUNTY, VILLAGE, TOWN]) == [(COUNTY, 5), (VILLAGE, 1), (TOWN, 3)]


def test_a_bad_question_about_volunteers_is_refused_by_field(volunteers):
    for query, field in (({"codes": []}, "codes"), ({"codes": ["34118110"]}, "codes.0"),
                         ({"codes": [COUNTY] * 201}, "codes"), ({}, "codes"),
                         ({"codes": [COUNTY], "year": THIS_YEAR}, "year")):
        with pytest.raises(InvalidInput) as refused:
            volunteers.rpc.count_volunteers(query, COORDINATOR)
        assert field in refused.value.fields, (query, refused.value.fields)
    with pytest.raises(InvalidInput) as refused:
        volunteers.rpc.count_volunteers({"codes": [VILLAGE, ELSEWHERE]}, COORDINATOR)
    assert list(refused.value.fields) == ["codes.1"]


def test_leadership_counts_the_volunteers_donors_and_volunteers_do_not(volunteers):
    volunteers.register(1)
    for reader in (STAFF1, ADMIN, AUDITOR, COORDINATOR, system_actor("families")):
        assert counts(volunteers, [COUNTY], actor=reader) == [(COUNTY, 1)]
    for outsider in (DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            counts(volunteers, [COUNTY], actor=outsider)


def test_kept_month_totals_are_the_donations_refunds_and_payouts_added_up(fund, monkeypatch):
    """Money and goods given, a refund and payouts across months: each code's kept month
    totals are what the donations and paid disbursements (and their ledger transactions)
    add up to."""
    fund.ensure_fund()
    at(monkeypatch, datetime(2025, 1, 31, 16, 30, tzinfo=UTC))  # 1 February, Beijing time
    give(fund, 5_000, VILLAGE)
    give(fund, 700, TOWN, channel="in_kind")
    refunded = give(fund, 300, OTHER_VILLAGE)
    give(fund, 100)
    at(monkeypatch, datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    fund.rpc.refund_donation(refunded["id"], {"reason": "退回"}, STAFF2)
    spend(fund, 1_000, VILLAGE)
    spend(fund, 200)
    ask(fund, 50, TOWN)
    back_to_now(monkeypatch)
    assert kept_months(fund) == months_added_up(fund) == {
        (COUNTY, "2025-02-01"): [100, 0, 0], (COUNTY, "2025-03-01"): [0, 0, 200],
        (VILLAGE, "2025-02-01"): [5_000, 0, 0], (VILLAGE, "2025-03-01"): [0, 0, 1_000],
        (OTHER_VILLAGE, "2025-02-01"): [300, 0, 0],
        (OTHER_VILLAGE, "2025-03-01"): [0, 300, 0]}


def kept_months(fund) -> dict:
    with fund.session() as session:
        return {(row.grassroots_code, str(row.month)):
                [row.donated_fen, row.refunded_fen, row.spent_fen]
                for row in session.scalars(select(GrassrootsMonth))}


def months_added_up(fund) -> dict:
    with fund.session() as session:
        posted = {t.id: t.posted_at for t in session.scalars(select(LedgerTransaction))}
        added: dict = {}

        def add(code, transaction_id, column, amount):
            month = str(local_date(posted[transaction_id]).replace(day=1))
            added.setdefault((code, month), [0, 0, 0])[column] += amount
        for gift in session.scalars(select(Donation).where(Donation.channel != "in_kind")):
            add(gift.grassroots_code, gift.ledger_transaction_id, 0, gift.amount_fen)
            if gift.refund_transaction_id:
                add(gift.grassroots_code, gift.refund_transaction_id, 1, gift.amount_fen)
        for paid in session.scalars(select(Disbursement).where(Disbursement.status == "paid")):
            add(paid.grassroots_code, paid.ledger_transaction_id, 2, paid.amount_fen)
        return added
