"""The ops command line against the running system: a large CSV import with bad rows, a
poison message listed, replayed once its cause is fixed, and handled once, a statement, and
volunteers' hours exported for the national volunteer system."""
import csv
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from shared.clock import LOCAL
from shared.contracts.events import build_envelope
from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT
from tests.support import publish_raw, wait_until

ROWS = 10_000
BAD_EVERY = 200


def ops(system, *args):
    return subprocess.run([sys.executable, "-m", "deploy.ops", "--amqp-uri",
                           system.env["AMQP_URI"], *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)


def write_export(path):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "name", "id_number", "credit_code", "phone", "fund_code",
                         "amount_yuan", "channel", "ref", "note"])
        for n in range(1, ROWS + 1):
            amount = "abc" if n % BAD_EVERY == 0 else f"{n % 500 + 1}.{n % 100:02d}"
            person = make_resident_id("341181", date(1970, 1, 1), n % 1000)
            writer.writerow(["person", f"捐赠人{n}", person if n % 3 == 0 else "", "", "",
                             "GENERAL", amount, "bank", f"OLD-{n}", ""])


def test_ten_thousand_rows_with_fifty_bad_import_once(running_system, anonymous, tmp_path):
    export = tmp_path / "donations-2025.csv"
    write_export(export)
    staff = anonymous.login("staff1")
    before = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]

    first = ops(running_system, "import-donations", str(export), "--quiet")
    assert "imported 9950, already there 0, bad 50" in first.stdout, first.stderr[-2000:]
    bad_lines = [line for line in first.stderr.splitlines() if line.startswith("line ")]
    assert [int(line.split()[1].rstrip(":")) for line in bad_lines] == [
        n + 1 for n in range(BAD_EVERY, ROWS + 1, BAD_EVERY)]  # +1: the header is line 1
    assert all("amount_yuan" in line for line in bad_lines)

    again = ops(running_system, "import-donations", str(export), "--quiet")
    assert "imported 0, already there 9950, bad 50" in again.stdout
    after = staff.call("GET", "/api/v1/donations", params={"limit": 1}).json()["total"]
    assert after - before == 9950


