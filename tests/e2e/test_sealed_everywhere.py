"""Every personal datum the services keep, typed through the API: a donor's identity number,
phone and e-mail and a payee's identity number (fund); the identity numbers and phones of a
family's members and of a member (会员) and the family's address (families), which the
volunteers service keeps too, for the family's home and its care visit; a volunteer's and an
applicant's identity numbers and phones (volunteers); an insured person's identity number
and phone, a claim's description, its payee's bank account and a paper on it (insurance).
None is in clear in any database file or write-ahead log, in any file `deploy.ops backup`
writes, or under the blob directory; and the API still finds people by identity number (the
blind indexes), keeps one person to one record, and shows what it shows masked."""
import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from shared.blobs import digest_of
from shared.crypto import sealed_bytes_key_of
from shared.settings import PROJECT_ROOT
from tests.e2e.conftest import Client
from tests.e2e.test_claims_documents_over_http import upload
from tests.e2e.test_insurance_over_http import new_product
from tests.family_data import resident
from tests.insurance_data import TODAY
from tests.support import wait_until
from tests.volunteer_data import volunteer

BORN = date(1966, 6, 6)  # nobody else's people here were born that day
VILLAGE = "341181001001"
ADDRESS = "天长市铜城镇密封村8号"
DONOR = {"id_number": resident(981, BORN), "phone": "13905509744",
         "email": "mifeng981@example.org"}
PAYEE_ID = resident(982, BORN)
HEAD = {"name": "密封甲", "id_number": resident(971, BORN), "relation": "head",
        "phone": "13905509711"}
MEMBER = {"name": "密封乙", "id_number": resident(972, BORN), "phone": "13905509722",
          "grassroots_code": "341181"}
VOLUNTEER = {**volunteer(974), "id_number": resident(974, BORN), "skills": ["social_work"]}
APPLICANT = {"name": "密封丙", "id_number": resident(973, BORN), "phone": "13905509733",
             "skills": ["general"]}
INSURED = {"name": "密封丁", "id_number": resident(975, BORN), "phone": "13905509755"}
DESCRIPTION = "密封病情：左股骨颈骨折，住院十二天"
ACCOUNT = "6222029733000097331"
PAPER = "%PDF-1.4\n% 密封出院小结：左股骨颈骨折\n%%EOF\n".encode()
IN_CLEAR_NOWHERE = (DONOR["id_number"], DONOR["phone"], DONOR["email"], PAYEE_ID,
                    HEAD["id_number"], HEAD["phone"], MEMBER["id_number"], MEMBER["phone"],
                    ADDRESS,
                    VOLUNTEER["id_number"], VOLUNTEER["phone"], APPLICANT["id_number"],
                    APPLICANT["phone"], INSURED["id_number"], INSURED["phone"], DESCRIPTION,
                    ACCOUNT, "密封出院小结")


def created(answer) -> dict:
    assert answer.status_code == 201, answer.text
    return answer.json()


def refused(answer, code: str) -> None:
    assert (answer.status_code, answer.json()["code"]) == (409, code), answer.text


def found_in(paths, secrets=IN_CLEAR_NOWHERE) -> list[tuple[str, str]]:
    """Each (file, value) where a value lies in clear."""
    held = {path.name: path.read_bytes() for path in paths}
    return [(name, secret) for name, data in held.items() for secret in secrets
            if secret.encode() in data]


def donation(staff, donor: dict) -> dict:
    return created(staff.call("POST", "/api/v1/donations", {
        "fund_code": "GENERAL", "amount_fen": 5_000, "channel": "wechat",
        "donor": {"kind": "person", "name": "密封捐赠人", **donor}}))


@pytest.fixture(scope="module")
def system(running_system):
    """The running system with every datum above written through the API, and what the
    services answered."""
    client = Client(running_system.url)
    staff, coordinator = client.login("staff1"), client.login("coordinator1")
    family = created(staff.call("POST", "/api/v1/families", {
        "category": "only_child", "address": ADDRESS, "village_code": VILLAGE,
        "members": [HEAD]}))
    made = {
        "donation": donation(staff, DONOR),
        "payout": created(staff.call("POST", "/api/v1/disbursements", {
            "fund_code": "GENERAL", "category": "child_care", "amount_fen": 100,
            "purpose": "助学", "payee": {"name": "密封收款人", "id_number": PAYEE_ID}})),
        "family": family, "member": created(staff.call("POST", "/api/v1/members", MEMBER)),
        "volunteer": created(coordinator.call("POST", "/api/v1/volunteers", VOLUNTEER)),
        "application": created(client.call("POST", "/api/v1/public/volunteer-applications",
                                           APPLICANT)),
        **insured_and_claimed(client.login("admin"), staff)}
    assert staff.call("POST", f"/api/v1/families/{family['id']}/care-plan", {
        "every_days": 30, "skills": ["social_work"],
        "starts_on": TODAY.isoformat()}).status_code == 200
    made["visit"] = wait_until(lambda: next(
        (v for v in coordinator.call("GET", "/api/v1/visits", params={"limit": 500})
         .json()["items"] if v["family_id"] == family["id"]), None), timeout=30)
    wait_for_home(running_system, family["id"])
    return running_system, made


