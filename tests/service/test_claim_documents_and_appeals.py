"""Claims as families use them, the fund and insurance services running together on real
RabbitMQ (SQLite and PostgreSQL in turn): the documents a product requires, told apart by
their content and kept once; the payee's bank account, masked in every answer; an appeal
decided under four eyes and paid by the saga; claims sampled for review; and the public
status lookup. Documents go to the insurance database on PostgreSQL and to a blob store in
the test's own directory (BLOB_DIR) on SQLite, each store's default."""
import base64
import json
import random

import pytest

from services.insurance import claims
from shared.actors import sign
from shared.blobs import DatabaseStore
from shared.db import make_engine
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from tests.insurance_data import ACCIDENT, claim, enrolment, person
from tests.service.test_claims import give, status_becomes
from tests.support import ADMIN, STAFF1, STAFF2, EventTap

STAFF3 = sign({"username": "staff3", "role": "staff"})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
COORDINATOR = sign({"username": "coordinator1", "role": "coordinator"})
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64 + b"\xff\xd9"
ACCOUNT = "6222021234567891234"
PAYEE = {"name": "参保人家属", "bank": "中国农业银行天长支行",
         "account_no": "6222 0212 3456 7891 234"}  # as people type it
DOCUMENTED = {**ACCIDENT, "required_documents": ["hospital_invoice", "id_copy"]}


@pytest.fixture(autouse=True)
def blobs(tmp_path, monkeypatch):
    monkeypatch.setenv("BLOB_DIR", str(tmp_path / "blobs"))
    return tmp_path / "blobs"


def kept_blobs(saga, blobs) -> list:
    """What the store holds: the database store's rows on PostgreSQL, else the files."""
    url = saga.config["DATABASE_URLS"]["insurance"]
    if url.startswith("sqlite"):
        return [p for p in blobs.rglob("*") if p.is_file()]
    assert not blobs.exists()  # nothing on this replica's own disk
    engine = make_engine(url)
    try:
        return DatabaseStore(engine).digests()
    finally:
        engine.dispose()


def prepare(saga, product=DOCUMENTED, money=100_000):
    saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True}, ADMIN)
    give(saga, money)
    saga.insurance.ensure_product(product, ADMIN)


def registered(saga, n=1, amount=5_000, payee=None):
    policy = saga.insurance.enrol(enrolment(n), STAFF1)
    return saga.insurance.submit_claim({**claim(policy["policy_no"], amount),
                                        **({"payee": payee} if payee else {})}, STAFF1)


def attach(saga, claim_id, content, kind="hospital_invoice", filename="invoice.pdf",
           actor=STAFF1):
    return saga.insurance.attach_document(claim_id, {
        "kind": kind, "filename": filename,
        "content": base64.b64encode(content).decode()}, actor)


def test_approval_waits_for_the_documents_the_product_requires(saga):
    prepare(saga)
    submitted = registered(saga)
    assert submitted["missing_documents"] == ["hospital_invoice", "id_copy"]
    with pytest.raises(Conflict) as refused:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000}, STAFF2)
    assert refused.value.code == "documents_missing"
    assert set(refused.value.fields) == {"hospital_invoice", "id_copy"}
    attach(saga, submitted["id"], PDF)
    with pytest.raises(Conflict) as still:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000}, STAFF2)
    assert set(still.value.fields) == {"id_copy"}
    with_both = attach(saga, submitted["id"], JPEG, kind="id_copy", filename="身份证.jpg")
    assert with_both["missing_documents"] == []
    assert [(d["kind"], d["content_type"], d["size_bytes"], d["uploaded_by"])
            for d in with_both["documents"]] == [
        ("hospital_invoice", "application/pdf", len(PDF), "staff1"),
        ("id_copy", "image/jpeg", len(JPEG), "staff1")]
    saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000}, STAFF2)
    assert status_becomes(saga, submitted["id"], "paid")["payout"]["amount_fen"] == 4_000


