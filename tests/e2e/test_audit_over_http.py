"""The audit log over HTTP, on the running system: an admin's look at a donor's identity
number needs a reason, and it shows on the auditor's API and page with who, when and why,
as a family registered and changed does (the fields by name, never their values); donors,
staff and coordinators are refused; the chains the system wrote verify."""
import os
import subprocess
import sys
from datetime import date, datetime

from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT
from tests.e2e.page_forms import TIMEOUT, log_in
from tests.support import assert_problem

BORN = date(1961, 8, 23)  # nobody else's people here were born that day
VILLAGE = "341181100071"


def _person(n: int) -> str:
    return make_resident_id("341181", BORN, n)


def _revealed(admin, donor_id: int, reason: str | None):
    return admin.call("GET", f"/api/v1/donors/{donor_id}/identity",
                      params={} if reason is None else {"reason": reason})


def _entries(reader, **filters) -> list[dict]:
    answer = reader.call("GET", "/api/v1/audit", params=filters)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_a_look_at_an_identity_number_needs_a_reason_and_the_auditor_reads_it(anonymous):
    staff, admin, auditor = (anonymous.login(name) for name in ("staff1", "admin", "auditor1"))
    given = staff.call("POST", "/api/v1/donations", {
        "fund_code": "GENERAL", "amount_fen": 2_000, "channel": "cash",
        "donor": {"kind": "person", "name": "审计测试", "id_number": _person(1)}}).json()
    donor_id = given["donor_id"]
    for reason in (None, "   "):
        refused = assert_problem(_revealed(admin, donor_id, reason), 422)
        assert "reason" in refused["errors"]
    assert _revealed(admin, donor_id, "捐赠人来电核对收据").json()["id_number"] == _person(1)

    seen = _entries(auditor, subject_kind="donor", subject_id=donor_id)
    assert [(e["service"], e["action"], e["actor"], e["role"]) for e in seen] == [
        ("fund", "reveal", "admin", "admin"), ("fund", "register", "staff1", "staff")]
    assert seen[0]["fields"] == ["id_number"] and seen[0]["reason"] == "捐赠人来电核对收据"
    assert _person(1) not in str(seen)


def test_a_family_registered_and_changed_shows_on_the_auditors_api_and_page(anonymous):
    staff, auditor = anonymous.login("staff1"), anonymous.login("auditor1")
    registered = staff.call("POST", "/api/v1/families", {
        "category": "only_child", "address": "天长市千秋街道审计村 1 号", "village_code": VILLAGE,
        "members": [{"name": "审计户主", "id_number": _person(2), "relation": "head"}]})
    assert registered.status_code == 201, registered.text
    family_id = registered.json()["id"]
    changed = staff.call("PATCH", f"/api/v1/families/{family_id}",
                         {"address": "天长市千秋街道审计村 2 号"})
    assert changed.status_code == 200, changed.text

    seen = _entries(auditor, subject_kind="family", subject_id=family_id)
    assert [(e["service"], e["action"], e["actor"], e["fields"]) for e in seen] == [
        ("families", "change", "staff1", ["address"]),
        ("families", "register", "staff1", ["category", "low_income", "address", "village_code",
                                             "members"])]
    assert "审计村" not in str(seen) and _person(2) not in str(seen)
    latest = _entries(auditor, limit=5)  # every service's log at once, the latest first
    assert latest == sorted(latest, key=lambda e: datetime.fromisoformat(e["at"]), reverse=True)

    page = log_in(anonymous.base, "auditor1").get(
        anonymous.base + "/audit", params={"subject_kind": "family", "subject_id": family_id},
        headers={"Accept-Language": "zh-CN"}, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "审计日志" in page.text and f'data-subject="family-{family_id}"' in page.text
    assert "地址" in page.text and "审计村" not in page.text


def test_only_those_who_audit_read_the_log(anonymous):
    for name in ("donor1", "staff1", "coordinator1", "volunteer1"):
        assert_problem(anonymous.login(name).call("GET", "/api/v1/audit"), 403)
    assert anonymous.login("admin").call("GET", "/api/v1/audit").status_code == 200
    assert log_in(anonymous.base, "donor1").get(anonymous.base + "/audit",
                                                timeout=TIMEOUT).status_code == 403
    too_deep = anonymous.login("auditor1").call("GET", "/api/v1/audit",
                                                params={"offset": 490, "limit": 20})
    assert "offset" in assert_problem(too_deep, 422)["errors"]


def test_the_chains_the_system_wrote_verify(running_system):
    checked = subprocess.run(
        [sys.executable, "-m", "deploy.ops", "audit-verify"], cwd=PROJECT_ROOT, timeout=60,
        capture_output=True, text=True, env={**os.environ, **running_system.env})
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "families:" in checked.stdout and "chain intact" in checked.stdout
