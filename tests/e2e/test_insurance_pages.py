"""The insurance pages over HTTP, as a browser without JavaScript posts them, on the running
system with its demo data: products with their versions, premiums and papers; a policy
waiting for its premium until staff record the family's share; a village enrolled from
one form; a claim's documents uploaded as multipart with the CSRF token, a forged one
refused at its field, approval refused until the papers are there; an appeal decided under
four eyes; the public status lookup, alike for every wrong answer and slowed down; and a
bank account number never shown whole."""
import re
import time
from datetime import date, timedelta

import requests

from deploy import demo
from shared.clock import local_today
from shared.identity import make_resident_id
from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in, read

# A low lookup rate, so the last test can reach it (the other tests look up a few times).
LOOKUPS_PER_MINUTE = 8
ENV = {"PUBLIC_LOOKUPS_PER_MINUTE": str(LOOKUPS_PER_MINUTE)}
PRODUCT = "FAMILY_HOSPITAL_CARE"  # the demo's product with a premium and required papers
PNG = demo.demo_png()
PDF = demo.demo_pdf()
ACCOUNT = "6217001234567890123"
TODAY = local_today()


def _person(n: int) -> str:
    return make_resident_id("341181", date(1977, 3, 3), 600 + n)


def _browser(base: str, username: str, language: str = "zh") -> requests.Session:
    browser = log_in(base, username)
    browser.cookies.set("phf_lang", language)
    return browser


def _get(browser, url: str) -> requests.Response:
    return browser.get(url, timeout=TIMEOUT, allow_redirects=False)


def _post(browser, url: str, page: requests.Response, **kwargs) -> requests.Response:
    """A form of `page` posted with its CSRF token."""
    data = {"csrf": csrf_of(page.url, page.text), **kwargs.pop("data", {})}
    return browser.post(url, data=data, timeout=TIMEOUT, allow_redirects=False, **kwargs)


def _errors(page: requests.Response) -> dict:
    return field_errors(page.text)


def _form(page: requests.Response, action_end: str):
    forms, _ = read(page.url, page.text)
    return next((f for f in forms if f.action.endswith(action_end)), None)


def _policy(staff_api, id_number: str, product: str = PRODUCT) -> dict:
    found = staff_api.call("GET", "/api/v1/insurance/policies", params={
        "product_code": product, "id_number": id_number}).json()["items"]
    assert found, id_number
    return found[0]


