"""A CSV import's batches through the fund service's RPC interface, on both databases:
bad rows reported by position, good ones kept, a batch sent twice adds nothing, one event
per donation, and the ledger, the balances and the month totals agree."""
from collections import Counter

from sqlalchemy import func, select

from services.fund import idempotency
from services.fund.models import AccountMonth, Donation, Donor, LedgerLine
from shared.actors import system_actor
from tests.support import STAFF1, EventTap

IMPORTER = system_actor("csv-import")


def row(n, amount=1_000, fund_code="GENERAL", **donor):
    return {"key": f"OLD-{n}", "donation": {
        "fund_code": fund_code, "amount_fen": amount, "channel": "bank",
        "donor": {"kind": "person", "name": f"捐赠人{n}", **donor}}}


def a_batch():
    """Ten rows: two bad in the body, one for an unknown fund, two naming one new donor."""
    rows = [row(n, 1_000 + n) for n in range(10)]
    rows[3]["donation"]["amount_fen"] = -5
    rows[5]["donation"]["channel"] = "cheque"
    rows[7]["donation"]["fund_code"] = "NO_SUCH"
    for n in (1, 8):
        rows[n]["donation"]["donor"] = {"kind": "person", "name": "张三",
                                        "id_number": "11010519491231002X"}
    return rows


def assert_books_agree(fund):
    with fund.session() as session:
        lines = dict(session.execute(select(LedgerLine.account, func.sum(LedgerLine.amount_fen))
                                     .group_by(LedgerLine.account)).all())
        months = dict(session.execute(select(AccountMonth.account,
                                             func.sum(AccountMonth.amount_fen))
                                      .group_by(AccountMonth.account)).all())
    assert {a: int(v) for a, v in months.items()} == \
        {a: int(v) for a, v in lines.items() if not a.startswith("asset:")}
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == -int(lines["fund:GENERAL"])


def test_a_batch_keeps_its_good_rows_reports_its_bad_ones_and_adds_nothing_twice(fund):
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "donation_recorded")
    try:
        fund.ensure_fund()
        first = fund.rpc.import_donations(a_batch(), IMPORTER)
        events = tap.take(7)
        again = fund.rpc.import_donations(a_batch(), IMPORTER)
        late = tap.drain(settle=1.0)
    finally:
        tap.close()
    assert (first["imported"], first["already_there"]) == (7, 0)
    assert [(bad["row"], sorted(bad["fields"])) for bad in first["bad"]] == [
        (3, ["amount_fen"]), (5, ["channel"]), (7, ["fund_code"])]
    assert (again["imported"], again["already_there"], len(again["bad"])) == (0, 7, 3)
    assert late == []
    with fund.session() as session:
        given = session.execute(select(Donation.id, Donation.receipt_no, Donation.donor_id)
                                .order_by(Donation.id)).all()
        assert session.scalar(select(func.count()).select_from(Donor)) == 6
    assert sorted(e["body"]["data"]["donation_id"] for e in events) == [d.id for d in given]
    assert [int(d.receipt_no.rsplit("-", 1)[1]) for d in given] == list(range(1, 8))
    assert Counter(d.donor_id for d in given).most_common(1)[0][1] == 2  # 张三, once
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == sum(
        1_000 + n for n in (0, 1, 2, 4, 6, 8, 9))
    assert_books_agree(fund)


def test_a_key_given_again_with_another_body_is_refused_on_its_row(fund):
    fund.ensure_fund()
    fund.rpc.import_donations([row(1)], IMPORTER)
    answer = fund.rpc.import_donations([row(1, 2_000), row(2), row(2), row(3)], IMPORTER)
    assert (answer["imported"], answer["already_there"]) == (2, 1)
    assert [(bad["row"], list(bad["fields"])) for bad in answer["bad"]] == [
        (0, ["Idempotency-Key"])]
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 3


def test_keys_written_concurrently_send_the_batch_row_by_row(fund, monkeypatch):
    """As if another import wrote the keys between the batch's look-up and its writes."""
    fund.ensure_fund()
    fund.rpc.import_donations([row(1), row(2)], IMPORTER)
    monkeypatch.setattr(idempotency, "seen_many", lambda session, scope, keyed: [None] * len(
        keyed))
    answer = fund.rpc.import_donations([row(1), row(2), row(3)], IMPORTER)
    assert (answer["imported"], answer["already_there"], answer["bad"]) == (1, 2, [])
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 3
    assert_books_agree(fund)
