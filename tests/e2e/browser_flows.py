"""What a person does in the browser, one flow per function: Debian's Chromium driven by
Playwright against a running system. tests/e2e/test_pages_in_browser.py starts
`python -m tests.e2e.browser_flows --serve URL` once: a process of its own (Playwright's sync
API and eventlet, which the test process runs under, deadlock each other) that keeps one
Chromium and runs each flow asked of it in a fresh browser context (cookies, storage and
cache of its own). `python -m tests.e2e.browser_flows URL LANG FLOW` runs one flow by hand.
Every page a flow visits is looked at (`Site.look`): checked as tests/e2e/page_checks.py says
and photographed into artifacts/screenshots/. A flow fails if it visited a page it did not
look at, if a look found a problem (all of them are listed at the end), if the browser
reported a Content Security Policy violation or a script error, or if a file the pages used
was missing."""
import json
import os
import random
import re
import sys
import time
import traceback
from contextlib import contextmanager
from datetime import date, timedelta
from os import environ
from pathlib import Path
from urllib.parse import quote, urlparse

from playwright.sync_api import expect, sync_playwright

from deploy.demo import demo_png
from services.gateway.web.ui import PAGE_SIZE
from shared.identity import make_resident_id
from tests.e2e import page_checks
from tests.family_data import VILLAGE
from tests.insurance_data import TODAY
from tests.payment_channel import signed_headers

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Without these, Chromium keeps trying to reach the internet, which this machine refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
A4_POINTS = (595, 842)  # a PDF page's size in points, rounded


@contextmanager
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browsing(browser, url: str, language: str, test_name: str, device: dict | None = None):
    """A fresh browser context, as a fresh profile, with the language chosen (on a phone's
    screen when `device` says so)."""
    context = browser.new_context(base_url=url, **(device or {}))
    context.add_cookies([{"name": "phf_lang", "value": language, "url": url}])
    site = Site(context, language, test_name, phone=device is not None)
    context.on("console", lambda message: site.refused.append(message.text)
               if "Content Security Policy" in message.text else None)
    context.on("page", site.watch)
    context.on("response", lambda response: site.refused.append(
        f"{response.status} for {response.url}") if response.status == 404
        and response.request.resource_type != "document" else None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield site
        site.finish()
    finally:
        context.close()


def run_flow(browser, url: str, language: str, name: str) -> None:
    with browsing(browser, url, language, name, FLOWS[name].device) as site:
        FLOWS[name](site)


def serve(url: str) -> None:
    """Runs the flows asked on standard input, a JSON line each (`{"flow", "language"}`),
    and answers each with a JSON line (`{"ok", "error"}`) on standard output; what the
    flows print goes to standard error. A browser that died is started again."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    with sync_playwright() as playwright:
        browser = None
        for line in sys.stdin:
            asked = json.loads(line)
            try:
                if browser is None or not browser.is_connected():
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                run_flow(browser, url, asked["language"], asked["flow"])
                answer = {"ok": True, "error": ""}
            except Exception:  # the flow's failure is the answer; the next flow still runs
                answer = {"ok": False, "error": traceback.format_exc()[-6000:]}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
        if browser is not None:
            browser.close()


FLOWS = {}


def flow(steps=None, *, device: dict | None = None):
    """A flow; `@flow(device=PHONE)` runs it on a phone's screen."""
    def register(steps):
        steps.device = device
        FLOWS[steps.__name__] = steps
        return steps
    return register(steps) if steps is not None else register


class Site:
    def __init__(self, context, language, test_name, phone=False):
        self.context = context
        self.language = language
        self.test_name = test_name
        self.phone = phone
        self.refused: list[str] = []  # script errors, CSP reports, files missing
        self.problems: list[str] = []  # what looking at the pages found
        self.visited: list[str] = []
        self.looked: set[str] = set()
        self.typed: list[str] = []  # what the flow typed: names and codes a page may show
        self.amounts: set[int] = set()  # the fen of every amount the flow typed

    def watch(self, page):
        page.on("pageerror", lambda error: self.refused.append(f"{page.url}: {error}"))
        page.on("framenavigated", lambda frame: self.visited.append(frame.url)
                if frame == page.main_frame and frame.url != "about:blank" else None)

    def login(self, username):
        page = self.context.new_page()
        page.goto("/login")
        if not any(urlparse(url).path == "/login" for url in self.looked):
            self.look(page)
        page.fill("#username", username)
        page.fill("#password", f"{username}-demo")
        with page.expect_navigation():
            self.press(page, "form[action='/login'] button[type=submit]")
        self.look(page)
        return page

    def press(self, page, selector):
        """A click, or on a phone a tap."""
        (page.tap if self.phone else page.click)(selector)

    def fill(self, page, selector, text):
        """Typing into a field; what was typed may show on pages as it is. The flows type
        Chinese, as the association's people do: one flow's records show up on another's
        pages, where they are not what that flow typed."""
        page.fill(selector, text)
        self.typed.append(text)

    def fill_yuan(self, page, selector, yuan: str):
        page.fill(selector, yuan)
        self.amounts.add(round(float(yuan.replace(",", "")) * 100))

    def look(self, page, step=None):
        """Reads the page as a person would (see page_checks) and photographs it."""
        page.wait_for_load_state()
        url = page.url
        self.looked.add(url)
        where = urlparse(url).path + (f"?{urlparse(url).query}" if urlparse(url).query else "")
        language = page.evaluate("() => document.documentElement.lang")
        text = page_checks.read(page)
        found = [*page_checks.accessibility(page), *page_checks.codes(text, self.typed),
                 *page_checks.fen(page, text, self.amounts)]
        if language.startswith("zh"):
            found += page_checks.english_on_chinese(text, self.typed)
        if self.phone:
            found += page_checks.overflow(page)
        self.problems += [f"{where} ({language}): {problem}" for problem in found]
        name = step or (urlparse(url).path.strip("/").replace("/", "-") or "root")
        page.screenshot(path=SHOTS / f"{self.language}-{self.test_name}-{name}.png",
                        full_page=True)

    def text(self, zh, en):
        return zh if self.language == "zh" else en

    def finish(self):
        """Every page the flow visited was looked at, and nothing was found wrong."""
        missed = sorted({url for url in self.visited if url not in self.looked})
        assert self.refused == [], self.refused
        assert missed == [], f"pages visited but not looked at: {missed}"
        problems = list(dict.fromkeys(self.problems))  # a page looked at twice says it once
        assert problems == [], f"{len(problems)} problems on the pages:\n" + "\n".join(problems)


def pay(page, pledge_no: str, amount_fen: int):
    """The payment channel's signed call that the money of a pledge arrived."""
    body = json.dumps({"pledge_no": pledge_no, "channel_txn_id": f"wx-{pledge_no}",
                       "amount_fen": amount_fen}).encode()
    paid = page.request.post("/api/v1/payments/notify", data=body, headers={
        "Content-Type": "application/json", **signed_headers(body)})
    assert paid.status == 200, paid.text()


def prints_as_a_document_on_a4(page):
    """Printed, the page shows no menu, form or button, on A4 paper."""
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("button").first).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    size = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
    assert size and (round(float(size[1])), round(float(size[2]))) == A4_POINTS, size
    page.emulate_media(media="screen")