def _wait(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def _register_claim(browser, base, policy_no, amount="100.00", days_ago=10, **payee):
    page = _get(browser, base + "/insurance")
    return _post(browser, base + "/insurance/claims", page, data={
        "policy_no": policy_no, "amount_yuan": amount, "description": "住院治疗",
        "incident_date": (TODAY - timedelta(days=days_ago)).isoformat(), **payee})


def _never_whole(account: str, *pages: requests.Response) -> None:
    digits = re.compile(r"\D*".join(account))  # however it might be spaced or dashed
    for page in pages:
        assert not digits.search(page.text), page.url


def test_the_products_show_their_version_premium_shares_and_papers(running_system):
    base = running_system.url
    for reader in ("staff1", "auditor1"):
        page = _get(_browser(base, reader), base + "/insurance")
        assert page.status_code == 200
        row = re.search(rf'<tr data-product="{PRODUCT}">(.*?)</tr>', page.text, re.S)[1]
        assert "¥120.00" in row and "80%" in row and "20%" in row
        assert "计划生育家庭保险赔付" in row  # the fund that pays the government's share
        assert "政府部门" in row and "家庭" in row
        assert "医疗费用发票" in row and "出院小结" in row
        assert re.search(r'class="version">\d+<', row)
        # The demo's policy waiting for the family's share, and the appeal waiting for staff3.
        assert re.search(r'data-status="pending_payment"><td><a[^>]*>[^<]+</a></td>'
                         r'<td>计生家庭住院医疗保险</td><td>陈静', page.text)
        assert "待缴保费" in page.text
        assert re.search(r'<ul id="appeals"><li><a href="/insurance/claims/\d+">CL-', page.text)
    auditor = _get(_browser(base, "auditor1"), base + "/insurance")
    assert 'id="enrol"' not in auditor.text and 'id="bulk-enrol"' not in auditor.text


def test_staff_record_the_familys_share_on_the_policy_page_and_it_comes_in_force(
        running_system, anonymous):
    base = running_system.url
    staff = _browser(running_system.url, "staff1")
    home = _get(staff, base + "/insurance")
    enrolled = _post(staff, base + "/insurance/policies", home, data={
        "product_code": PRODUCT, "insured_name": "郑秀梅", "insured_id_number": _person(1),
        "start_date": (TODAY - timedelta(days=100)).isoformat(), "family_category": ""})
    assert enrolled.status_code == 303, enrolled.text[:2000]
    notice = _get(staff, base + enrolled.headers["Location"])
    assert 'id="new-policy-status" data-status="pending_payment"' in notice.text
    assert re.search(r'<tr data-payer="family" data-status="due">.*?¥24\.00.*?未缴',
                     notice.text, re.S)
    link = re.search(r'href="(/insurance/policies/[^"]+)" id="new-policy-link"', notice.text)[1]

    policy = _get(staff, base + link)
    assert 'id="policy-status" data-status="pending_payment"' in policy.text
    form = _form(policy, "/payments")
    payer = next(f for f in form.fields if f.name == "payer")
    assert payer.options == ["family"]  # the government's share is the fund's, by the saga
    wrong = _post(staff, form.action, policy, data={"payer": "family", "amount_yuan": "20"})
    assert wrong.status_code == 422
    assert "¥24.00" in _errors(wrong)["amount_yuan"][0]
    not_money = _post(staff, form.action, policy, data={"payer": "family",
                                                       "amount_yuan": "9e999"})
    assert "amount_yuan" in _errors(not_money)
    by_hand = _post(staff, form.action, policy, data={"payer": "government",
                                                     "amount_yuan": "96.00"})
    assert by_hand.status_code == 422 and "payer" in _errors(by_hand)

    staff_api = anonymous.login("staff1")
    assert _wait(lambda: _policy(staff_api, _person(1))["shares"][0]["status"] == "paid")
    paid = _post(staff, form.action, policy, data={"payer": "family", "amount_yuan": "24.00"})
    assert paid.status_code == 303, paid.text[:2000]
    active = _get(staff, base + paid.headers["Location"])
    assert 'id="policy-status" data-status="active"' in active.text
    assert 'id="notice"' in active.text and 'id="record-payment"' not in active.text
    assert active.text.count('data-status="paid"') == 2
    again = _post(staff, form.action, policy, data={"payer": "family", "amount_yuan": "24.00"})
    assert again.status_code == 409

    auditor = _get(_browser(base, "auditor1"), base + link)
    assert auditor.status_code == 200 and 'id="record-payment"' not in auditor.text
    assert _get(_browser(base, "donor1"), base + link).status_code == 403
    assert _get(staff, base + "/insurance/policies/PL-nope").status_code == 404


def test_a_person_enrolled_on_the_page_keeps_their_village_for_its_renewal(running_system,
                                                                           anonymous):
    base = running_system.url
    staff = _browser(base, "staff1")
    home = _get(staff, base + "/insurance")
    person = {"product_code": PRODUCT, "insured_name": "冯桂兰", "insured_id_number": _person(2),
              "start_date": (TODAY - timedelta(days=350)).isoformat()}
    bad = _post(staff, base + "/insurance/policies", home, data={**person, "village_code": "12"})
    assert bad.status_code == 422 and "village_code" in _errors(bad)
    made = _post(staff, base + "/insurance/policies", home,
                 data={**person, "village_code": "341181100203"})
    assert made.status_code == 303, made.text[:2000]
    assert _policy(anonymous.login("staff1"), _person(2))["village_code"] == "341181100203"
    listed = _get(staff, base + f"/insurance/renewals?product_code={PRODUCT}"
                                "&village_code=341181100203")
    assert listed.status_code == 200 and "冯桂兰" in listed.text
    # A claim for a day the policy cannot cover is refused on its date, in the reader's words.
    policy_no = _policy(anonymous.login("staff1"), _person(2))["policy_no"]
    for days_ago, says in ((-1, "今天"), (351, "须在保单保障期内")):
        refused = _register_claim(staff, base, policy_no, days_ago=days_ago)
        assert refused.status_code == 422 and says in _errors(refused)["incident_date"][0]


def test_a_village_is_enrolled_from_one_form_and_told_who_was_not(running_system):
    base = running_system.url
    staff = _browser(running_system.url, "staff1", "en")
    village = demo.TONGCHENG + "002"  # 陈德明's family: 陈静 is insured by the demo already
    home = _get(staff, base + "/insurance")
    body = {"product_code": PRODUCT, "village_code": village,
            "start_date": TODAY.isoformat()}
    first = _post(staff, base + "/insurance/policies/bulk", home, data=body)
    assert first.status_code == 200, first.text[:2000]
    assert '<strong id="bulk-enrolled">3</strong>' in first.text
    skipped = re.findall(r'<tr data-reason="([^"]+)"><td>([^<]+)</td><td>([^<]+)</td>',
                         first.text)
    assert skipped == [("already_insured", "陈静", "Already insured")]
    again = _post(staff, base + "/insurance/policies/bulk", home, data=body)
    assert '<strong id="bulk-enrolled">0</strong>' in again.text
    assert again.text.count('data-reason="already_insured"') == 4
    bad = _post(staff, base + "/insurance/policies/bulk", home,
                data={**body, "village_code": "12ab", "start_date": "2026-02-30"})
    assert bad.status_code == 422 and {"village_code", "start_date"} <= set(_errors(bad))


def test_documents_are_uploaded_from_the_claim_page_and_a_forged_one_is_refused(
        running_system, anonymous):
    base = running_system.url
    staff1 = _browser(base, "staff1")
    staff2 = _browser(base, "staff2")
    policy = _policy(anonymous.login("staff1"), demo.PREMIUM_POLICIES[0][0]["insured"][
        "id_number"])  # 孙小军's, paid in full; its product requires two papers
    assert policy["status"] == "active"
    bad = _register_claim(staff1, base, policy["policy_no"], amount="12.345",
                          payee_bank="中国工商银行天长支行", payee_account_no=ACCOUNT)
    assert bad.status_code == 422 and "amount_yuan" in _errors(bad)
    _never_whole(ACCOUNT, bad)  # not even written back into the form
    short = _register_claim(staff1, base, policy["policy_no"], payee_bank="中国工商银行",
                            payee_account_no="1234")
    assert "payee_account_no" in _errors(short)
    registered = _register_claim(staff1, base, policy["policy_no"],
                                 payee_bank="中国工商银行天长支行", payee_account_no=ACCOUNT)
    assert registered.status_code == 303, registered.text[:2000]
    claim_url = base + registered.headers["Location"]
    claim = _get(staff1, claim_url)
    assert "中国工商银行天长支行" in claim.text and ACCOUNT[-4:] in claim.text
    assert re.search(r'data-kind="hospital_invoice">医疗费用发票</span>', claim.text)
    assert re.search(r'data-kind="discharge_summary">出院小结</span>', claim.text)

    # Approving without the papers: refused, naming them, in the chosen language.
    for language, named in (("zh", "医疗费用发票、出院小结"),
                            ("en", "Hospital invoice, Discharge summary")):
        reviewer = _browser(base, "staff2", language)
        page = _get(reviewer, claim_url)
        refused = _post(reviewer, claim_url + "/approve", page, data={"amount_yuan": "100"})
        assert refused.status_code == 409
        assert named in _errors(refused)["documents"][0], _errors(refused)

    upload = _form(claim, "/documents")
    assert upload is not None and 'enctype="multipart/form-data"' in claim.text
    assert [f.name for f in upload.fields if f.kind == "hidden"] == ["csrf"]
    no_token = staff1.post(upload.action, data={"kind": "hospital_invoice"}, timeout=TIMEOUT,
                           files={"file": ("发票.png", PNG, "image/png")},
                           allow_redirects=False)
    assert no_token.status_code == 403  # a multipart form is CSRF-checked as any other
    forged = _post(staff1, upload.action, claim, data={"kind": "hospital_invoice"},
                   files={"file": ("invoice.pdf", b"GIF89a not a pdf at all",
                                   "application/pdf")})
    assert forged.status_code == 422
    assert "invoice.pdf" in _errors(forged)["file"][0] and "PDF" in _errors(forged)["file"][0]
    no_file = _post(staff1, upload.action, claim, data={"kind": "hospital_invoice"},
                    files={"file": ("", b"", "application/octet-stream")})
    assert no_file.status_code == 422 and "file" in _errors(no_file)
    stored = _post(staff1, upload.action, claim, data={"kind": "hospital_invoice"},
                   files={"file": ("发票.png", PNG, "application/pdf")})
    assert stored.status_code == 303, stored.text[:2000]
    listed = _get(staff1, claim_url)
    row = re.search(r'<tr data-kind="hospital_invoice" data-sha256="([0-9a-f]{64})">(.*?)</tr>',
                    listed.text, re.S)
    assert row and "发票.png" in row[2]
    download = re.search(r'href="([^"]+/documents/[0-9a-f]{64})"', row[2])[1]
    for reader in (staff2, _browser(base, "auditor1")):
        got = _get(reader, base + download)
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["Content-Type"] == "image/png"  # what it is, not what was said
        assert got.headers["Content-Disposition"].startswith("attachment")
    assert _get(_browser(base, "coordinator1"), base + download).status_code == 403
    assert 'data-kind="discharge_summary"' in listed.text.split('id="documents"')[0]

    summary = _post(staff1, upload.action, listed, data={"kind": "discharge_summary"},
                    files={"file": ("出院小结.pdf", PDF, "application/pdf")})
    assert summary.status_code == 303
    complete = _get(staff2, claim_url)
    assert 'id="missing-documents"' not in complete.text
    approved = _post(staff2, claim_url + "/approve", complete, data={"amount_yuan": "100"})
    assert approved.status_code == 303, approved.text[:2000]
    assert _wait(lambda: 'data-status="paid"' in _get(staff2, claim_url).text)
    pages = [_get(staff1, claim_url), _get(staff2, base + "/insurance"),
             _get(_browser(base, "auditor1"), claim_url),
             _get(staff1, base + f"/insurance/policies/{policy['policy_no']}")]
    _never_whole(ACCOUNT, *pages)
    _never_whole(demo.DOCUMENTED_CLAIM["payee"]["account_no"], *pages)


def test_an_appeal_is_decided_by_someone_who_neither_registered_nor_rejected_it(
        running_system, anonymous):
    base = running_system.url
    staff1, staff2, staff3 = (_browser(base, u) for u in ("staff1", "staff2", "staff3"))
    policy = _policy(anonymous.login("staff1"), demo.POLICIES[0]["insured"]["id_number"],
                     demo.POLICIES[0]["product_code"])
    registered = _register_claim(staff1, base, policy["policy_no"], amount="500.00",
                                 days_ago=5)
    claim_url = base + registered.headers["Location"]
    page = _get(staff2, claim_url)
    assert _post(staff2, claim_url + "/reject", page,
                 data={"reason": "材料不全"}).status_code == 303

    rejected = _get(staff1, claim_url)
    assert 'data-status="rejected"' in rejected.text and 'id="appeal-claim"' in rejected.text
    empty = _post(staff1, claim_url + "/appeal", rejected, data={"reason": " "})
    assert empty.status_code == 422 and "reason" in _errors(empty)
    appealed = _post(staff1, claim_url + "/appeal", rejected, data={"reason": "已补交发票"})
    assert appealed.status_code == 303
    assert _post(staff1, claim_url + "/appeal", rejected,
                 data={"reason": "再次申诉"}).status_code == 409  # appealed once

    for refused, language, says in ((staff2, "zh", "本人拒绝"), (staff1, "en", "registered")):
        refused.cookies.set("phf_lang", language)
        mine = _get(refused, claim_url)
        assert 'data-status="under_appeal"' in mine.text
        assert 'id="not-yours-to-decide"' in mine.text and 'id="decide-appeal"' not in mine.text
        tried = _post(refused, claim_url + "/appeal/decide", mine, data={
            "decision": "overturned", "reason": "同意", "amount_yuan": "500"})
        assert tried.status_code == 403, tried.text[:1000]
        assert says in " ".join(_errors(tried)["_form"])

    deciding = _get(staff3, claim_url)
    assert 'id="decide-appeal"' in deciding.text
    no_amount = _post(staff3, claim_url + "/appeal/decide", deciding,
                      data={"decision": "overturned", "reason": "发票已补齐"})
    assert no_amount.status_code == 422 and "amount_yuan" in _errors(no_amount)
    decided = _post(staff3, claim_url + "/appeal/decide", deciding, data={
        "decision": "overturned", "reason": "发票已补齐", "amount_yuan": "300.00"})
    assert decided.status_code == 303, decided.text[:2000]
    done = _get(staff3, claim_url)
    assert 'data-decision="overturned"' in done.text and "撤销驳回" in done.text
    steps = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>",
                       done.text.split('id="history"')[1])
    assert [to for _, to in steps][:4] == ["已提交", "已驳回", "申诉中", "已批准"], steps
    assert [who for who, _ in steps][:4] == ["staff1", "staff2", "staff1", "staff3"]

    # The demo's appeal, upheld by staff3: rejected for good, and no second appeal.
    demo_claim = next(c for c in anonymous.login("staff3").call(
        "GET", "/api/v1/insurance/claims", params={"status": "under_appeal"}).json()["items"]
        if c["description"] == demo.APPEALED_CLAIM["description"])
    demo_url = base + f"/insurance/claims/{demo_claim['id']}"
    page = _get(staff3, demo_url)
    assert demo.APPEALED_CLAIM["appealed"] in page.text
    upheld = _post(staff3, demo_url + "/appeal/decide", page, data={
        "decision": "upheld", "reason": "发票与就诊记录不符", "amount_yuan": "ignored"})
    assert upheld.status_code == 303, upheld.text[:2000]
    final = _get(staff1, demo_url)
    assert 'data-status="rejected"' in final.text and 'data-decision="upheld"' in final.text
    assert 'id="appeal-claim"' not in final.text


