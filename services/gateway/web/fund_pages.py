"""Donor and fund-staff pages. They call the same services with the same actor as the API,
and load every form through the API's own schema first, so a page can do nothing the API
would refuse and says why in the same words."""
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from marshmallow import Schema
from werkzeug.wrappers import Response

from services.gateway import public_cache
from services.gateway.web.forms import (
    Again,
    Form,
    blank_to_none,
    checked,
    merged,
    names_of,
    upto,
    whole,
    yuan_field,
)
from services.gateway.web.ui import Ui, page
from shared import statement_formats
from shared.actors import (
    DONOR_READERS,
    DONOR_SELF,
    DONORS,
    STAFF,
    STAFF_READERS,
    load,
    public_actor,
)
from shared.clock import local_date, now_utc
from shared.contracts.fund import (
    CATEGORIES,
    DONATION_STATUSES,
    AnnualReceiptIn,
    ConfirmIn,
    DisbursementIn,
    DonationListIn,
    DonorDonationIn,
    PledgeIn,
    StatementIn,
)
from shared.schemas import ReasonIn

DONATION_FIELDS = {"amount_fen": "amount_yuan", "donor.name": "donor_name",
                   "donor.id_number": "donor_id_number", "donor.credit_code": "donor_credit_code",
                   "donor.phone": "donor_phone", "donor.kind": "donor_kind",
                   "recurring.months": "months", "Idempotency-Key": "_form"}
DISBURSEMENT_FIELDS = {"amount_fen": "amount_yuan", "payee.name": "payee_name",
                       "payee.id_number": "payee_id_number"}
PUBLIC_CODE = 6  # an association's GB/T 2260 code
DONATION_FILTERS = ("fund_code", "status", "from", "to", "donor_id")  # the API list's
_FORM_KEY = re.compile(r"[0-9a-f]{32}")  # what the pages put in a form's idempotency_key


def _form_key(ui: Ui, errors: dict) -> str | None:
    # The key the page itself put in the form; anything else did not come from it.
    key = ui.form.get("idempotency_key") or None
    if key is not None and not _FORM_KEY.fullmatch(key):
        errors["_form"] = [ui.gettext("The form expired; go back, reload and try again.")]
    return key


@dataclass(frozen=True)
class Typed:
    """A form as typed: the API's schema for it, the body made of it, and what the page
    found wrong already (an amount that is not one)."""
    schema: Schema
    body: dict
    found: dict


def _gift(ui: Ui, again: Again, gift: Typed, send,
          done: Callable[[dict], Response]) -> Response:
    """A gift's form (a donor's pledge, money staff received): `send(body, key, actor)`
    with the form's own idempotency key, so that sending it twice gives once."""
    key = _form_key(ui, gift.found)
    posted = Form(ui, again, names=DONATION_FIELDS)
    return posted.submit(lambda: send(gift.body, key, ui.actor), done,
                         checked(ui, gift.schema, gift.body, DONATION_FIELDS, gift.found))


def _one_field(posted: Form, schema: Schema, name: str, send, done: str) -> Response:
    """A staff page's form of one field (a pledge's transfer number, a refusal's reason):
    `send(body)`; what is wrong and a refusal are shown at the form's place."""
    body = {name: posted.ui.form.get(name, "")}
    return posted.submit(lambda: send(body), done,
                         checked(posted.ui, schema, body, {name: posted.at}))