@flow
def a_donor_pledges_the_channel_confirms_and_the_receipt_says_it_in_capitals(site):
    page = site.login("donor1")
    expect(page).to_have_url(re.compile(r"/donor$"))
    expect(page.locator("h1").first).to_have_text(site.text("捐赠", "Give"))
    page.select_option("#give #fund_code", "GENERAL")
    site.fill_yuan(page, "#give #amount_yuan", "123.45")
    page.click("#give button[type=submit]")
    expect(page.locator("#pledge-amount")).to_have_text("¥123.45")
    expect(page.locator("#pay-reference")).to_be_visible()  # how to pay; no receipt yet
    expect(page.locator("#receipt-link")).to_have_count(0)
    site.look(page, "pledge")
    pay(page, page.locator("#pledge-no").inner_text(), 12345)
    page.reload()
    site.look(page, "pledge-paid")
    page.click("#receipt-link")
    expect(page.locator("#receipt-amount")).to_have_text("¥123.45")
    expect(page.locator("#receipt-words")).to_have_text("壹佰贰拾叁元肆角伍分")
    site.look(page, "receipt")
    prints_as_a_document_on_a4(page)
    trace = urlparse(page.locator("#trace-link").get_attribute("href")).path
    # The print button's handler comes from /static/pages.js (no inline onclick).
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print")
    assert page.evaluate("() => window.printed") == 1
    page.goto(trace)  # what anyone holding the receipt reads
    expect(page.locator("#trace")).to_contain_text("¥123.45")
    site.look(page, "trace")
    a_long_list_comes_a_page_at_a_time(site, page)


@flow
def a_donor_starts_a_monthly_gift_sees_its_months_and_cancels_it(site):
    page = site.login("donor1")
    page.select_option("#give #fund_code", "GENERAL")
    site.fill_yuan(page, "#give #amount_yuan", "10.00")
    page.fill("#give #months", "61")
    page.click("#give button[type=submit]")
    expect(page.locator("#give .field-error[data-field=months]")).to_be_visible()
    site.look(page, "monthly-gift-refused")
    page.fill("#give #months", "3")
    page.click("#give button[type=submit]")
    expect(page).to_have_url(re.compile(r"/donor/recurring/\d+$"))
    expect(page.locator("#plan-months")).to_have_text("1 / 3")
    expect(page.locator("#plan-status")).to_have_text(site.text("有效", "Active"))
    site.look(page, "monthly-gift")
    pay(page, page.locator("#months a").first.inner_text(), 1000)
    page.reload()
    expect(page.locator("#plan-confirmed")).to_have_text("¥10.00")
    page.click("#cancel-plan button[type=submit]")
    expect(page.locator("#plan-status")).to_have_text(site.text("已取消", "Cancelled"))
    expect(page.locator("#cancel-plan")).to_have_count(0)
    site.look(page, "monthly-gift-cancelled")
    page.goto("/donor")
    expect(page.locator("#plans")).to_contain_text("1 / 3")
    site.look(page, "donor-with-monthly-gifts")


def a_long_list_comes_a_page_at_a_time(site, page):
    """More pledges than a page shows: the pager says where the donor is and leads on."""
    token = page.request.post("/api/v1/auth/token", data={
        "username": "donor1", "password": "donor1-demo"}).json()["access_token"]
    for n in range(21):
        made = page.request.post("/api/v1/pledges", data={
            "fund_code": "GENERAL", "amount_fen": 100, "channel": "alipay"}, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": f"{site.test_name}-{n}-"
            f"{site.language}-{random.randint(1, 10**9)}"})
        assert made.status == 201, made.text()
    page.goto("/donor")
    pager = page.locator("nav.pager[data-list=pledges]")
    expect(pager.locator(".where")).to_contain_text(site.text("第 1 页", "Page 1 of"))
    pager.locator("a.next").click()
    expect(page).to_have_url(re.compile(r"/donor\?pledges_page=2$"))
    expect(page.locator("nav.pager[data-list=pledges] .where")).to_contain_text(
        site.text("第 2 页", "Page 2 of"))
    expect(page.locator("#pledges tr")).not_to_have_count(1)  # rows, beside the header
    site.look(page, "pledges-page-2")


@flow(device=PHONE)
def on_a_phone_a_donor_pledges_and_a_volunteer_signs_up(site):
    donor = site.login("donor1")
    amount = donor.locator("#give #amount_yuan")
    expect(amount).to_have_attribute("inputmode", "decimal")  # the phone's number pad
    donor.select_option("#give #fund_code", "SHANGEN")
    amount.tap()
    site.fill_yuan(donor, "#give #amount_yuan", "66.60")
    site.press(donor, "#give button[type=submit]")
    expect(donor.locator("#pledge-amount")).to_have_text("¥66.60")
    expect(donor.locator("#pay-reference")).to_be_in_viewport()
    site.look(donor, "pledge")

    title = a_coordinators_shift(site, donor)

    volunteer = site.login("volunteer1")
    row = volunteer.locator("#open-shifts tr", has_text=title)
    row.locator("button.signup").tap()
    mine = volunteer.locator("#open-shifts tr", has_text=title).locator(".mine")
    expect(mine).to_have_text(site.text("已确认", "Confirmed"))
    site.look(volunteer, "signed-up")


@flow
def an_admin_opens_a_project_and_manages_a_login(site):
    admin = site.login("admin")
    admin.goto("/admin")
    site.look(admin)
    code = f"P{random.randint(10**6, 10**7)}"
    admin.select_option("#create-project #fund_code", "SHANGEN")
    site.fill(admin, "#create-project #code", code)
    site.fill(admin, "#create-project #name", "助学金")
    site.fill(admin, "#create-project #purpose", "贫困计生家庭子女助学")
    expect(admin.locator("#create-project #budget_yuan")).to_have_attribute("inputmode",
                                                                          "decimal")
    site.fill_yuan(admin, "#create-project #budget_yuan", "1000.00")
    admin.click("#create-project button[type=submit]")
    expect(admin.locator(f"#projects tr[data-project={code}]")).to_contain_text("¥1,000.00")
    username = f"clerk{random.randint(10**6, 10**7)}"
    site.fill(admin, "#create-user #username", username)
    site.fill(admin, "#create-user #display_name", "新同事")
    admin.select_option("#create-user #role", "auditor")
    admin.fill("#create-user #password", "short")
    admin.click("#create-user button[type=submit]")
    expect(admin.locator("#create-user .field-error[data-field=password]")).to_be_visible()
    site.look(admin, "password-too-short")
    admin.fill("#create-user #password", "long-enough-password")
    admin.click("#create-user button[type=submit]")
    row = admin.locator(f"#users tr[data-user={username}]")
    expect(row).to_contain_text(site.text("审计", "Auditor"))
    row.locator("button.deactivate").click()
    expect(admin.locator(f"#users tr[data-user={username}]")).to_contain_text(
        site.text("已停用", "deactivated"))
    site.look(admin, "admin")
    donor = site.login("donor1")
    donor.click("#annual-receipt-link")
    expect(donor.locator("#annual-receipt")).to_contain_text("王芳")
    site.look(donor, "annual-receipt")
    prints_as_a_document_on_a4(donor)