def test_a_poison_message_is_listed_replayed_after_the_fix_and_handled_once(
        running_system, anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    uri = running_system.env["AMQP_URI"]
    poison = build_envelope("insurance.claim_approved", {
        "association_code": "341181", "claim_id": 987654, "claim_no": "CL-POISON",
        "policy_no": "PL-X", "product_code": "X", "amount_approved_fen": 1_000,
        "payout_fund_code": "OPENED_LATER", "insured_name": "某人",
        "insured_id_number_masked": "3411**********1234", "approved_by": "staff2"}, "poison")
    publish_raw(uri, "insurance.events", "claim_approved", json.dumps(poison).encode())

    listed = []
    for _ in range(50):
        listed = [json.loads(line) for line in
                  ops(running_system, "dead-letters").stdout.splitlines()]
        if any(m["body"].get("event_id") == poison["event_id"] for m in listed):
            break
        time.sleep(0.2)
    [parked] = [m for m in listed if m["body"].get("event_id") == poison["event_id"]]
    assert "No fund OPENED_LATER" in parked["reason"]
    assert parked["queue"] == "evt-insurance-claim_approved--fund.on_claim_approved"

    admin.call("POST", "/api/v1/funds", {"code": "OPENED_LATER", "name": "x",
                                         "restricted": True})
    staff.call("POST", "/api/v1/donations", {"fund_code": "OPENED_LATER", "amount_fen": 5_000,
                                            "channel": "bank",
                                            "donor": {"kind": "person", "name": "y"}})
    replayed = ops(running_system, "replay-dead-letters", str(parked["position"]))
    assert json.loads(replayed.stdout.splitlines()[0])["message_id"] == parked["message_id"]

    def paid():
        items = staff.call("GET", "/api/v1/disbursements", params={"limit": 500}).json()["items"]
        return [d for d in items if d["reference"] == "CL-POISON"]

    for _ in range(50):
        if paid():
            break
        time.sleep(0.2)
    time.sleep(1)
    assert [d["status"] for d in paid()] == ["paid"]
    assert staff.call("GET", "/api/v1/funds/OPENED_LATER").json()["balance_fen"] == 4_000
    assert all(m["body"].get("event_id") != poison["event_id"] for m in
               [json.loads(line) for line in ops(running_system, "dead-letters")
                .stdout.splitlines()])


def test_a_statement_exports_as_csv_and_a_chart(running_system, tmp_path):
    done = ops(running_system, "statement", "INSURANCE_PAYOUT", "--from", "2000-01-01",
               "--to", "2099-12-31", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    table, chart = (Path(line) for line in done.stdout.splitlines())
    rows = list(csv.reader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["posted_at", "kind", "memo", "in_yuan", "out_yuan", "balance_yuan"]
    assert rows[1][3] == "50000.00"  # the demo's first gift to the payout fund, exactly
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = ops(running_system, "statement", "NO_SUCH", "--from", "2026-01-01", "--to", "2026-02-01")
    assert bad.returncode == 2 and "No fund NO_SUCH" in bad.stderr


HOURS_HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "服务项目", "服务开始时间",
                 "服务结束时间", "服务时长(小时)"]


def test_hours_export_for_the_national_volunteer_system(running_system, anonymous, tmp_path):
    coordinator = anonymous.login("coordinator1")
    staff = anonymous.login("staff1")
    id_number = make_resident_id("341181", date(1990, 7, 11), 1)
    helper = coordinator.call("POST", "/api/v1/volunteers", {
        "name": "时长志愿者", "id_number": id_number, "phone": "13755220001",
        "skills": ["general", "social_work"]}).json()
    me = {"volunteer_id": helper["id"]}
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "7·11 人口日宣传"}).json()
    # Check-in opens half an hour before a shift: this one began a moment ago.
    start = datetime.now(UTC) - timedelta(seconds=5)
    shift = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 3, "required_skills": ["general"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
    for step in ("signups", "checkin", "checkout"):
        done = coordinator.call("POST", f"/api/v1/shifts/{shift.json()['id']}/{step}", me)
        assert done.status_code in (200, 201), done.text
    home = staff.call("POST", "/api/v1/families", {
        "category": "special_bereaved", "address": "天长市铜城镇时长村2号",
        "village_code": "341181100001", "members": [{
            "name": "时长户主", "relation": "head",
            "id_number": make_resident_id("341181", date(1952, 7, 11), 1)}]}).json()
    tomorrow = datetime.now(LOCAL).date() + timedelta(days=1)
    staff.call("POST", f"/api/v1/families/{home['id']}/care-plan", {
        "every_days": 90, "skills": ["social_work"], "starts_on": tomorrow.isoformat()})

    def the_visit():
        items = coordinator.call("GET", "/api/v1/visits", params={"limit": 500}).json()["items"]
        return next((v for v in items if v["family_id"] == home["id"]), None)

    visit = wait_until(the_visit, timeout=30)
    coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                     {"volunteer_ids": [helper["id"]]})
    completed = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/complete",
                                 {"minutes": 90, "notes": ""})
    assert completed.status_code == 200, completed.text

    today = datetime.now(LOCAL).date().isoformat()
    out = tmp_path / "hours.csv"
    done = ops(running_system, "export-hours", "--from", today, "--to", today, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert table[0] == HOURS_HEADERS
    mine = [row for row in table[1:] if row[2] == id_number]
    assert sorted((r[0], r[1], r[3], r[4], r[7]) for r in mine) == [
        ("时长志愿者", "居民身份证", "13755220001", "7·11 人口日宣传", "0.02"),
        ("时长志愿者", "居民身份证", "13755220001", "关爱探访", "1.50")]
    assert sum(Decimal(r[7]) for r in mine) == Decimal("1.52")
    [on_visit] = [r for r in mine if r[4] == "关爱探访"]
    assert (on_visit[5], on_visit[6]) == (f"{tomorrow} 09:00", f"{tomorrow} 10:30")
    assert f"{len(table) - 1} service records" in done.stdout

    earlier = ops(running_system, "export-hours", "--from", "2000-01-01", "--to", "2000-01-31",
                  "--out", str(out))
    assert earlier.returncode == 0
    assert list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines())) == [HOURS_HEADERS]
    for bad in (["--from", "2026-13-01", "--to", today], ["--from", today, "--to", "2000-01-01"],
                ["--from", "yesterday", "--to", today]):
        refused = ops(running_system, "export-hours", *bad, "--out", str(tmp_path / "x.csv"))
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
        assert "--from" in refused.stderr
    assert not (tmp_path / "x.csv").exists()