def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_whatever_its_name(saga):
    prepare(saga)
    submitted = registered(saga)
    with pytest.raises(InvalidInput) as refused:
        attach(saga, submitted["id"], b"just some text, named like a PDF\n",
               filename="report.pdf")
    assert refused.value.code == "document_not_accepted"
    assert "report.pdf" in refused.value.fields["file"][0]
    with pytest.raises(InvalidInput):  # a PDF's signature, but not at the start
        attach(saga, submitted["id"], b"<html>" + PDF, filename="page.pdf")
    assert saga.insurance.get_claim(submitted["id"], STAFF1)["documents"] == []


def test_a_document_may_be_as_large_as_the_setting_and_no_larger(saga, monkeypatch):
    monkeypatch.setenv("DOCUMENT_MAX_BYTES", "1000")
    prepare(saga)
    submitted = registered(saga)
    exactly = PDF + b"\n" * (1000 - len(PDF))
    assert len(attach(saga, submitted["id"], exactly)["documents"]) == 1
    with pytest.raises(TooLarge) as refused:
        attach(saga, submitted["id"], exactly + b"\n")
    assert refused.value.code == "document_too_large"


def test_the_same_file_twice_is_stored_once(saga, blobs):
    prepare(saga)
    first = registered(saga, 1)
    second = registered(saga, 2)
    attach(saga, first["id"], PDF)
    again = attach(saga, first["id"], PDF, filename="copy.pdf")
    assert [d["filename"] for d in again["documents"]] == ["invoice.pdf"]
    other = attach(saga, second["id"], PDF)
    assert other["documents"][0]["sha256"] == again["documents"][0]["sha256"]
    assert len(kept_blobs(saga, blobs)) == 1
    with pytest.raises(Conflict) as refused:
        attach(saga, first["id"], PDF, kind="id_copy")
    assert refused.value.code == "document_kind_differs"


def test_staff_and_auditors_download_a_document_and_nobody_else(saga):
    prepare(saga)
    submitted = registered(saga)
    sha256 = attach(saga, submitted["id"], PDF)["documents"][0]["sha256"]
    for reader in (STAFF2, AUDITOR):
        found = saga.insurance.get_document(submitted["id"], sha256, reader)
        assert base64.b64decode(found["content"]) == PDF
        assert (found["content_type"], found["filename"]) == ("application/pdf", "invoice.pdf")
    with pytest.raises(Forbidden):
        saga.insurance.get_document(submitted["id"], sha256, COORDINATOR)
    with pytest.raises(Forbidden):
        attach(saga, submitted["id"], JPEG, kind="id_copy", actor=AUDITOR)
    with pytest.raises(NotFound):
        saga.insurance.get_document(submitted["id"], "0" * 64, STAFF1)


def rejected(saga, n=1, amount=5_000):
    submitted = registered(saga, n, amount)
    saga.insurance.reject_claim(submitted["id"], {"reason": "no invoice"}, STAFF2)
    return submitted


def test_an_overturned_appeal_is_approved_and_paid_by_the_saga(saga):
    prepare(saga, ACCIDENT)
    claim_id = rejected(saga)["id"]
    appealed = saga.insurance.appeal_claim(claim_id, {"reason": "invoice found"}, STAFF1)
    assert appealed["status"] == "under_appeal"
    assert (appealed["appeal"]["appealed_by"], appealed["appeal"]["rejected_by"]) == \
        ("staff1", "staff2")
    with pytest.raises(Conflict):
        saga.insurance.appeal_claim(claim_id, {"reason": "again"}, STAFF1)
    decision = {"decision": "overturned", "reason": "the invoice is genuine",
                "amount_approved_fen": 4_500}
    for registrar_or_rejecter in (STAFF1, STAFF2):
        with pytest.raises(Forbidden) as refused:
            saga.insurance.decide_appeal(claim_id, decision, registrar_or_rejecter)
        assert refused.value.code == "four_eyes"
    overturned = saga.insurance.decide_appeal(claim_id, decision, STAFF3)
    assert (overturned["status"], overturned["amount_approved_fen"]) == ("approved", 4_500)
    assert overturned["appeal"]["decision"] == "overturned"
    paid = status_becomes(saga, claim_id, "paid")
    assert [h["to_status"] for h in paid["history"]] == \
        ["submitted", "rejected", "under_appeal", "approved", "paid"]
    assert [h["actor"] for h in paid["history"]][:4] == ["staff1", "staff2", "staff1", "staff3"]
    assert saga.fund.get_fund("PAYOUT", STAFF1)["balance_fen"] == 100_000 - 4_500