@flow
def an_auditor_reads_the_audit_log_of_every_service_and_of_one(site):
    auditor = site.login("auditor1")
    auditor.click("header nav a[href='/audit']")
    expect(auditor.locator("#audit-entries tr[data-entry]").first).to_be_visible()
    site.look(auditor, "audit-log")
    auditor.select_option("#find-entries #find-service", "families")
    auditor.select_option("#find-entries #find-action", "register")
    auditor.click("#find-entries button[type=submit]")
    expect(auditor.locator("#audit-entries tr[data-service=families][data-action=register]")
           .first).to_be_visible()
    expect(auditor.locator("#audit-entries tr[data-entry]:not([data-service=families])")) \
        .to_have_count(0)
    site.look(auditor, "audit-log-families")


@flow
def anyone_reads_the_public_page_without_logging_in(site):
    page = site.context.new_page()
    page.goto("/public/341181")
    expect(page.locator("#public-funds tr[data-fund=GENERAL]")).to_be_visible()
    expect(page.locator("#public-funds tr[data-fund=SHANGEN] .received")).not_to_have_text("")
    text = page.locator("main").inner_text()
    assert not re.search(r"\d{6}(19|20)\d{2}\d{4}\d{3}[\dX]", text)  # no identity number
    assert "王芳" not in text  # nor a donor's name
    site.look(page, "public")


@flow
def staff_record_a_donation_and_a_second_staff_member_approves_a_disbursement(site):
    staff1 = site.login("staff1")
    form = "#record-donation"
    staff1.select_option(f"{form} #fund_code", "GENERAL")
    site.fill_yuan(staff1, f"{form} #amount_yuan", "1,000.05")
    site.fill(staff1, f"{form} #donor_name", "赵敏")
    staff1.fill(f"{form} #donor_id_number", "11010519491231002X")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator("#receipt-amount")).to_have_text("¥1,000.05")
    expect(staff1.locator("#receipt")).to_contain_text("1101**********002X")
    site.look(staff1, "donation-receipt")

    staff1.goto("/staff")
    site.look(staff1)
    purpose = f"慰问 {random.randint(1, 10**9)}"
    # The disbursement form's fields have ids of their own: its labels name its fields.
    staff1.select_option("#d-fund_code", "SPECIAL_FAMILY")
    staff1.select_option("#d-category", "special_family_assistance")
    staff1.get_by_label(site.text("项目", "Project")).select_option("SPRING_VISITS")
    site.fill_yuan(staff1, "#request-disbursement #d-amount_yuan", "12.34")
    site.fill(staff1, "#request-disbursement #d-purpose", purpose)
    site.fill(staff1, "#request-disbursement #d-payee_name", "李秀英")
    staff1.click("#request-disbursement button[type=submit]")
    mine = staff1.locator("#waiting tr", has_text=purpose)
    expect(mine.locator(".own")).to_be_visible()  # shown, but not approvable by its requester
    expect(mine.locator("button.approve")).to_have_count(0)
    site.look(staff1, "requested")

    staff2 = site.login("staff2")
    theirs = staff2.locator("#waiting tr", has_text=purpose)
    theirs.locator("button.approve").click()
    expect(staff2.locator("#notice")).to_contain_text(site.text("已拨付", "Paid"))
    site.look(staff2, "approved")
    staff2.goto("/staff/funds/SPECIAL_FAMILY/statement")
    expect(staff2.locator("#by-month")).to_be_visible()  # the chart of money in and out
    staff2.wait_for_function("() => window.Chart && Chart.getChart('by-month') !== undefined")
    expect(staff2.locator("h1")).to_contain_text("计生特殊家庭帮扶")  # the fund's name
    site.look(staff2, "statement")
    prints_as_a_document_on_a4(staff2)


@flow
def insurance_staff_enrol_claim_approve_and_see_it_paid(site):
    staff1 = site.login("staff1")
    staff1.goto("/insurance")
    site.look(staff1)
    person = make_resident_id("341181", TODAY.replace(year=2010), random.randint(1, 999))
    staff1.select_option("#enrol #product_code", "ONLY_CHILD_ACCIDENT")
    site.fill(staff1, "#enrol #insured_name", "周小明")
    staff1.fill("#enrol #insured_id_number", person)
    staff1.fill("#enrol #start_date", (TODAY - timedelta(days=100)).isoformat())
    staff1.select_option("#enrol #family_category", "only_child")
    staff1.click("#enrol button[type=submit]")
    policy_no = staff1.locator("#new-policy-no").inner_text()
    # The product by its name, not its code.
    expect(staff1.locator("#policies")).to_contain_text("独生子女意外伤害保险")
    site.look(staff1, "enrolled")

    staff1.fill("#register-claim #policy_no", policy_no)
    staff1.fill("#register-claim #incident_date", (TODAY - timedelta(days=10)).isoformat())
    site.fill_yuan(staff1, "#register-claim #amount_yuan", "300.00")
    site.fill(staff1, "#register-claim #description", "骨折")
    staff1.click("#register-claim button[type=submit]")
    expect(staff1.locator("#claim-status")).to_have_attribute("data-status", "submitted")
    expect(staff1.locator("#approve")).to_have_count(0)  # its registrar cannot approve it
    site.look(staff1, "claim-registered")
    claim_url = staff1.url
    staff1.goto("/insurance")
    staff1.locator("#queue tr", has=staff1.locator(".flag")).first.locator("a").click()
    expect(staff1.locator("#flags")).to_contain_text("¥")  # a cap's warning, in yuan
    site.look(staff1, "flagged-claim")

    staff2 = site.login("staff2")
    staff2.goto(claim_url)
    site.fill_yuan(staff2, "#approve #amount_yuan", "250.00")
    with staff2.expect_navigation():  # the approval's answer has come before we look again
        staff2.click("#approve button[type=submit]")
    for _ in range(50):
        staff2.reload()
        if staff2.locator("#claim-status").get_attribute("data-status") == "paid":
            break
        staff2.wait_for_timeout(200)
    expect(staff2.locator("#claim-status")).to_have_attribute("data-status", "paid")
    expect(staff2.locator("#payout")).to_contain_text(site.text("已拨付", "Paid"))
    site.look(staff2, "claim-paid")
    staff2.goto("/staff/funds/INSURANCE_PAYOUT/statement")  # where the payout went out
    expect(staff2.locator("#lines")).to_contain_text("¥250.00")
    site.look(staff2, "payout-statement")


