"""What a person does in the browser, one flow per function: Debian's Chromium driven by
Playwright against a running system. Run as `python -m tests.e2e.browser_flows URL LANG FLOW`
by tests/e2e/test_pages_in_browser.py, in a process of its own: Playwright's sync API and
eventlet (which the test process runs under) deadlock each other. Each flow leaves
screenshots in artifacts/screenshots/, and fails if the browser reported a Content Security
Policy violation or a script error on any page."""
import hashlib
import hmac
import json
import os
import random
import re
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from shared.identity import make_resident_id
from tests.insurance_data import TODAY

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Without these, Chromium keeps trying to reach the internet, which this machine refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def browsing(url: str, language: str, test_name: str):
    """A fresh Chromium profile with the language chosen."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=url)
        context.add_cookies([{"name": "phf_lang", "value": language, "url": url}])
        refused: list[str] = []
        context.on("console", lambda message: refused.append(message.text)
                   if "Content Security Policy" in message.text else None)
        context.on("page", lambda page: page.on(
            "pageerror", lambda error: refused.append(f"{page.url}: {error}")))
        SHOTS.mkdir(parents=True, exist_ok=True)
        try:
            yield Site(context, language, test_name)
            assert refused == [], refused
        finally:
            browser.close()


FLOWS = {}


def flow(steps):
    FLOWS[steps.__name__] = steps
    return steps


class Site:
    def __init__(self, context, language, test_name):
        self.context, self.language, self.test_name = context, language, test_name

    def login(self, username):
        page = self.context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", f"{username}-demo")
        page.click("form[action='/login'] button[type=submit]")
        return page

    def shot(self, page, step):
        page.screenshot(path=SHOTS / f"{self.language}-{self.test_name}-{step}.png",
                        full_page=True)

    def text(self, zh, en):
        return zh if self.language == "zh" else en


@flow
def a_donor_pledges_the_channel_confirms_and_the_receipt_says_it_in_capitals(site):
    page = site.login("donor1")
    expect(page).to_have_url(re.compile(r"/donor$"))
    expect(page.locator("h1").first).to_have_text(site.text("捐赠", "Give"))
    page.select_option("#give #fund_code", "GENERAL")
    page.fill("#give #amount_yuan", "123.45")
    page.click("#give button[type=submit]")
    expect(page.locator("#pledge-amount")).to_have_text("¥123.45")
    expect(page.locator("#pay-reference")).to_be_visible()  # how to pay; no receipt yet
    expect(page.locator("#receipt-link")).to_have_count(0)
    site.shot(page, "pledge")
    pledge_no = page.locator("#pledge-no").inner_text()
    body = json.dumps({"pledge_no": pledge_no, "channel_txn_id": f"wx-{pledge_no}",
                       "amount_fen": 12345}).encode()
    stamp = str(int(time.time()))
    sign = hmac.new(os.environ["PAYMENT_NOTIFY_SECRET"].encode(), stamp.encode() + b"." + body,
                    hashlib.sha256).hexdigest()
    paid = page.request.post("/api/v1/payments/notify", data=body, headers={
        "Content-Type": "application/json", "X-PHF-Timestamp": stamp,
        "X-PHF-Signature": sign})
    assert paid.status == 200, paid.text()
    page.reload()
    page.click("#receipt-link")
    expect(page.locator("#receipt-amount")).to_have_text("¥123.45")
    expect(page.locator("#receipt-words")).to_have_text("壹佰贰拾叁元肆角伍分")
    site.shot(page, "receipt")
    # The print button's handler comes from /static/pages.js (no inline onclick).
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print")
    assert page.evaluate("() => window.printed") == 1


@flow
def an_admin_opens_a_project_and_manages_a_login(site):
    admin = site.login("admin")
    admin.goto("/admin")
    code = f"P{random.randint(10**6, 10**7)}"
    admin.select_option("#create-project #fund_code", "SHANGEN")
    admin.fill("#create-project #code", code)
    admin.fill("#create-project #name", "助学 study grants")
    admin.fill("#create-project #purpose", "贫困计生家庭子女助学")
    admin.fill("#create-project #budget_yuan", "1000.00")
    admin.click("#create-project button[type=submit]")
    expect(admin.locator(f"#projects tr[data-project={code}]")).to_contain_text("1000.00")
    username = f"clerk{random.randint(10**6, 10**7)}"
    admin.fill("#create-user #username", username)
    admin.fill("#create-user #display_name", "新同事")
    admin.select_option("#create-user #role", "auditor")
    admin.fill("#create-user #password", "short")
    admin.click("#create-user button[type=submit]")
    expect(admin.locator("#create-user .field-error[data-field=password]")).to_be_visible()
    admin.fill("#create-user #password", "long-enough-password")
    admin.click("#create-user button[type=submit]")
    row = admin.locator(f"#users tr[data-user={username}]")
    expect(row).to_contain_text(site.text("审计", "auditor"))
    row.locator("button.deactivate").click()
    expect(admin.locator(f"#users tr[data-user={username}]")).to_contain_text(
        site.text("已停用", "deactivated"))
    site.shot(admin, "admin")
    donor = site.login("donor1")
    donor.click("#annual-receipt-link")
    expect(donor.locator("#annual-receipt")).to_contain_text("王芳")
    site.shot(donor, "annual-receipt")


@flow
def anyone_reads_the_public_page_without_logging_in(site):
    page = site.context.new_page()
    page.goto("/public/341181")
    expect(page.locator("#public-funds tr[data-fund=GENERAL]")).to_be_visible()
    expect(page.locator("#public-funds tr[data-fund=SHANGEN] .received")).not_to_have_text("")
    text = page.locator("main").inner_text()
    assert not re.search(r"\d{6}(19|20)\d{2}\d{4}\d{3}[\dX]", text)  # no identity number
    assert "王芳" not in text  # nor a donor's name
    site.shot(page, "public")


@flow
def staff_record_a_donation_and_a_second_staff_member_approves_a_disbursement(site):
    staff1 = site.login("staff1")
    form = "#record-donation"
    staff1.select_option(f"{form} #fund_code", "GENERAL")
    staff1.fill(f"{form} #amount_yuan", "1,000.05")
    staff1.fill(f"{form} #donor_name", "赵敏")
    staff1.fill(f"{form} #donor_id_number", "11010519491231002X")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator("#receipt-amount")).to_have_text("¥1000.05")
    expect(staff1.locator("#receipt")).to_contain_text("1101**********002X")
    site.shot(staff1, "donation-receipt")

    staff1.goto("/staff")
    purpose = f"browser {site.language} {random.randint(1, 10**9)}"
    form = "#request-disbursement"
    staff1.select_option(f"{form} #fund_code", "SPECIAL_FAMILY")
    staff1.select_option(f"{form} #category", "special_family_assistance")
    staff1.select_option(f"{form} #project_code", "SPRING_VISITS")
    staff1.fill(f"{form} #amount_yuan", "12.34")
    staff1.fill(f"{form} #purpose", purpose)
    staff1.fill(f"{form} #payee_name", "李秀英")
    staff1.click(f"{form} button[type=submit]")
    mine = staff1.locator("#waiting tr", has_text=purpose)
    expect(mine.locator(".own")).to_be_visible()  # shown, but not approvable by its requester
    expect(mine.locator("button.approve")).to_have_count(0)

    staff2 = site.login("staff2")
    theirs = staff2.locator("#waiting tr", has_text=purpose)
    theirs.locator("button.approve").click()
    expect(staff2.locator("#notice")).to_contain_text(site.text("已拨付", "paid"))
    site.shot(staff2, "approved")
    staff2.goto("/staff/funds/SPECIAL_FAMILY/statement")
    expect(staff2.locator("#by-month")).to_be_visible()  # the chart of money in and out
    staff2.wait_for_function("() => window.Chart && Chart.getChart('by-month') !== undefined")
    site.shot(staff2, "statement")


@flow
def insurance_staff_enrol_claim_approve_and_see_it_paid(site):
    staff1 = site.login("staff1")
    staff1.goto("/insurance")
    person = make_resident_id("341181", TODAY.replace(year=2010), random.randint(1, 999))
    staff1.select_option("#enrol #product_code", "ONLY_CHILD_ACCIDENT")
    staff1.fill("#enrol #insured_name", "周小明")
    staff1.fill("#enrol #insured_id_number", person)
    staff1.fill("#enrol #start_date", (TODAY - timedelta(days=100)).isoformat())
    staff1.select_option("#enrol #family_category", "only_child")
    staff1.click("#enrol button[type=submit]")
    policy_no = staff1.locator("#new-policy-no").inner_text()

    staff1.fill("#register-claim #policy_no", policy_no)
    staff1.fill("#register-claim #incident_date", (TODAY - timedelta(days=10)).isoformat())
    staff1.fill("#register-claim #amount_yuan", "300.00")
    staff1.fill("#register-claim #description", "骨折")
    staff1.click("#register-claim button[type=submit]")
    expect(staff1.locator("#claim-status")).to_have_attribute("data-status", "submitted")
    expect(staff1.locator("#approve")).to_have_count(0)  # its registrar cannot approve it
    claim_url = staff1.url

    staff2 = site.login("staff2")
    staff2.goto(claim_url)
    staff2.fill("#approve #amount_yuan", "250.00")
    staff2.click("#approve button[type=submit]")
    for _ in range(50):
        staff2.reload()
        if staff2.locator("#claim-status").get_attribute("data-status") == "paid":
            break
        staff2.wait_for_timeout(200)
    expect(staff2.locator("#claim-status")).to_have_attribute("data-status", "paid")
    expect(staff2.locator("#payout")).to_contain_text(site.text("已拨付", "paid"))
    site.shot(staff2, "claim-paid")


@flow
def a_coordinator_creates_a_shift_and_a_volunteer_signs_up(site):
    coordinator = site.login("coordinator1")
    title = f"7.11 {site.language} {random.randint(1, 10**9)}"
    day = "2027-07-11" if site.language == "zh" else "2027-07-12"
    coordinator.fill("#create-shift #title", title)
    coordinator.fill("#create-shift #starts_at", f"{day}T09:00")
    coordinator.fill("#create-shift #ends_at", f"{day}T11:30")
    coordinator.fill("#create-shift #capacity", "3")
    coordinator.check("#create-shift input[value=general]")
    coordinator.click("#create-shift button[type=submit]")
    expect(coordinator.locator("#shifts tr", has_text=title)).to_contain_text(f"{day} 09:00")
    coordinator.wait_for_function("() => window.Chart && Chart.getChart('ranking') !== undefined")
    site.shot(coordinator, "shift")

    volunteer = site.login("volunteer1")
    row = volunteer.locator("#open-shifts tr", has_text=title)
    row.locator("button.signup").click()
    expect(volunteer.locator("#open-shifts tr", has_text=title).locator(".mine")).to_have_text(
        site.text("已确认", "confirmed"))
    site.shot(volunteer, "signed-up")


@flow
def a_bad_form_shows_the_field_error_in_the_language_chosen(site):
    staff1 = site.login("staff1")
    form = "#record-donation"
    staff1.fill(f"{form} #amount_yuan", "12.345")
    staff1.fill(f"{form} #donor_name", "x")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=amount_yuan]")).to_have_text(
        site.text("最多两位小数（到分）。", "At most two decimals (fen)."))
    staff1.fill(f"{form} #amount_yuan", "12.34")
    staff1.fill(f"{form} #donor_id_number", "110105194912310021")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=donor_id_number]")).to_be_visible()
    site.shot(staff1, "field-error")


@flow
def a_donor_typing_another_donors_receipt_address_is_refused(site):
    staff1 = site.login("staff1")
    staff1.fill("#record-donation #amount_yuan", "5")
    staff1.fill("#record-donation #donor_name", "别人")
    staff1.click("#record-donation button[type=submit]")
    someone_elses = staff1.url
    donor = site.login("donor1")
    response = donor.goto(someone_elses)
    assert response.status == 403
    expect(donor.locator("#error-message")).to_have_text(
        site.text("这不是您的捐赠。", "This donation is not yours."))
    site.shot(donor, "refused")


if __name__ == "__main__":
    url, language, name = sys.argv[1:4]
    with browsing(url, language, name) as site:
        FLOWS[name](site)
