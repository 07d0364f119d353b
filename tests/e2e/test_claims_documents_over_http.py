"""Claim documents, payee accounts and the public status lookup over HTTP only, against the
running system: a multipart upload told apart by its content, downloads for staff and
auditors alone, the bank account masked in every answer and absent from every log file,
and a lookup that says no alike to a wrong number and a wrong identity, and slows down."""
import json
import time
import uuid

import requests

from tests.e2e.test_insurance_over_http import enrol_and_claim, give, new_product, wait_for_status
from tests.insurance_data import TODAY, claim, person

# A small limit, so a test can go past it; a low lookup rate, so a test can reach it.
DOCUMENT_MAX_BYTES = 50_000
LOOKUPS_PER_MINUTE = 6
ENV = {"DOCUMENT_MAX_BYTES": str(DOCUMENT_MAX_BYTES),
       "PUBLIC_LOOKUPS_PER_MINUTE": str(LOOKUPS_PER_MINUTE)}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
ACCOUNT = "6228480402564890018"
PAYEE = {"name": "王芳", "bank": "中国农业银行天长支行", "account_no": ACCOUNT}


def upload(client, claim_id, content, filename="invoice.pdf", declared="application/pdf",
           kind="hospital_invoice"):
    return requests.post(f"{client.base}/api/v1/insurance/claims/{claim_id}/documents",
                         headers={"Authorization": f"Bearer {client.token}"},
                         files={"file": (filename, content, declared)}, data={"kind": kind},
                         timeout=30)


def product_requiring_an_invoice(admin, money=100_000):
    code, fund = new_product(admin, "DOC")
    changed = admin.call("POST", "/api/v1/insurance/products", {
        "code": code, "name": "测试险", "payout_fund_code": fund, "per_claim_cap_fen": 50_000,
        "per_year_cap_fen": 100_000, "waiting_days": 0, "term_days": 365,
        "required_documents": ["hospital_invoice"]})
    assert changed.status_code == 201, changed.text
    assert changed.json()["required_documents"] == ["hospital_invoice"]
    give(admin, fund, money)
    return code, fund