@flow
def insurance_staff_renew_a_village_and_see_what_is_unpaid(site):
    staff1 = site.login("staff1")
    village = f"3411811002{random.randint(10, 99)}"
    bearer = api_login(staff1, "staff1")
    numbers = [ending_soon(staff1, bearer, village, n) for n in (1, 2)]
    staff1.goto("/insurance")
    site.look(staff1)
    staff1.click("#to-renewals")
    site.look(staff1, "renewals")
    staff1.select_option("#r-product_code", "FAMILY_HOSPITAL_CARE")
    staff1.fill("#r-village_code", village)
    staff1.click("#find-renewals button[type=submit]")
    expect(staff1.locator("#renewals tr[data-renewed=no]")).to_have_count(2)
    site.look(staff1, "renewal-list")
    staff1.check(f"#renewals tr[data-policy='{numbers[0]}'] input[type=checkbox]")
    staff1.click("#renew-chosen")
    expect(staff1.locator("#renewed-count")).to_have_text("1")
    # The fund pays the government's share by itself; the family's is still unpaid.
    expect(staff1.locator(f"#renewals tr[data-policy='{numbers[0]}'] .unpaid")) \
        .to_contain_text("¥")
    site.look(staff1, "renewed-one")
    staff1.click("#renew-all")
    expect(staff1.locator(f"#renewal-outcomes tr[data-policy='{numbers[0]}']")) \
        .to_have_attribute("data-outcome", "already_renewed")
    expect(staff1.locator("#renewal-outcomes")).to_contain_text(site.text("此前已续保",
                                                                          "Renewed already"))
    expect(staff1.locator("#renewals tr[data-renewed=yes]")).to_have_count(2)
    expect(staff1.locator("#renew-chosen")).to_have_count(0)  # nothing left to tick
    site.look(staff1, "renewed-all")


def ending_soon(page, bearer: dict, village: str, n: int) -> str:
    """A policy of the village whose year ends within the month."""
    made = page.request.post("/api/v1/insurance/policies", headers=bearer, data={
        "product_code": "FAMILY_HOSPITAL_CARE", "village_code": village,
        "insured": {"name": f"续保{n}号", "id_number": make_resident_id(
            "341181", date(1980, 1, 1), random.randint(1, 999))},
        "start_date": (TODAY - timedelta(days=350)).isoformat()})
    assert made.status == 201, made.text()
    return made.json()["policy_no"]


@flow
def insurance_staff_record_a_premium_share_and_upload_a_claims_papers(site):
    staff1 = site.login("staff1")
    staff1.goto("/insurance")
    site.look(staff1)
    born = date(1981, 1, 1) + timedelta(days=random.randint(0, 3000))
    person = make_resident_id("341181", born, random.randint(1, 999))
    staff1.select_option("#enrol #product_code", "FAMILY_HOSPITAL_CARE")
    site.fill(staff1, "#enrol #insured_name", "吴小红")
    staff1.fill("#enrol #insured_id_number", person)
    staff1.fill("#enrol #start_date", (TODAY - timedelta(days=100)).isoformat())
    staff1.click("#enrol button[type=submit]")
    # Enrolled, and waiting for its premium: the fund's share comes by itself, the family's
    # is recorded by hand.
    expect(staff1.locator("#new-policy-status")).to_have_attribute("data-status",
                                                                  "pending_payment")
    expect(staff1.locator("#new-policy-shares tr[data-payer=family]")).to_contain_text("¥24.00")
    policy_no = staff1.locator("#new-policy-no").inner_text()
    site.look(staff1, "enrolled-pending")
    with staff1.expect_navigation():
        staff1.click("#new-policy-link")
    government = staff1.locator("#shares tr[data-payer=government]")
    for _ in range(50):
        if government.get_attribute("data-status") == "paid":
            break
        staff1.wait_for_timeout(200)
        staff1.reload()
    expect(government).to_have_attribute("data-status", "paid")
    expect(staff1.locator("#record-payment #payer option")).to_have_count(1)
    site.look(staff1, "policy-pending")
    site.fill_yuan(staff1, "#record-payment #amount_yuan", "24.00")
    staff1.click("#record-payment button[type=submit]")
    expect(staff1.locator("#policy-status")).to_have_attribute("data-status", "active")
    expect(staff1.locator("#record-payment")).to_have_count(0)
    site.look(staff1, "policy-active")

    staff1.goto("/insurance")
    staff1.fill("#register-claim #policy_no", policy_no)
    staff1.fill("#register-claim #incident_date", (TODAY - timedelta(days=10)).isoformat())
    site.fill_yuan(staff1, "#register-claim #amount_yuan", "300.00")
    site.fill(staff1, "#register-claim #description", "肺炎住院")
    site.fill(staff1, "#register-claim #payee_bank", "中国建设银行天长支行")
    account = "6217" + "".join(random.choice("0123456789") for _ in range(15))
    staff1.fill("#register-claim #payee_account_no", account)
    staff1.click("#register-claim button[type=submit]")
    expect(staff1.locator("#claim-status")).to_have_attribute("data-status", "submitted")
    expect(staff1.locator("#payee-account")).to_have_text("*" * 15 + account[-4:])
    expect(staff1.locator("#missing-documents .missing")).to_have_count(2)
    site.look(staff1, "claim-without-papers")
    claim_url = staff1.url
    claim_no = staff1.locator("h1").inner_text().split()[-1]

    staff1.select_option("#upload-document #kind", "hospital_invoice")
    site.typed.append("发票.png")  # the file's name shows as it was sent
    staff1.set_input_files("#upload-document #file", files=[{
        "name": "发票.png", "mimeType": "image/png", "buffer": demo_png()}])
    staff1.click("#upload-document button[type=submit]")
    expect(staff1.locator("#documents tr[data-kind=hospital_invoice]")).to_contain_text(
        "发票.png")
    expect(staff1.locator("#missing-documents .missing")).to_have_count(1)
    site.look(staff1, "claim-paper-uploaded")
    assert account not in staff1.content()

    staff2 = site.login("staff2")
    staff2.goto(claim_url)
    staff2.click("#approve button[type=submit]")
    expect(staff2.locator("#approve .field-error[data-field=documents]")).to_contain_text(
        site.text("出院小结", "Discharge summary"))
    site.look(staff2, "claim-papers-missing")

    visitor = site.context.new_page()  # what the insured reads, without a login
    visitor.goto("/public/claim-status")
    site.look(visitor, "claim-status-form")
    visitor.fill("#claim_no", claim_no)
    visitor.fill("#id_last4", person[-4:])
    visitor.click("#claim-status-lookup button[type=submit]")
    expect(visitor.locator("#found-status")).to_have_text(site.text("已提交", "Submitted"))
    site.look(visitor, "claim-status")


@flow
def a_coordinator_creates_a_shift_and_a_volunteer_signs_up(site):
    coordinator = site.login("coordinator1")
    title = f"7.11 宣传 {random.randint(1, 10**9)}"
    day = "2027-07-11" if site.language == "zh" else "2027-07-12"
    site.fill(coordinator, "#create-shift #title", title)
    coordinator.fill("#create-shift #starts_at", f"{day}T09:00")
    coordinator.fill("#create-shift #ends_at", f"{day}T11:30")
    coordinator.fill("#create-shift #capacity", "3")
    coordinator.check("#create-shift input[value=general]")
    coordinator.click("#create-shift button[type=submit]")
    expect(coordinator.locator("#shifts tr", has_text=title)).to_contain_text(f"{day} 09:00")
    coordinator.wait_for_function("() => window.Chart && Chart.getChart('ranking') !== undefined")
    site.look(coordinator, "shift")

    volunteer = site.login("volunteer1")
    row = volunteer.locator("#open-shifts tr", has_text=title)
    row.locator("button.signup").click()
    expect(volunteer.locator("#open-shifts tr", has_text=title).locator(".mine")).to_have_text(
        site.text("已确认", "Confirmed"))
    site.look(volunteer, "signed-up")
    coordinator = site.login("coordinator1")  # the shift lists who comes by name
    expect(coordinator.locator("#shifts tr", has_text=title).locator(".confirmed")).to_have_text(
        "张丽")
    site.look(coordinator, "shift-staffed")


