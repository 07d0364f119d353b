"""Money over HTTP only, with the demo data loaded: pledges, the payment channel's signed
notifications, receipts, the public disclosure API, and bank reconciliation by the ops
command line."""
import csv
import json
import re
import subprocess
import sys
import uuid
from datetime import date

import requests

from shared.clock import local_today
from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT
from tests.payment_channel import signed_headers
from tests.support import wait_until

ASSOCIATION = "341181"
IDENTITY_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
DEMO_DONOR_NAME = "王芳"  # donor1
MASKED = re.compile(r"^.\*+$")
GIVER = {"kind": "person", "name": "周九", "phone": "13600000001"}


def pledge_body(amount=10_000, channel="wechat", donor=GIVER):
    body = {"fund_code": "GENERAL", "amount_fen": amount, "channel": channel}
    if donor is not None:
        body["donor"] = donor
    return body


def new_pledge(client, amount=10_000, channel="wechat", donor=GIVER):
    made = client.call("POST", "/api/v1/pledges", pledge_body(amount, channel, donor))
    assert made.status_code == 201, made.text
    return made.json()


def balance(client, code="GENERAL"):
    return client.call("GET", f"/api/v1/funds/{code}").json()["balance_fen"]


def notify(base, body: dict, secret: str | None = None, age: int = 0, signed: bool = True):
    """As a payment channel sends it: the exact bytes signed are the bytes posted."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers.update(signed_headers(raw, secret, age))
    return requests.post(base + "/api/v1/payments/notify", data=raw, headers=headers,
                         timeout=30)


def paid(pledge, txn, amount=None):
    return {"pledge_no": pledge["pledge_no"], "channel_txn_id": txn,
            "amount_fen": pledge["amount_fen"] if amount is None else amount}


def test_anyone_may_pledge_and_a_logged_in_donor_pledges_as_themself(anonymous):
    staff = anonymous.login("staff1")
    donor = anonymous.login("donor1")
    before = balance(staff)
    public = new_pledge(anonymous)
    assert public["status"] == "pending" and public["pay_reference"]
    assert public["amount_fen"] == 10_000 and public["expires_at"] and public["donation"] is None

    me = donor.call("GET", "/api/v1/me").json()
    own = new_pledge(donor, 2_000, "alipay", donor=None)
    assert own["status"] == "pending" and own["donor_id"] == me["donor_id"]
    assert balance(staff) == before  # a promise is not money


def test_payment_notifications_are_signed_and_confirm_once(anonymous):
    staff = anonymous.login("staff1")
    base = anonymous.base
    before = balance(staff)
    given = new_pledge(anonymous, 12_345)
    body = paid(given, f"wx-{uuid.uuid4().hex[:12]}")

    assert notify(base, body, signed=False).status_code == 401
    assert notify(base, body, secret="not-the-secret").status_code == 401
    assert notify(base, body, age=301).status_code == 401
    assert staff.call("GET", f"/api/v1/pledges/{given['id']}").json()["status"] == "pending"

    first = notify(base, body)
    assert first.status_code == 200, first.text
    confirmed = first.json()
    assert confirmed["status"] == "confirmed" and confirmed["donation"]["receipt_no"]
    again = notify(base, body)
    assert again.status_code == 200, again.text
    assert again.json()["donation"]["id"] == confirmed["donation"]["id"]
    assert balance(staff) == before + 12_345

    receipt = staff.call("GET", f"/api/v1/donations/{confirmed['donation']['id']}/receipt")
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["amount_in_words"] == "壹佰贰拾叁元肆角伍分"
    assert receipt.json()["status"] == "valid"
    assert receipt.json()["receipt_no"] == confirmed["donation"]["receipt_no"]

    other = new_pledge(anonymous, 10_000)
    wrong = notify(base, paid(other, f"wx-{uuid.uuid4().hex[:12]}", amount=1_000))
    assert wrong.status_code == 409, wrong.text
    assert wrong.json()["code"] == "amount_mismatch"
    assert staff.call("GET", f"/api/v1/pledges/{other['id']}").json()["status"] == "flagged"
    assert balance(staff) == before + 12_345


def test_the_public_sees_money_in_and_out_but_no_donor(anonymous):
    staff1, staff2, donor = (anonymous.login(u) for u in ("staff1", "staff2", "donor1"))
    # A gift by donor1 (王芳, whose identity number the fund holds), then a payment out of
    # the same fund to a named person with an identity number.
    gift = new_pledge(donor, 3_000, donor=None)
    confirmed = staff1.call("POST", f"/api/v1/pledges/{gift['id']}/confirm",
                            {"channel_txn_id": f"wx-{uuid.uuid4().hex[:12]}"})
    assert confirmed.status_code == 200, confirmed.text
    receipt_no = confirmed.json()["donation"]["receipt_no"]
    payee_id = make_resident_id(ASSOCIATION, date(1958, 4, 2), 515)
    asked = staff1.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": 1_000,
        "purpose": "困难家庭救助 relief", "payee": {"name": "陈大明", "id_number": payee_id}})
    assert asked.status_code == 201, asked.text
    approved = staff2.call("POST", f"/api/v1/disbursements/{asked.json()['id']}/approve")
    assert approved.json()["status"] == "paid", approved.text

    # The gateways keep public answers a moment: what was paid shows within 5 s.
    def shown():
        funds = anonymous.call("GET", f"/api/v1/public/{ASSOCIATION}/funds")
        paid_out = anonymous.call("GET", f"/api/v1/public/{ASSOCIATION}/disbursements",
                                  params={"limit": 500})
        assert funds.status_code == 200, funds.text
        assert paid_out.status_code == 200, paid_out.text
        [general] = [f for f in funds.json()["items"] if f["code"] == "GENERAL"]
        payees = {d["payee"] for d in paid_out.json()["items"]}
        return general["balance_fen"] == balance(staff1) and "陈**" in payees and \
            (funds, general, paid_out)

    funds, general, paid_out = wait_until(shown, timeout=5)
    assert {"received_fen", "spent_fen", "balance_fen"} <= set(general)
    assert general["spent_fen"] >= 1_000 and general["received_fen"] >= 3_000
    items = paid_out.json()["items"]
    assert items and all(MASKED.match(d["payee"]) for d in items), items

    trace = anonymous.call("GET", f"/api/v1/public/trace/{receipt_no}")
    assert trace.status_code == 200, trace.text
    traced = trace.json()
    assert traced["receipt_no"] == receipt_no and traced["fund_code"] == "GENERAL"
    assert not {"donor", "donor_id", "donor_name"} & set(traced)
    assert traced["paid_out_since_fen"] >= 1_000

    for response in (funds, paid_out, trace):
        assert not IDENTITY_NUMBER.search(response.text), response.text
        assert DEMO_DONOR_NAME not in response.text and "陈大明" not in response.text


def ops(system, *args):
    """As tests/e2e/test_ops_cli.py runs the command line against the running system."""
    return subprocess.run([sys.executable, "-m", "deploy.ops", "--amqp-uri",
                           system.env["AMQP_URI"], *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_bank_statement_confirms_its_pledges_once(running_system, anonymous, tmp_path):
    staff = anonymous.login("staff1")
    given = new_pledge(anonymous, 25_050, "bank")
    donations_before = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]
    balance_before = balance(staff)
    statement = tmp_path / "statement.csv"
    with open(statement, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["date", "amount_yuan", "reference", "txn_id"])
        writer.writerow([local_today().isoformat(), "250.50",
                         f"网银转账 {given['pay_reference']} 周九捐款",
                         f"BK-{uuid.uuid4().hex[:10]}"])
        writer.writerow([local_today().isoformat(), "100.00", "某某汇款 无附言",
                         f"BK-{uuid.uuid4().hex[:10]}"])

    first = ops(running_system, "reconcile", str(statement))
    assert first.returncode == 1, first.stdout + first.stderr[-2000:]
    assert "matched 1, already 0, unmatched 1" in first.stdout, first.stdout
    assert f"line 2: confirmed {given['pledge_no']}" in first.stdout
    assert "line 3: not matched" in first.stderr, first.stderr[-2000:]
    assert "line 2" not in first.stderr

    confirmed = staff.call("GET", f"/api/v1/pledges/{given['id']}").json()
    assert confirmed["status"] == "confirmed", confirmed
    assert confirmed["donation"]["amount_fen"] == 25_050
    assert balance(staff) == balance_before + 25_050

    again = ops(running_system, "reconcile", str(statement))
    assert again.returncode == 1, again.stdout + again.stderr[-2000:]
    assert "matched 0, already 1, unmatched 1" in again.stdout, again.stdout
    assert f"line 2: {given['pledge_no']} was confirmed by this line before" in again.stdout
    assert "line 3: not matched" in again.stderr
    donations_after = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]
    assert donations_after - donations_before == 1
    assert balance(staff) == balance_before + 25_050
    assert staff.call("GET", f"/api/v1/pledges/{given['id']}").json()["donation"]["id"] == \
        confirmed["donation"]["id"]