def test_an_upheld_appeal_rejects_the_claim_for_good(saga):
    prepare(saga, ACCIDENT)
    claim_id = rejected(saga)["id"]
    saga.insurance.appeal_claim(claim_id, {"reason": "please look again"}, STAFF1)
    with pytest.raises(InvalidInput) as no_amount:
        saga.insurance.decide_appeal(claim_id, {"decision": "upheld", "reason": "as before",
                                                "amount_approved_fen": 100}, STAFF3)
    assert set(no_amount.value.fields) == {"amount_approved_fen"}
    upheld = saga.insurance.decide_appeal(claim_id, {"decision": "upheld",
                                                     "reason": "no new evidence"}, STAFF3)
    assert upheld["status"] == "rejected"
    assert [h["to_status"] for h in upheld["history"]] == \
        ["submitted", "rejected", "under_appeal", "rejected"]
    assert upheld["history"][-1]["reason"] == "appeal upheld: no new evidence"
    with pytest.raises(Conflict) as again:
        saga.insurance.appeal_claim(claim_id, {"reason": "once more"}, STAFF1)
    assert again.value.code == "already_appealed"
    with pytest.raises(Conflict):
        saga.insurance.decide_appeal(claim_id, {"decision": "upheld", "reason": "x"}, STAFF3)


def test_an_appeal_is_for_rejected_claims_and_decided_only_by_its_decision(saga):
    prepare(saga, ACCIDENT)
    submitted = registered(saga, 1)
    with pytest.raises(Conflict) as not_rejected:
        saga.insurance.appeal_claim(submitted["id"], {"reason": "why not"}, STAFF1)
    assert not_rejected.value.code == "illegal_transition"
    claim_id = rejected(saga, 2)["id"]
    saga.insurance.appeal_claim(claim_id, {"reason": "invoice found"}, STAFF1)
    with pytest.raises(InvalidInput) as no_amount:
        saga.insurance.decide_appeal(claim_id, {"decision": "overturned", "reason": "ok"},
                                     STAFF3)
    assert set(no_amount.value.fields) == {"amount_approved_fen"}
    with pytest.raises(Conflict):  # only the appeal's decision, under its four eyes
        saga.insurance.approve_claim(claim_id, {"amount_approved_fen": 100}, STAFF3)
    with pytest.raises(Conflict):
        saga.insurance.reject_claim(claim_id, {"reason": "no"}, STAFF3)


def test_a_share_of_unflagged_claims_is_sampled_for_review(saga, monkeypatch):
    prepare(saga, ACCIDENT)
    monkeypatch.setenv("REVIEW_SAMPLE_PCT", "100")
    everyone = registered(saga, 1)
    assert (everyone["status"], [f["code"] for f in everyone["flags"]]) == \
        ("flagged", ["sampled"])
    over_cap = registered(saga, 2, amount=25_000)  # flagged already: not sampled as well
    assert [f["code"] for f in over_cap["flags"]] == ["over_per_claim_cap"]
    monkeypatch.setenv("REVIEW_SAMPLE_PCT", "0")
    assert registered(saga, 3)["status"] == "submitted"
    monkeypatch.setenv("REVIEW_SAMPLE_PCT", "10")
    monkeypatch.setattr(claims, "SAMPLER", random.Random(2))  # draws .., .., <.1, <.1, .., ..
    picked = [registered(saga, n)["status"] == "flagged" for n in (4, 5, 6, 7, 8, 9)]
    assert picked == [False, False, True, True, False, False]
    queue = saga.insurance.list_claims({"status": "flagged"}, STAFF1)
    assert everyone["id"] in [c["id"] for c in queue["items"]]