@flow
def a_person_applies_a_coordinator_approves_and_the_new_volunteer_signs_up(site):
    visitor = site.context.new_page()  # no login: from the login page's link
    visitor.goto("/login")
    site.look(visitor)
    visitor.click("#volunteer-link")
    expect(visitor).to_have_url(re.compile(r"/public/volunteer$"))
    site.look(visitor, "apply")
    name = site.text("周淑珍", "周淑兰")  # both languages' runs apply to the same system
    born = date(1965, 1, 1) + timedelta(days=random.randint(0, 12000))
    phone = f"13{random.randint(0, 10**9 - 1):09d}"
    site.fill(visitor, "#apply #name", name)
    site.fill(visitor, "#apply #id_number", make_resident_id("341181", born,
                                                              random.randint(0, 999)))
    site.fill(visitor, "#apply #phone", "12345")
    visitor.check("#apply input[name=skills][value=general]")
    visitor.click("#apply button[type=submit]")
    expect(visitor.locator("#apply .field-error[data-field=phone]")).to_be_visible()
    expect(visitor.locator("#apply input[name=skills][value=general]")).to_be_checked()
    site.look(visitor, "apply-error")
    site.fill(visitor, "#apply #phone", phone)
    visitor.click("#apply button[type=submit]")
    expect(visitor.locator("#applied")).to_contain_text(name)
    application = visitor.locator("#applied").get_attribute("data-application")
    site.look(visitor, "applied")

    coordinator = site.login("coordinator1")
    coordinator.click("#applications-link")
    card = coordinator.locator(f".application[data-application='{application}']")
    expect(card).to_contain_text(name)
    site.look(coordinator, "applications")
    card.locator("form.approve button[type=submit]").click()
    expect(coordinator.locator("#new-username")).to_have_text(phone)  # the default
    one_time = coordinator.locator("#one-time-password").inner_text()
    site.typed.append(one_time)
    expect(coordinator.locator(f".application[data-application='{application}']")
           ).to_have_count(0)
    site.look(coordinator, "approved")

    newcomer = site.context.new_page()
    newcomer.goto("/login")
    newcomer.fill("#username", phone)
    newcomer.fill("#password", one_time)
    with newcomer.expect_navigation():
        newcomer.click("form[action='/login'] button[type=submit]")
    expect(newcomer).to_have_url(re.compile(r"/password$"))  # before anything else
    site.look(newcomer, "password")
    newcomer.goto("/volunteer")
    expect(newcomer).to_have_url(re.compile(r"/password$"))
    newcomer.fill("#change-password #current_password", one_time)
    newcomer.fill("#change-password #new_password", "zhou-shuzhen-2027")
    newcomer.fill("#change-password #new_password_again", "zhou-shuzhen-2072")
    newcomer.click("#change-password button[type=submit]")
    expect(newcomer.locator(".field-error[data-field=new_password_again]")).to_be_visible()
    site.look(newcomer, "password-typo")
    newcomer.fill("#change-password #current_password", one_time)
    newcomer.fill("#change-password #new_password", "zhou-shuzhen-2027")
    newcomer.fill("#change-password #new_password_again", "zhou-shuzhen-2027")
    with newcomer.expect_navigation():
        newcomer.click("#change-password button[type=submit]")
    expect(newcomer).to_have_url(re.compile(r"/volunteer$"))
    expect(newcomer.locator("h1")).to_have_text(name)
    site.look(newcomer, "volunteer")

    title = a_coordinators_shift(site, newcomer)
    newcomer.reload()
    row = row_on_some_page(site, newcomer, "open-shifts", "shifts", title)
    with newcomer.expect_navigation():
        row.locator("button.signup").click()
    site.look(newcomer, "signed-up")
    row = row_on_some_page(site, newcomer, "open-shifts", "shifts", title)
    expect(row.locator(".mine")).to_have_text(site.text("已确认", "Confirmed"))


def a_coordinators_shift(site, page) -> str:
    """A shift coordinator1 opens through the API on a day nobody else books; its title."""
    title = f"义诊 {random.randint(1, 10**9)}"
    site.typed.append(title)
    token = page.request.post("/api/v1/auth/token", data={
        "username": "coordinator1", "password": "coordinator1-demo"}).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    activity = page.request.post("/api/v1/activities", data={"title": title},
                                 headers=bearer).json()
    day = (TODAY + timedelta(days=random.randint(60, 3000))).isoformat()  # clashes with none
    made = page.request.post("/api/v1/shifts", headers=bearer, data={
        "activity_id": activity["id"], "capacity": 2, "required_skills": ["general"],
        "starts_at": f"{day}T09:00:00+08:00", "ends_at": f"{day}T11:00:00+08:00"})
    assert made.status == 201, made.text()
    return title


def row_on_some_page(site, page, table: str, listed: str, text: str):
    """The row of the table showing `text`, paging on (and looking at each page) until one
    shows it: a system shared with other tests may list more than a page before it."""
    while True:
        row = page.locator(f"#{table} tr", has_text=text)
        if row.count():
            return row
        onward = page.locator(f"nav.pager[data-list={listed}] a.next")
        assert onward.count(), f"no row with {text} in #{table}"
        with page.expect_navigation():
            onward.click()
        site.look(page, f"{listed}-{urlparse(page.url).query}")


@flow
def staff_page_through_the_donations_and_the_families_and_back(site):
    staff1 = site.login("staff1")
    bearer = api_login(staff1, "staff1")
    more_than_a_page(staff1, bearer, "/api/v1/donations", lambda n: {
        "fund_code": "GENERAL", "amount_fen": 100 + n, "channel": "cash",
        "donor": {"kind": "person", "name": "孙桂兰"}})
    with staff1.expect_navigation():
        staff1.click("#donations-link")
    expect(staff1).to_have_url(re.compile(r"/staff/donations$"))
    expect(staff1.locator("#donations tr[data-donation]")).to_have_count(PAGE_SIZE)
    site.look(staff1, "donations")
    page_on_and_back(site, staff1, "donations")
    staff1.select_option("#find-fund_code", "SHANGEN")  # the demo gave to it once
    with staff1.expect_navigation():
        staff1.click("#find-donations button[type=submit]")
    rows = staff1.locator("#donations tr[data-donation]")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row.locator("td").nth(3)).to_have_text("善根基金")
    site.look(staff1, "donations-of-a-fund")
    amount = rows.first.locator(".money").inner_text()
    with staff1.expect_navigation():
        rows.first.locator("a[href^='/receipts/']").click()
    expect(staff1.locator("#receipt-amount")).to_have_text(amount)
    site.look(staff1, "receipt")

    more_than_a_page(staff1, bearer, "/api/v1/families", lambda n: {
        "category": "only_child", "address": "天长市汊涧镇某村 8 组", "village_code": VILLAGE,
        "members": [{"name": "钱小梅", "relation": "head", "id_number": make_resident_id(
            "341181", date(1960, 1, 1) + timedelta(days=random.randint(0, 9000)),
            random.randint(1, 999))}]})
    staff1.goto("/families")
    site.look(staff1, "families")
    page_on_and_back(site, staff1, "families")