def test_the_public_status_page_says_the_status_alike_no_and_slows_down(running_system,
                                                                     anonymous):
    base = running_system.url
    visitor = requests.Session()
    public = visitor.get(base + "/public/341181", timeout=TIMEOUT)
    assert 'href="/public/claim-status"' in public.text
    form = visitor.get(base + "/public/claim-status", timeout=TIMEOUT)
    assert form.status_code == 200 and 'id="claim-status-lookup"' in form.text
    claim = next(c for c in anonymous.login("staff1").call(
        "GET", "/api/v1/insurance/claims", params={"status": "flagged"}).json()["items"]
        if c["description"] == demo.UNPAID_CLAIM["description"])
    last4 = demo.PREMIUM_POLICIES[1][0]["insured"]["id_number"][-4:]

    def look(claim_no, id_last4, language="zh"):
        visitor.cookies.set("phf_lang", language)
        return visitor.post(base + "/public/claim-status", timeout=TIMEOUT,
                            data={"claim_no": claim_no, "id_last4": id_last4})

    found = look(claim["claim_no"], last4.lower())
    assert found.status_code == 200
    assert re.search(r'id="found-status" data-status="flagged">需复核<', found.text)
    shown = found.text.split("<main>")[1]
    assert "陈静" not in shown and "2,300.00" not in shown and last4 not in shown
    wrong = look(claim["claim_no"], "0000" if last4 != "0000" else "1111", "en")
    unknown = look("CL-341181-2000-999999", last4, "en")
    assert wrong.status_code == unknown.status_code == 404
    assert _errors(wrong) == _errors(unknown) != {}
    assert 'id="found-status"' not in wrong.text
    assert "_form" in _errors(wrong) and "No claim" in _errors(wrong)["_form"][0]
    malformed = look(claim["claim_no"], "12a4")
    assert malformed.status_code == 422 and "id_last4" in _errors(malformed)

    for _ in range(LOOKUPS_PER_MINUTE):
        answer = look(claim["claim_no"], last4, "en")
        if answer.status_code == 429:
            break
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    assert "Too many lookups" in answer.text
    # The API's lookups share the allowance: the address is slowed down there too.
    api = anonymous.call("GET", f"/api/v1/public/claims/{claim['claim_no']}",
                         params={"id_last4": last4})
    assert api.status_code == 429
