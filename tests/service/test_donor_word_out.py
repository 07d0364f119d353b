"""What a donor hears of: money recorded, and a pledge confirmed, each event naming the
donor with their phone and e-mail sealed; the e-mail a donor may give, checked, kept sealed
and shown masked. The fund service over real RabbitMQ (SQLite and PostgreSQL in turn)."""
import pytest
from sqlalchemy import text

from shared.errors import InvalidInput
from tests.service.test_pledges import CHANNEL, notice
from tests.support import STAFF1, EventTap, heard

PHONE = "13800000001"
EMAIL = "lisi@example.org"
GIVER = {"kind": "person", "name": "李四", "phone": PHONE, "email": EMAIL}


def pledge(fund, amount: int) -> dict:
    return fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": amount,
                                   "channel": "wechat", "donor": GIVER}, None, STAFF1)


def recorded(fund, act) -> list[dict]:
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "donation_recorded")
    try:
        act()
        return tap.take(1)
    finally:
        tap.close()


def test_money_recorded_tells_the_donor_even_an_anonymous_one_with_contacts_sealed(fund):
    fund.ensure_fund()
    given = {}
    [event] = recorded(fund, lambda: given.update(fund.rpc.record_donation({
        "fund_code": "GENERAL", "amount_fen": 5_000, "channel": "bank", "donor": GIVER,
        "anonymous": True}, None, STAFF1)))
    assert event["body"]["version"] == 2
    assert event["body"]["data"]["pledge_no"] is None
    assert heard(event, PHONE, EMAIL) == [(f"donor:{given['donor_id']}", "李四", PHONE, EMAIL)]


def test_a_pledge_confirmed_names_its_pledge_and_its_donor(fund):
    fund.ensure_fund()
    promised = pledge(fund, 3_000)
    [event] = recorded(fund, lambda: fund.rpc.confirm_pledge(
        promised["id"], {"channel_txn_id": "bank-1"}, STAFF1))
    data = event["body"]["data"]
    assert data["pledge_no"] == promised["pledge_no"] and data["amount_fen"] == 3_000
    assert heard(event, PHONE, EMAIL) == [(f"donor:{data['donor_id']}", "李四", PHONE, EMAIL)]


def test_a_donor_found_again_takes_the_email_they_lacked(fund):
    fund.ensure_fund()
    first = fund.rpc.ensure_donor({"kind": "person", "name": "李四", "phone": PHONE}, STAFF1)
    assert first["email"] is None
    [event] = recorded(fund, lambda: fund.rpc.payment_notified(
        notice(pledge(fund, 1_000), "wx-9"), CHANNEL))
    again = fund.rpc.get_donor(first["id"], STAFF1)
    assert again["email"] == "l***@example.org" and again["phone"] == "138****0001"
    assert heard(event)[0][3] == EMAIL
    with fund.session() as session:
        stored = session.execute(text("SELECT email FROM donors WHERE id = :id"),
                                 {"id": first["id"]}).scalar_one()
    assert stored.startswith("enc1:") and EMAIL not in stored


@pytest.mark.parametrize("email", ["not-an-email", "a@", "x" * 250 + "@example.org"])
def test_a_bad_email_is_refused_by_name(fund, email):
    fund.ensure_fund()
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.ensure_donor({**GIVER, "email": email}, STAFF1)
    assert set(refused.value.fields) == {"email"}
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.record_donation({"fund_code": "GENERAL", "amount_fen": 100, "channel": "bank",
                                  "donor": {**GIVER, "email": email}}, None, STAFF1)
    assert set(refused.value.fields) == {"donor.email"}