@flow
def recording_a_contact(site):
    """A staff member opens a member's page, records a contact with the family the member
    keeps in touch with through its form (a blank note first, refused at its field), and
    sees the last contact's day change; then the association's overdue pairs."""
    staff1 = site.login("staff1")
    bearer = api_login(staff1, "staff1")
    born = date(1950, 1, 1) + timedelta(days=random.randint(0, 9000))
    family = staff1.request.post("/api/v1/families", headers=bearer, data={
        "category": "left_behind_elder", "low_income": True, "village_code": VILLAGE,
        "address": "天长市秦栏镇某村 5 组", "members": [{
            "name": "蒋老伯", "relation": "head",
            "id_number": make_resident_id("341181", born, random.randint(1, 999))}]})
    assert family.status == 201, family.text()
    member = staff1.request.post("/api/v1/members", headers=bearer, data={
        "name": "许会员", "grassroots_code": "341181",
        "phone": f"139{random.randint(0, 10**8 - 1):08d}",
        "id_number": make_resident_id("341181", born, random.randint(1, 999))})
    assert member.status == 201, member.text()
    member_id, family_id = member.json()["id"], family.json()["id"]
    paired = staff1.request.post(f"/api/v1/members/{member_id}/families", headers=bearer,
                                 data={"family_id": family_id})
    assert paired.status == 201, paired.text()

    staff1.goto(f"/members/{member_id}")
    last = staff1.locator(f"#kept-families tr[data-family='{family_id}'] .last-contact")
    expect(last).to_have_text(site.text("从未联系", "Never"))
    site.look(staff1, "member")
    day = (TODAY - timedelta(days=40)).isoformat()
    staff1.select_option("#record-contact #family_id", str(family_id))
    staff1.fill("#record-contact #on", day)
    staff1.select_option("#record-contact #way", "phone")
    with staff1.expect_navigation():
        staff1.click("#record-contact button[type=submit]")
    expect(staff1.locator("#record-contact .field-error[data-field=note]")).to_be_visible()
    site.look(staff1, "member-contact-refused")
    site.fill(staff1, "#record-contact #note", "电话问候，老人身体尚好")
    with staff1.expect_navigation():
        staff1.click("#record-contact button[type=submit]")
    expect(staff1.locator("#notice")).to_be_visible()
    expect(last).to_have_text(day)
    expect(staff1.locator(f"#kept-families tr[data-family='{family_id}'] .overdue-mark"))\
        .to_have_text(site.text("逾期", "Overdue"))
    expect(staff1.locator("#contacts tr[data-contact]").first).to_contain_text(day)
    site.look(staff1, "member-contact-recorded")

    staff1.goto("/associations/341181")
    site.look(staff1, "association")
    with staff1.expect_navigation():
        staff1.click("#overdue-link")
    expect(staff1.locator("#overdue-contacts")).to_be_visible()
    site.look(staff1, "overdue-contacts")


@flow
def recording_help_given_to_a_family(site):
    """A staff member records help given to a family through the form on its page (minutes
    past a day first, refused at their field), sees it listed and on the timeline; then the
    follow-ups of help overdue."""
    staff1 = site.login("staff1")
    bearer = api_login(staff1, "staff1")
    born = date(1950, 1, 1) + timedelta(days=random.randint(0, 9000))
    family = staff1.request.post("/api/v1/families", headers=bearer, data={
        "category": "special_bereaved", "village_code": VILLAGE,
        "address": "天长市铜城镇某村 2 组", "members": [{
            "name": "吴奶奶", "relation": "head",
            "id_number": make_resident_id("341181", born, random.randint(1, 999))}]})
    assert family.status == 201, family.text()
    family_id = family.json()["id"]
    overdue = staff1.request.post(f"/api/v1/families/{family_id}/help", headers=bearer, data={
        "kind": "health", "on": (TODAY - timedelta(days=9)).isoformat(), "minutes": 30,
        "note": "陪同体检", "follow_up_on": (TODAY - timedelta(days=2)).isoformat()})
    assert overdue.status == 201, overdue.text()

    staff1.goto(f"/families/{family_id}")
    site.look(staff1, "family-help")
    staff1.select_option("#help_kind", "psychological")
    staff1.fill("#help_on", (TODAY - timedelta(days=10)).isoformat())
    staff1.fill("#help_minutes", "1500")
    site.fill(staff1, "#help_note", "上门谈心，缓解失独之痛")
    with staff1.expect_navigation():
        staff1.click("#help-form button[type=submit]")
    expect(staff1.locator("#help-form .field-error[data-field=help_minutes]")).to_be_visible()
    site.look(staff1, "family-help-refused")
    staff1.fill("#help_minutes", "90")
    with staff1.expect_navigation():
        staff1.click("#help-form button[type=submit]")
    expect(staff1.locator("#help-records tr[data-kind=psychological]")).to_be_visible()
    expect(staff1.locator("#timeline tr[data-kind=help_recorded]")).to_have_count(2)
    site.look(staff1, "family-help-recorded")

    staff1.goto("/staff")
    with staff1.expect_navigation():
        staff1.click("#follow-ups-link")
    expect(staff1.locator(f"#overdue-follow-ups tr[data-help='{overdue.json()['id']}']"))\
        .to_be_visible()
    site.look(staff1, "follow-ups")


def api_login(page, username: str) -> dict:
    """The headers of an API call as `username`."""
    token = page.request.post("/api/v1/auth/token", data={
        "username": username, "password": f"{username}-demo"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def more_than_a_page(page, bearer: dict, path: str, body) -> None:
    """The list at `path` made longer than a page, with what `body(n)` posts to it."""
    total = page.request.get(path, headers=bearer).json()["total"]
    for n in range(max(PAGE_SIZE + 1 - total, 0)):
        made = page.request.post(path, data=body(n), headers={
            **bearer, "Idempotency-Key": f"{path}-{n}-{random.randint(1, 10**12)}"})
        assert made.status == 201, made.text()


def page_on_and_back(site, page, listed: str) -> None:
    """From the first page of the list `listed` to the next and back, the pager saying
    where the reader is each time."""
    pager = page.locator(f"nav.pager[data-list={listed}]")
    expect(pager.locator(".where")).to_contain_text(site.text("第 1 页", "Page 1 of"))
    expect(pager.locator("a.prev")).to_have_count(0)
    with page.expect_navigation():
        pager.locator("a.next").click()
    expect(page).to_have_url(re.compile(rf"[?&]{listed}_page=2$"))
    expect(pager.locator(".where")).to_contain_text(site.text("第 2 页", "Page 2 of"))
    site.look(page, f"{listed}-page-2")
    with page.expect_navigation():
        pager.locator("a.prev").click()
    expect(page).not_to_have_url(re.compile(rf"{listed}_page="))
    expect(pager.locator(".where")).to_contain_text(site.text("第 1 页", "Page 1 of"))
    site.look(page, f"{listed}-page-1-again")


@flow
def a_bad_form_shows_the_field_error_in_the_language_chosen(site):
    staff1 = site.login("staff1")
    form = "#record-donation"
    staff1.fill(f"{form} #amount_yuan", "12.345")
    site.fill(staff1, f"{form} #donor_name", "x")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=amount_yuan]")).to_have_text(
        site.text("最多两位小数（到分）。", "At most two decimals (fen)."))
    site.look(staff1, "field-error")
    # The other language, straight from the error: back on the form's page, as typed.
    other = site.text("en", "zh")
    staff1.click(f"#lang-{other}")
    expect(staff1).to_have_url(re.compile(r"/staff$"))
    expect(staff1.locator("html")).to_have_attribute("lang", "en" if other == "en" else "zh-CN")
    expect(staff1.locator(f"{form} #amount_yuan")).to_have_value("12.345")
    expect(staff1.locator(f"{form} #donor_name")).to_have_value("x")
    site.look(staff1, "other-language")
    staff1.click(f"#lang-{site.language}")
    expect(staff1.locator(f"{form} #amount_yuan")).to_have_value("12.345")
    site.look(staff1)
    for elsewhere in ("//evil.example/", "/\\evil.example", "https://evil.example/"):
        switched = staff1.request.get(f"/lang/en?back={quote(elsewhere)}", max_redirects=0)
        assert switched.headers["location"] == "/login", switched.headers

    site.fill_yuan(staff1, f"{form} #amount_yuan", "12.34")
    staff1.fill(f"{form} #donor_id_number", "110105194912310021")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=donor_id_number]")).to_be_visible()
    site.look(staff1, "id-number-error")
    staff1.fill(f"{form} #donor_id_number", "")
    site.fill(staff1, f"{form} #donor_phone", "12345")  # a message the server's schema writes
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=donor_phone]")).to_be_visible()
    site.look(staff1, "phone-error")