class FundPages:
    # --- donor -------------------------------------------------------------------------
    @page("GET", "/donor", DONOR_SELF)
    def donor_home(self, ui: Ui):
        return self._donor_page(ui)

    def _donor_page(self, ui: Ui, status=200, errors=None):
        donor_id = ui.actor["donor_id"]
        mine = ui.listed("donations", lambda page: self.fund.list_donations(
            {"donor_id": donor_id, **page}, ui.actor) if donor_id else NO_ROWS)
        pledged = ui.listed("pledges", lambda page: self.fund.list_pledges(page, ui.actor))
        plans = ui.listed("plans", lambda page: self.fund.list_recurring(page, ui.actor))
        funds = self.fund.list_funds(ui.actor)["items"]
        return ui.render("donor.html", status, funds=funds, names=names_of(funds),
                         donations=mine, pledges=pledged, plans=plans,
                         errors=errors or {}, form=ui.form, idempotency_key=uuid.uuid4().hex)

    @page("POST", "/donor/give", DONOR_SELF)
    def donor_give(self, ui: Ui):
        """A gift online is a pledge: the donor is shown how to pay, and the receipt comes
        once the money has arrived."""
        found: dict = {}
        body = {"fund_code": ui.form.get("fund_code", ""), "amount_fen": yuan_field(ui, found),
                "channel": ui.form.get("channel") or "wechat"}
        months = blank_to_none(ui.form.get("months"))
        if months is not None:  # every month, for that many months
            body["recurring"] = {"months": whole(months)}
        return _gift(ui, partial(self._donor_page, ui), Typed(PledgeIn(), body, found),
                     self.fund.create_pledge, lambda pledged: ui.redirect(
                         f"/donor/recurring/{pledged['recurring_plan_id']}"
                         if pledged["recurring_plan_id"] else f"/donor/pledges/{pledged['id']}"))

    @page("GET", "/donor/recurring/<int:plan_id>", DONOR_READERS)
    def recurring_page(self, ui: Ui, plan_id):
        return self._recurring_page(ui, plan_id)

    def _recurring_page(self, ui: Ui, plan_id: int, status=200, errors=None):
        return ui.render("recurring.html", status, plan=self.fund.get_recurring(plan_id, ui.actor),
                         names=names_of(self.fund.list_funds(ui.actor)["items"]),
                         errors=errors or {})

    @page("POST", "/donor/recurring/<int:plan_id>/cancel", DONORS)
    def cancel_recurring_page(self, ui: Ui, plan_id):
        """The months not yet made are never made; those made stay pledges to pay."""
        posted = Form(ui, partial(self._recurring_page, ui, plan_id), at="_form")
        return posted.submit(lambda: self.fund.cancel_recurring(plan_id, ui.actor),
                             f"/donor/recurring/{plan_id}")

    @page("GET", "/donor/annual-receipt", DONOR_SELF)
    def annual_receipt_page(self, ui: Ui):
        query = {"year": ui.request.args.get("year") or str(local_date(now_utc()).year)}
        load(AnnualReceiptIn(), query)
        annual = self.fund.annual_receipt(ui.actor["donor_id"] or 0, query, ui.actor)
        return ui.render("annual_receipt.html", annual=annual)

    @page("GET", "/donor/pledges/<int:pledge_id>", DONOR_READERS)
    def pledge_page(self, ui: Ui, pledge_id):
        return ui.render("pledge.html", pledge=self.fund.get_pledge(pledge_id, ui.actor),
                         names=names_of(self.fund.list_funds(ui.actor)["items"]))

    @page("GET", "/receipts/<int:donation_id>", DONOR_READERS)
    def receipt(self, ui: Ui, donation_id):
        official = self.fund.get_receipt(donation_id, ui.actor)  # a donor's own only
        donation = self.fund.get_donation(donation_id, ui.actor)
        donor = self.fund.get_donor(donation["donor_id"], ui.actor)
        return ui.render("receipt.html", donation=donation, donor=donor, official=official)

    # --- staff -------------------------------------------------------------------------
    @page("GET", "/staff", STAFF_READERS)
    def staff_home(self, ui: Ui):
        return self._staff_page(ui)

    def _staff_page(self, ui: Ui, status=200, errors=None, which=None):
        waiting = ui.listed("waiting", lambda page: self.fund.list_disbursements(
            {"status": "requested", **page}, ui.actor))
        decided = ui.listed("recent", lambda page: self.fund.list_disbursements(
            page, ui.actor))
        funds = self.fund.list_funds(ui.actor)["items"]
        owned = owned_projects(self.fund, funds, ui)
        # Flagged pledges (paid a different amount) first, then those waiting for money.
        pledges = ui.listed("pledges", lambda page: merged(page, [
            self.fund.list_pledges({"status": status_, **upto(page)}, ui.actor)
            for status_ in ("flagged", "pending")]))
        return ui.render("staff.html", status, funds=funds, projects=owned,
                         names=names_of(funds, owned), categories=CATEGORIES, pledges=pledges,
                         waiting=waiting, recent=decided,
                         errors=errors or {}, which=which, form=ui.form,
                         idempotency_key=uuid.uuid4().hex, done=ui.request.args.get("done"))

    @page("GET", "/staff/donations", STAFF_READERS)
    def staff_donations(self, ui: Ui):
        """Every donation recorded, newest first, narrowed as the API's list is."""
        wanted = {name: value for name in DONATION_FILTERS
                  if (value := (ui.request.args.get(name) or "").strip())}
        errors = checked(ui, DonationListIn(), wanted)
        listed = ui.listed("donations", lambda page: NO_ROWS if errors else
                           self.fund.list_donations({**wanted, **page}, ui.actor))
        shown = sorted({row["donor_id"] for row in listed["rows"]})
        donors = {donor["id"]: donor for donor in self.fund.list_donors(
            {"ids": shown, "limit": max(len(shown), 1)}, ui.actor)["items"]} if shown else {}
        funds = self.fund.list_funds(ui.actor)["items"]
        return ui.render("donations.html", 422 if errors else 200, donations=listed,
                         donors=donors, funds=funds, names=names_of(funds),
                         statuses=DONATION_STATUSES, wanted=wanted, errors=errors)

    @page("POST", "/staff/donations", STAFF)
    def staff_record_donation(self, ui: Ui):
        f = ui.form
        found = {}
        donor = {"kind": f.get("donor_kind", "person"), "name": f.get("donor_name", ""),
                 "id_number": blank_to_none(f.get("donor_id_number")),
                 "credit_code": blank_to_none(f.get("donor_credit_code")),
                 "phone": blank_to_none(f.get("donor_phone"))}
        body = {"fund_code": f.get("fund_code", ""), "amount_fen": yuan_field(ui, found),
                "channel": f.get("channel", "cash"), "donor": donor}
        return _gift(ui, partial(self._staff_page, ui, which="donation"),
                     Typed(DonorDonationIn(), body, found), self.fund.record_donation,
                     lambda given: ui.redirect(f"/receipts/{given['id']}"))

    @page("POST", "/staff/disbursements", STAFF)
    def staff_request_disbursement(self, ui: Ui):
        f = ui.form
        found = {}
        body = {"fund_code": f.get("fund_code", ""), "amount_fen": yuan_field(ui, found),
                "category": f.get("category", ""),
                "project_code": blank_to_none(f.get("project_code")),
                "purpose": f.get("purpose", ""),
                "payee": {"name": f.get("payee_name", ""),
                          "id_number": blank_to_none(f.get("payee_id_number"))}}
        posted = Form(ui, partial(self._staff_page, ui, which="disbursement"),
                      names=DISBURSEMENT_FIELDS)
        return posted.submit(lambda: self.fund.request_disbursement(body, ui.actor),
                             "/staff?done=requested",
                             checked(ui, DisbursementIn(), body, DISBURSEMENT_FIELDS, found))

    @page("POST", "/staff/pledges/<int:pledge_id>/confirm", STAFF)
    def staff_confirm_pledge(self, ui: Ui, pledge_id):
        posted = Form(ui, partial(self._staff_page, ui), at="_pledges")
        return _one_field(posted, ConfirmIn(), "channel_txn_id", lambda body:
                          self.fund.confirm_pledge(pledge_id, body, ui.actor),
                          "/staff?done=confirmed")

    @page("POST", "/staff/disbursements/<int:disbursement_id>/approve", STAFF)
    def staff_approve(self, ui: Ui, disbursement_id):
        posted = Form(ui, partial(self._staff_page, ui), at="_decision")
        return posted.submit(lambda: self.fund.approve_disbursement(disbursement_id, ui.actor),
                             lambda decided: ui.redirect(f"/staff?done={decided['status']}"))

    @page("POST", "/staff/disbursements/<int:disbursement_id>/reject", STAFF)
    def staff_reject(self, ui: Ui, disbursement_id):
        posted = Form(ui, partial(self._staff_page, ui), at="_decision")
        return _one_field(posted, ReasonIn(), "reason", lambda body:
                          self.fund.reject_disbursement(disbursement_id, body, ui.actor),
                          "/staff?done=rejected")

    @page("GET", "/staff/funds/<code>/statement", STAFF_READERS)
    def statement_page(self, ui: Ui, code):
        period = _period(ui)
        # The period's totals and chart come from every line, added up by the fund; the
        # table shows a page of them, the only lines asked for.
        statement = self.fund.statement(code, {**period, **ui.paged("lines")}, ui.actor)
        lines = ui.listed("lines", lambda _: {"items": statement["lines"],
                                               "total": statement["line_count"]})
        funds = self.fund.list_funds(ui.actor)["items"]
        # Memos name funds, projects and, for claims paid out, insurance products.
        coded = funds + self.insurance.list_products(ui.actor)["items"]
        return ui.render("statement.html", statement=statement, lines=lines,
                         names=names_of(coded, owned_projects(self.fund, funds, ui)),
                         months=statement_formats.of_months(statement["months"]))

    @page("GET", "/staff/funds/<code>/statement.csv", STAFF_READERS)
    def statement_csv(self, ui: Ui, code):
        statement = self.fund.statement(code, _period(ui), ui.actor)
        name = statement_formats.filename(statement, "csv")
        return Response(statement_formats.as_csv(statement), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


NO_ROWS = {"items": [], "total": 0}


def projects_with_money(fund_service, funds: list[dict], ui: Ui) -> list[tuple[dict, dict]]:
    """(fund, project) for every project of `funds`, with the money each received, spent
    and holds (added up from the ledger: a call per fund, for the pages that show it)."""
    return [(fund, project) for fund in funds
            for project in fund_service.list_projects(fund["code"], ui.actor)["items"]]


def owned_projects(fund_service, funds: list[dict], ui: Ui) -> list[tuple[dict, dict]]:
    """(fund, project) for every project of `funds`, named only, asked for in one call."""
    by_code = {fund["code"]: fund for fund in funds}
    return [(by_code[project["fund_code"]], project)
            for project in fund_service.list_fund_projects(ui.actor)["items"]
            if project["fund_code"] in by_code]


def _period(ui: Ui) -> dict:
    """The period asked for, checked as the API checks it (the schema's defaults fill in
    what is not given)."""
    query = {name: ui.request.args[name] for name in ("from", "to") if ui.request.args.get(name)}
    load(StatementIn(), query)
    return query


class PublicPages:
    """What anyone may read without logging in: the association's funds and spending."""

    @page("GET", "/public/<association>", None)
    def public_home(self, ui: Ui, association):
        if not (len(association) == PUBLIC_CODE and association.isascii()
                and association.isdigit()):
            return ui.render("error.html", 404, message=ui.gettext("No such association."))
        # What the page shows depends on its address (the list's page, the language
        # switch's way back) and language alone: nobody is logged in on it.
        return public_cache.serve(ui.request, association, ("page", ui.language, ui.back),
                                  lambda: self._public_page(ui, association),
                                  vary="Accept-Language, Cookie")

    def _public_page(self, ui: Ui, association: str) -> Response:
        visitor = public_actor(association)
        funds = self.fund.public_funds(visitor)["items"]
        projects = [(fund, project) for fund in funds for project in fund.get("projects", [])]
        return ui.render("public.html", association=association, funds=funds,
                         names=names_of(funds, projects),
                         spending=self.fund.public_spending({}, visitor),
                         paid=ui.listed("payments", lambda page: self.fund.public_disbursements(
                             page, visitor)))

    @page("GET", "/public/trace/<receipt_no>", None)
    def public_trace(self, ui: Ui, receipt_no):
        return ui.render("trace.html", trace=self.fund.trace(receipt_no, public_actor()))