def test_the_bank_account_is_masked_in_every_answer(saga):
    prepare(saga, ACCIDENT)
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events", "claim_approved")
    try:
        submitted = registered(saga, payee=PAYEE)
        answers = [submitted, saga.insurance.get_claim(submitted["id"], STAFF1),
                   saga.insurance.list_claims({}, AUDITOR),
                   attach(saga, submitted["id"], PDF),
                   saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000},
                                                STAFF2)]
        paid = status_becomes(saga, submitted["id"], "paid")
        event = tap.take(1)[0]["body"]
    finally:
        tap.close()
    disbursement_id = paid["payout"]["disbursement_id"]
    answers += [paid, event, saga.fund.get_disbursement(disbursement_id, STAFF1),
                saga.fund.list_disbursements({}, STAFF1),
                saga.fund.statement("PAYOUT", {}, STAFF1)]
    for answer in answers:
        text = json.dumps(answer, ensure_ascii=False)
        assert ACCOUNT not in text and ACCOUNT[-8:] not in text
    assert paid["payee"] == {"name": "参保人家属", "bank": "中国农业银行天长支行",
                             "account_no": "*" * 15 + "1234"}
    assert event["data"]["payee_account_masked"] == "*" * 15 + "1234"
    payout = saga.fund.get_disbursement(disbursement_id, STAFF1)
    assert payout["payee"]["name"] == "参保人家属"
    assert payout["purpose"].endswith("to 中国农业银行天长支行 account " + "*" * 15 + "1234")
    memos = [line["memo"] for line in saga.fund.statement("PAYOUT", {}, STAFF1)["lines"]]
    assert any("*" * 15 + "1234" in memo for memo in memos)


@pytest.mark.parametrize(("payee", "field"), [
    ({**PAYEE, "account_no": "62220212345"}, "payee.account_no"),  # 11 digits
    ({**PAYEE, "account_no": "6222-0212-3456-789O"}, "payee.account_no"),
    ({**PAYEE, "account_no": "1" * 31}, "payee.account_no"),
    ({**PAYEE, "bank": "  "}, "payee.bank"),
    ({"account_no": ACCOUNT}, "payee.bank"),
])
def test_a_payee_account_is_a_bank_and_12_to_30_digits(saga, payee, field):
    prepare(saga, ACCIDENT)
    with pytest.raises(InvalidInput) as refused:
        registered(saga, payee=payee)
    assert set(refused.value.fields) == {field}
    assert "6222" not in json.dumps(refused.value.fields)


def test_the_public_learns_a_claims_status_only_with_the_right_last_four(saga):
    prepare(saga, ACCIDENT)
    submitted = registered(saga, 7)
    last4 = person(7)["id_number"][-4:]
    public = sign({"username": "public", "role": "public"})
    assert saga.insurance.public_claim_status(submitted["claim_no"], {"id_last4": last4},
                                              public) == \
        {"claim_no": submitted["claim_no"], "status": "submitted"}
    wrong = "0000" if last4 != "0000" else "1111"
    refusals = []
    for claim_no, digits in ((submitted["claim_no"], wrong), ("CL-341181-2020-999999", last4)):
        with pytest.raises(NotFound) as refused:
            saga.insurance.public_claim_status(claim_no, {"id_last4": digits}, public)
        refusals.append((refused.value.code, refused.value.message, refused.value.fields))
    assert refusals[0] == refusals[1]
    with pytest.raises(InvalidInput):
        saga.insurance.public_claim_status(submitted["claim_no"], {"id_last4": "12"}, public)