@flow
def a_donor_typing_another_donors_receipt_address_is_refused(site):
    staff1 = site.login("staff1")
    site.fill_yuan(staff1, "#record-donation #amount_yuan", "5")
    site.fill(staff1, "#record-donation #donor_name", "别人")
    staff1.click("#record-donation button[type=submit]")
    site.look(staff1, "receipt")
    someone_elses = staff1.url
    donor = site.login("donor1")
    response = donor.goto(someone_elses)
    assert response.status == 403
    expect(donor.locator("#error-message")).to_have_text(
        site.text("这不是您的捐赠。", "This donation is not yours."))
    site.look(donor, "refused")


@flow
def the_leadership_read_an_associations_dashboard_and_staff_add_a_member(site):
    staff1 = site.login("staff1")
    staff1.click("header nav a[href='/associations']")
    expect(staff1.locator("#associations li[data-association='341181101001']")).to_be_visible()
    site.look(staff1, "associations")
    staff1.click("#associations a[href='/associations/341181101']")
    expect(staff1.locator("#ranking-table tr[data-association]")).to_have_count(2)
    staff1.wait_for_function(
        "() => window.Chart && Chart.getChart('association-ranking') !== undefined")
    site.look(staff1, "dashboard")
    staff1.select_option("#rank-by #by", "donations_fen_year")
    staff1.click("#rank-by button[type=submit]")
    expect(staff1.locator("#ranking-table")).to_have_attribute("data-by", "donations_fen_year")
    staff1.wait_for_function(
        "() => window.Chart && Chart.getChart('association-ranking') !== undefined")
    site.look(staff1, "ranked-by-donations")

    form = "#add-member"
    born = TODAY.replace(year=TODAY.year - random.randint(25, 60), day=1)
    person = make_resident_id("341181", born, random.randint(1, 999))
    name = site.text("潘玉芬", "潘玉兰")  # both languages' runs add one to the same system
    site.fill(staff1, f"{form} #name", name)
    site.fill(staff1, f"{form} #id_number", person)
    site.fill(staff1, f"{form} #phone", "12345")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator(f"{form} .field-error[data-field=phone]")).to_be_visible()
    site.look(staff1, "member-error")
    staff1.fill(f"{form} #phone", f"139{random.randint(0, 10**8 - 1):08d}")
    staff1.select_option(f"{form} #grassroots_code", "341181101002")
    staff1.click(f"{form} button[type=submit]")
    expect(staff1.locator("#notice")).to_be_visible()
    expect(staff1.locator("#association-members tr", has_text=name)).to_have_count(1)
    site.look(staff1, "member-added")


@flow
def a_volunteer_moved_up_reads_it_and_staff_follow_the_sms(site):
    title, holder = a_place_freed_for_volunteer1(site)
    volunteer = site.login("volunteer1")
    expect(volunteer.locator("#unread-notice")).to_be_visible()  # on the home page
    expect(volunteer.locator("#menu-unread")).to_be_visible()  # and in the menu
    with volunteer.expect_navigation():
        volunteer.click("#inbox-link")
    row = volunteer.locator("#inbox tr[data-kind=shift_promoted]", has_text=title)
    expect(row).to_have_attribute("data-read", "no")
    site.look(volunteer, "inbox")
    with volunteer.expect_navigation():
        row.locator("button.mark-read").click()
    expect(row).to_have_attribute("data-read", "yes")
    site.look(volunteer, "inbox-read")

    staff1 = site.login("staff1")
    with staff1.expect_navigation():
        staff1.click("header nav a[href='/messages']")
    site.look(staff1, "messages")
    staff1.select_option("#find-channel", "sms")
    staff1.select_option("#find-kind", "shift_promoted")
    with staff1.expect_navigation():
        staff1.click("#find-messages button[type=submit]")
    sms = staff1.locator("#messages tr[data-status=sent]", has_text="138****1111").first
    expect(sms.locator(".to")).to_have_text("138****1111")
    site.look(staff1, "messages-sms")
    with staff1.expect_navigation():
        sms.locator("button.resend").click()
    expect(staff1.locator("#notice")).to_be_visible()
    site.look(staff1, "resent")

    a_person_unsubscribes_and_changes_their_mind(site, staff1, holder)


def a_place_freed_for_volunteer1(site) -> tuple[str, str]:
    """volunteer1 waitlisted on a shift of one place, moved up when its holder (a volunteer
    registered for it) cancels; the shift's title once volunteer1's inbox has the news, and
    the holder's phone."""
    page = site.context.request
    coordinator = api_login(site.context, "coordinator1")
    title = f"义诊 {random.randint(1, 10**9)}"
    site.typed.append(title)
    activity = page.post("/api/v1/activities", data={"title": title}, headers=coordinator)
    day = (TODAY + timedelta(days=random.randint(60, 3000))).isoformat()
    shift = page.post("/api/v1/shifts", headers=coordinator, data={
        "activity_id": activity.json()["id"], "capacity": 1, "required_skills": ["general"],
        "place": "汊涧镇卫生院", "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T11:00:00+08:00"}).json()
    phone = f"139{random.randint(0, 10**8 - 1):08d}"
    holder = page.post("/api/v1/volunteers", headers=coordinator, data={
        "name": "王建国", "phone": phone, "skills": ["general"], "id_number": make_resident_id(
            "341181", date(1960, 1, 1) + timedelta(days=random.randint(0, 9000)),
            random.randint(1, 999))}).json()
    signups = f"/api/v1/shifts/{shift['id']}/signups"
    mine = api_login(site.context, "volunteer1")
    me = page.get("/api/v1/me", headers=mine).json()["volunteer_id"]
    for who, headers in ((holder["id"], coordinator), (me, mine)):
        assert page.post(signups, data={"volunteer_id": who}, headers=headers).status == 201
    assert page.delete(f"{signups}/{holder['id']}", headers=coordinator).ok
    wait_for(lambda: any(title in m["text"] for m in page.get(
        "/api/v1/me/messages", headers=mine).json()["items"]))
    return title, phone