def test_a_document_uploaded_over_http_lets_the_claim_be_approved(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, _ = product_requiring_an_invoice(admin)
    submitted = enrol_and_claim(staff1, product, 301)
    approve = f"/api/v1/insurance/claims/{submitted['id']}/approve"
    missing = staff2.call("POST", approve, {"amount_approved_fen": 10_000})
    assert (missing.status_code, missing.json()["code"]) == (409, "documents_missing")
    assert list(missing.json()["errors"]) == ["hospital_invoice"]
    stored = upload(staff1, submitted["id"], PDF)
    assert stored.status_code == 201, stored.text
    document = stored.json()["documents"][0]
    assert (document["kind"], document["content_type"], document["size_bytes"],
            document["filename"], document["uploaded_by"]) == \
        ("hospital_invoice", "application/pdf", len(PDF), "invoice.pdf", "staff1")
    # A PNG named and declared as a PDF is kept as what it is.
    photo = upload(staff1, submitted["id"], PNG, filename="scan.pdf", kind="other")
    assert photo.json()["documents"][1]["content_type"] == "image/png"
    assert staff2.call("POST", approve, {"amount_approved_fen": 10_000}).status_code == 200
    assert wait_for_status(staff1, submitted["id"], "paid")["missing_documents"] == []


def test_auditors_download_documents_and_coordinators_and_donors_may_not(anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    product, _ = product_requiring_an_invoice(admin)
    submitted = enrol_and_claim(staff, product, 302)
    sha256 = upload(staff, submitted["id"], PDF).json()["documents"][0]["sha256"]
    path = f"/api/v1/insurance/claims/{submitted['id']}/documents/{sha256}"
    for reader in ("auditor1", "staff2"):
        found = anonymous.login(reader).call("GET", path)
        assert found.status_code == 200, found.text
        assert found.content == PDF and found.headers["Content-Type"] == "application/pdf"
        assert found.headers["Content-Disposition"].startswith("attachment")
        assert found.headers["X-Content-Type-Options"] == "nosniff"
    for outsider in ("coordinator1", "donor1"):
        assert anonymous.login(outsider).call("GET", path).status_code == 403
        assert upload(anonymous.login(outsider), submitted["id"], PDF).status_code == 403
    assert upload(anonymous.login("auditor1"), submitted["id"], PDF).status_code == 403
    assert staff.call("GET", path[:-64] + "0" * 64).status_code == 404
    # Health data: each reading is in the audit log, by whom, never what it said.
    read = anonymous.login("auditor1").call("GET", "/api/v1/audit", params={
        "service": "insurance", "subject_kind": "claim", "subject_id": submitted["id"]})
    assert sorted((e["actor"], e["action"], e["fields"]) for e in read.json()["items"]) == [
        ("auditor1", "reveal", ["documents"]), ("staff2", "reveal", ["documents"])]


def test_a_forged_type_a_large_file_and_a_json_body_are_refused(anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    product, _ = product_requiring_an_invoice(admin)
    claim_id = enrol_and_claim(staff, product, 303)["id"]
    forged = upload(staff, claim_id, b"%not a pdf at all\n", filename="bill.pdf")
    assert (forged.status_code, forged.json()["code"]) == (422, "document_not_accepted")
    assert "bill.pdf" in forged.json()["errors"]["file"][0]
    large = upload(staff, claim_id, PDF + b"\0" * (DOCUMENT_MAX_BYTES - len(PDF) + 1))
    assert (large.status_code, large.json()["code"]) == (413, "document_too_large")
    huge = upload(staff, claim_id, PDF + b"\0" * (DOCUMENT_MAX_BYTES * 3))
    assert (huge.status_code, huge.json()["code"]) == (413, "body_too_large")
    as_json = staff.call("POST", f"/api/v1/insurance/claims/{claim_id}/documents",
                         {"kind": "other", "file": "JVBERi0="})
    assert as_json.status_code == 415
    no_file = requests.post(f"{staff.base}/api/v1/insurance/claims/{claim_id}/documents",
                            headers={"Authorization": f"Bearer {staff.token}"},
                            files={"kind": (None, "nonsense")}, timeout=30)
    assert (no_file.status_code, set(no_file.json()["errors"])) == (422, {"kind", "file"})
    assert staff.call("GET", f"/api/v1/insurance/claims/{claim_id}").json()["documents"] == []


def test_the_bank_account_is_masked_in_answers_and_never_in_the_logs(anonymous, running_system):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, fund = new_product(admin, "ACCT", money=100_000)
    policy = staff1.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(304),
        "start_date": TODAY.isoformat()}).json()
    body = {**claim(policy["policy_no"], 8_000, days_ago=0), "payee": PAYEE}
    refused = staff1.call("POST", "/api/v1/insurance/claims",
                          {**body, "payee": {**PAYEE, "bank": ""}})  # a 422 that is logged
    assert refused.status_code == 422 and ACCOUNT not in refused.text
    submitted = staff1.call("POST", "/api/v1/insurance/claims", body)
    assert submitted.status_code == 201, submitted.text
    claim_id = submitted.json()["id"]
    assert submitted.json()["payee"]["account_no"] == "*" * 15 + "0018"
    approved = staff2.call("POST", f"/api/v1/insurance/claims/{claim_id}/approve",
                           {"amount_approved_fen": 8_000})
    paid = wait_for_status(staff1, claim_id, "paid")
    answers = [submitted, approved, staff1.call("GET", f"/api/v1/insurance/claims/{claim_id}"),
               anonymous.login("auditor1").call("GET", "/api/v1/insurance/claims"),
               staff1.call("GET", f"/api/v1/disbursements/{paid['payout']['disbursement_id']}"),
               staff1.call("GET", "/api/v1/disbursements"),
               staff1.call("GET", f"/api/v1/funds/{fund}/statement")]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert ACCOUNT not in answer.text and ACCOUNT[-8:] not in answer.text
    assert "*" * 15 + "0018" in answers[4].json()["purpose"]
    time.sleep(1)  # the last lines reach the files
    logs = sorted(running_system.log_dir.glob("*.log"))
    assert {p.name for p in logs} >= {"gateway.log", "insurance-1.log", "fund-1.log"}
    for log in logs:
        assert ACCOUNT not in log.read_text(errors="replace"), log.name


def test_the_public_status_lookup_says_no_alike_and_slows_down(anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    product, _ = new_product(admin, "PUB")
    submitted = enrol_and_claim(staff, product, 305)
    last4 = person(305)["id_number"][-4:]
    lookup = f"/api/v1/public/claims/{submitted['claim_no']}"
    found = anonymous.call("GET", lookup, params={"id_last4": last4})
    assert found.status_code == 200, found.text
    assert found.json() == {"claim_no": submitted["claim_no"], "status": "submitted"}
    wrong = anonymous.call("GET", lookup, params={"id_last4": "0000" if last4 != "0000"
                                                  else "1111"})
    nobodys = f"CL-341181-2020-{uuid.uuid4().int % 10**6:06d}"
    unknown = anonymous.call("GET", f"/api/v1/public/claims/{nobodys}",
                             params={"id_last4": last4})
    assert wrong.status_code == unknown.status_code == 404
    same = ("title", "detail", "code", "errors")
    assert [wrong.json()[k] for k in same] == [unknown.json()[k] for k in same]
    answers = [anonymous.call("GET", lookup, params={"id_last4": last4})
               for _ in range(LOOKUPS_PER_MINUTE)]
    throttled = answers[-1]
    assert throttled.status_code == 429, [a.status_code for a in answers]
    assert int(throttled.headers["Retry-After"]) >= 1
    assert json.loads(throttled.text)["code"] == "too_many_requests"