def insured_and_claimed(admin, staff) -> dict:
    product, _ = new_product(admin, "SEAL")
    policy = created(staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "start_date": (TODAY - timedelta(days=100)).isoformat(),
        "insured": INSURED}))
    claim = created(staff.call("POST", "/api/v1/insurance/claims", {
        "policy_no": policy["policy_no"], "amount_claimed_fen": 9_000,
        "description": DESCRIPTION, "incident_date": (TODAY - timedelta(days=5)).isoformat(),
        "payee": {"bank": "中国工商银行天长支行", "account_no": ACCOUNT}}))
    claim = created(upload(staff, claim["id"], PAPER, kind="other"))
    return {"product": product, "policy": policy, "claim": claim}


def wait_for_home(running_system, family_id: int) -> None:
    """Until the volunteers service keeps the family's home (from the families' event): its
    address is written there too."""
    database = Path(running_system.env["PHF_VAR_DIR"]) / "volunteers.db"

    def kept() -> int:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT count(*) FROM family_homes WHERE family_id = ?",
                                      (family_id,)).fetchone()[0]
    wait_until(kept, timeout=30, failure=lambda: "the family's home never arrived")


def test_no_database_file_nor_write_ahead_log_holds_any_in_clear(system):
    running, made = system
    assert made["visit"]["address"] == ADDRESS  # the visit holds it: not vacuous
    files = sorted(Path(running.env["PHF_VAR_DIR"]).glob("*.db*"))
    names = {path.name for path in files}
    for service in ("fund", "insurance", "volunteers", "families", "notifications", "gateway"):
        assert {f"{service}.db", f"{service}.db-wal"} <= names
    assert found_in(files) == []
    assert found_in(files, [HEAD["name"]])  # a name is not sealed: these files hold what is


def test_a_backup_holds_none_in_clear(system, tmp_path):
    running, _ = system
    done = subprocess.run([sys.executable, "-m", "deploy.ops", "backup", str(tmp_path / "b")],
                          cwd=PROJECT_ROOT, env=running.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert {entry["service"] for entry in manifest["files"]} == \
        {"fund", "insurance", "volunteers", "families", "notifications", "gateway", "blobs"}
    assert found_in(sorted((tmp_path / "b").iterdir())) == []


def test_the_claims_paper_is_sealed_in_the_blob_directory(system):
    running, made = system
    (document,) = made["claim"]["documents"]
    assert document["sha256"] == digest_of(PAPER)
    blobs = [path for path in (Path(running.env["PHF_VAR_DIR"]) / "blobs").rglob("*")
             if path.is_file()]
    (kept,) = [path for path in blobs if path.name == document["sha256"]]
    assert sealed_bytes_key_of(kept.read_bytes())
    assert found_in(blobs) == []
    staff = Client(running.url).login("staff1")
    read = staff.call("GET", f"/api/v1/insurance/claims/{made['claim']['id']}/documents/"
                             f"{document['sha256']}")
    assert (read.status_code, read.content) == (200, PAPER)


def test_people_are_found_by_identity_number_and_kept_one_to_a_record(system):
    running, made = system
    client = Client(running.url)
    staff, coordinator = client.login("staff1"), client.login("coordinator1")
    donor_id = made["donation"]["donor_id"]
    assert donation(staff, {"id_number": DONOR["id_number"]})["donor_id"] == donor_id
    assert donation(staff, {"phone": DONOR["phone"]})["donor_id"] == donor_id
    shown = staff.call("GET", f"/api/v1/donors/{donor_id}").json()
    assert shown["phone"] == "139****9744" and shown["id_number"] != DONOR["id_number"]
    assert shown["id_number"].endswith(DONOR["id_number"][-4:])
    assert made["payout"]["payee"]["id_number"] != PAYEE_ID

    refused(staff.call("POST", "/api/v1/families", {
        "category": "other", "address": "别处", "village_code": VILLAGE,
        "members": [{"name": "密封甲", "id_number": HEAD["id_number"], "relation": "head"}]}),
        "already_in_family")
    family = staff.call("GET", f"/api/v1/families/{made['family']['id']}").json()
    assert family["address"] == ADDRESS and family["members"][0]["phone"] == "139****9711"

    refused(coordinator.call("POST", "/api/v1/volunteers", VOLUNTEER), "already_registered")
    phone = VOLUNTEER["phone"]
    assert coordinator.call("GET", f"/api/v1/volunteers/{made['volunteer']['id']}").json()[
        "phone"] == phone[:3] + "****" + phone[-4:]
    refused(client.call("POST", "/api/v1/public/volunteer-applications", APPLICANT),
            "already_applied")
    refused(client.call("POST", "/api/v1/public/volunteer-applications",
                        {**APPLICANT, "id_number": VOLUNTEER["id_number"]}),
            "already_registered")

    policy_no = made["policy"]["policy_no"]
    refused(staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": made["product"], "insured": INSURED,
        "start_date": (TODAY - timedelta(days=100)).isoformat()}), "already_insured")
    policies = staff.call("GET", "/api/v1/insurance/policies",
                          params={"id_number": INSURED["id_number"]}).json()["items"]
    assert [p["policy_no"] for p in policies] == [policy_no]
    claim = staff.call("GET", f"/api/v1/insurance/claims/{made['claim']['id']}").json()
    assert claim["description"] == DESCRIPTION and ACCOUNT not in claim["payee"]["account_no"]