def a_person_unsubscribes_and_changes_their_mind(site, staff1, phone: str):
    """The link at the foot of an SMS to `phone` followed without a login (the page in the
    person's language), a tampered one refused; then staff record, on the person's word, that
    the SMS may come again."""
    masked = f"{phone[:3]}****{phone[-4:]}"
    token = wait_for(lambda: next(iter(re.findall(
        rf"SMS to {re.escape(masked)} .*?/u/([0-9]+\.[A-Za-z0-9_-]+)",
        (Path(environ["PHF_SYSTEM_LOGS"]) / "notifications-1.log").read_text())), None))
    reader = site.context.new_page()
    reader.goto(f"/u/{token}")
    expect(reader.locator("#unsubscribed")).to_contain_text(masked)
    expect(reader.locator("html")).to_have_attribute("lang", "zh-CN")  # the person's
    site.look(reader, "unsubscribed")
    assert reader.goto(f"/u/{token}0").status == 404
    expect(reader.locator("#error-message")).to_be_visible()
    site.look(reader, "unsubscribe-refused")

    with staff1.expect_navigation():
        staff1.click("#preferences-link")
    site.look(staff1, "preferences")
    staff1.fill("#set-preference #phone", "12345")
    staff1.check("#set-preference input[name=opted_out][value=false]")
    staff1.click("#set-preference button[type=submit]")
    expect(staff1.locator("#set-preference .field-error[data-field=phone]")).to_be_visible()
    site.look(staff1, "preferences-error")
    staff1.fill("#set-preference #phone", phone)
    staff1.click("#set-preference button[type=submit]")
    expect(staff1.locator("#notice")).to_have_attribute("data-opted-out", "no")
    expect(staff1.locator("#notice")).to_contain_text(masked)
    site.look(staff1, "preferences-recorded")


@flow
def reading_the_assessment(site):
    """An admin sets the year's criteria on the county's assessment page (a refusal first,
    shown at the rows), scores an item by hand, and an auditor reads the townships' table,
    grades, shares and chart, and downloads it."""
    admin = site.login("admin")
    admin.goto("/associations/341181")
    site.look(admin, "association")
    with admin.expect_navigation():
        admin.click("#assessment-link a")
    site.look(admin, "assessment")
    form = "#set-criteria"
    rows = [("members", "会员发展", "30", "members_per_100_households"),
            ("days", "会员日", "20", "member_days_held"), ("money", "筹资", "20",
                                                            "money_raised_fen"),
            ("work", "工作实绩", "20", "manual")]  # 90 in all: refused
    for n, (key, name, weight, source) in enumerate(rows):
        site.fill(admin, f"{form} #key_{n}", key)
        site.fill(admin, f"{form} #name_{n}", name)
        admin.fill(f"{form} #weight_{n}", weight)
        admin.select_option(f"{form} #source_{n}", source)
    for n in range(len(rows), admin.locator(f"{form} input[id^=key_]").count()):
        for field in ("key", "name", "weight"):  # a blank row is left out (the demo's)
            admin.fill(f"{form} #{field}_{n}", "")
    admin.click(f"{form} button[type=submit]")
    expect(admin.locator(f"{form} .field-error[data-field=items]")).to_contain_text(
        site.text("合计为 90", "add up to 90"))
    expect(admin.locator(f"{form} #key_3")).to_have_value("work")  # as typed
    site.look(admin, "criteria-refused")
    admin.fill(f"{form} #weight_3", "30")
    admin.click(f"{form} button[type=submit]")
    expect(admin.locator("#notice")).to_be_visible()
    expect(admin.locator("#assessment-table tr[data-association='341181101']")).to_be_visible()
    site.look(admin, "criteria-set")

    scores = "#set-score"
    admin.select_option(f"{scores} #score-code", "341181101")
    admin.select_option(f"{scores} #score-key", "work")
    admin.fill(f"{scores} #score-score", "101")
    admin.click(f"{scores} button[type=submit]")
    expect(admin.locator(f"{scores} .field-error[data-field=score]")).to_have_text(
        site.text("须在 0 至 100 之间。", "Must be between 0 and 100."))
    site.look(admin, "score-refused")
    admin.fill(f"{scores} #score-score", "95.5")
    admin.click(f"{scores} button[type=submit]")
    expect(admin.locator("#notice")).to_be_visible()
    site.look(admin, "score-set")

    auditor = site.login("auditor1")
    auditor.goto("/associations/341181/assessment")
    table = auditor.locator("#assessment-table")
    townships = table.locator("tr[data-association]")
    expect(auditor.locator("#assessment-table tr[data-association='341181101'] td.score")
           .last).to_have_text("95.50")
    grades = [site.text(*words) for words in (("先进", "Advanced"), ("合格", "Standard"),
                                                ("后进", "Lagging"))]
    for grade in table.locator("td.grade").all_inner_texts():
        assert grade in grades, grade
    expect(auditor.locator("#assessment-shares tr[data-grade]")).to_have_count(3)
    chart = auditor.locator("#assessment-chart svg[role=img]")
    expect(chart.locator("title")).to_contain_text(site.text("总分", "Totals"))
    expect(chart.locator("rect")).to_have_count(townships.count())
    expect(auditor.locator("#set-criteria")).to_have_count(0)  # an auditor only reads
    site.look(auditor, "assessment-read")
    download = auditor.locator("p.export[data-export=assessment] a").first.get_attribute("href")
    got = auditor.request.get(download)
    assert got.status == 200 and got.headers["content-type"].startswith(
        "application/vnd.openxmlformats"), got.headers


@flow
def the_province_ranks_its_counties_and_reads_one(site):
    """The province's login lands on its associations, opens the province's dashboard (the
    counties ranked, a chart), opens a county and reads its families with the notice saying
    whose records they are, and goes back to the province."""
    province = site.login("province1")
    expect(province.locator("#associations li[data-association='340000']")).to_be_visible()
    site.look(province, "province-associations")
    province.click("#associations a[href='/associations/340000']")
    expect(province.locator("#ranking-table tr[data-association='341181']")).to_be_visible()
    province.wait_for_function(
        "() => window.Chart && Chart.getChart('association-ranking') !== undefined")
    site.look(province, "province-dashboard")
    province.click("#ranking-table a[href='/associations/341181']")
    expect(province.locator("#reading")).to_contain_text("341181")
    site.look(province, "county-read")
    province.click("header nav a[href='/families']")
    expect(province.locator("#reading")).to_be_visible()
    expect(province.locator("#register-family")).to_have_count(0)  # to read only
    site.look(province, "county-families-read")
    province.click("#reading a")
    expect(province.locator("#reading")).to_have_count(0)
    expect(province.locator("h1")).to_contain_text("安徽省计划生育协会")


def wait_for(found, timeout: float = 30):
    """`found()`'s first true value within `timeout` seconds (an event on its way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"nothing within {timeout}s")

if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        url, language, name = sys.argv[1:4]
        with chromium() as browser:
            run_flow(browser, url, language, name)
