"""Donor and fund-staff pages. They call the same services with the same actor as the API,
so a page can do nothing the API would refuse."""
import uuid

from werkzeug.wrappers import Response

from services.gateway.web.ui import Ui, field_errors, page
from shared import statement_formats
from shared.actors import public_actor
from shared.clock import local_date, now_utc
from shared.contracts.fund import CATEGORIES
from shared.errors import DomainError, Forbidden
from shared.money import BadAmount, yuan_to_fen

STAFF = ("staff", "admin")
READERS = STAFF + ("auditor",)  # an auditor reads the staff pages; every form refuses them
DONATION_FIELDS = {"amount_fen": "amount_yuan", "donor.name": "donor_name",
                   "donor.id_number": "donor_id_number", "donor.credit_code": "donor_credit_code",
                   "donor.phone": "donor_phone", "donor.kind": "donor_kind",
                   "Idempotency-Key": "_form"}
DISBURSEMENT_FIELDS = {"amount_fen": "amount_yuan", "payee.name": "payee_name",
                       "payee.id_number": "payee_id_number"}
PUBLIC_CODE = 6  # an association's GB/T 2260 code


def _amount(ui: Ui, errors: dict) -> int | None:
    try:
        return yuan_to_fen(ui.form.get("amount_yuan", ""))
    except BadAmount as bad:
        errors["amount_yuan"] = [ui.gettext(str(bad))]
        return None


def _blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


class FundPages:
    # --- donor -------------------------------------------------------------------------
    @page("GET", "/donor", ("donor",))
    def donor_home(self, ui: Ui):
        return self._donor_page(ui)

    def _donor_page(self, ui: Ui, status=200, errors=None):
        mine = {"items": [], "total": 0}
        if ui.actor["donor_id"]:
            mine = self.fund.list_donations({"donor_id": ui.actor["donor_id"], "limit": 100},
                                            ui.actor)
        pledged = self.fund.list_pledges({"limit": 20}, ui.actor)
        return ui.render("donor.html", status, funds=self.fund.list_funds(ui.actor)["items"],
                         donations=mine["items"], pledges=pledged["items"],
                         errors=errors or {}, form=ui.form, idempotency_key=uuid.uuid4().hex)

    @page("POST", "/donor/give", ("donor",))
    def donor_give(self, ui: Ui):
        """A gift online is a pledge: the donor is shown how to pay, and the receipt comes
        once the money has arrived."""
        errors: dict = {}
        amount = _amount(ui, errors)
        if errors:
            return self._donor_page(ui, 422, errors)
        body = {"fund_code": ui.form.get("fund_code", ""), "amount_fen": amount,
                "channel": ui.form.get("channel") or "wechat"}
        try:
            pledged = self.fund.create_pledge(body, ui.form.get("idempotency_key"), ui.actor)
        except DomainError as error:
            return self._donor_page(ui, 422, field_errors(ui, error, DONATION_FIELDS))
        return ui.redirect(f"/donor/pledges/{pledged['id']}")

    @page("GET", "/donor/annual-receipt", ("donor",))
    def annual_receipt_page(self, ui: Ui):
        year = ui.request.args.get("year") or str(local_date(now_utc()).year)
        try:
            annual = self.fund.annual_receipt(ui.actor["donor_id"] or 0,
                                              {"year": year[:4]}, ui.actor)
        except DomainError as error:
            return ui.render("error.html", 422, message=ui.gettext(error.message))
        return ui.render("annual_receipt.html", annual=annual)

    @page("GET", "/donor/pledges/<int:pledge_id>", ("donor",) + READERS)
    def pledge_page(self, ui: Ui, pledge_id):
        try:
            pledged = self.fund.get_pledge(pledge_id, ui.actor)
        except DomainError as error:
            return ui.render("error.html", 403 if isinstance(error, Forbidden) else 404,
                             message=ui.gettext(error.message))
        return ui.render("pledge.html", pledge=pledged)

    @page("GET", "/receipts/<int:donation_id>", ("donor",) + READERS)
    def receipt(self, ui: Ui, donation_id):
        try:
            official = self.fund.get_receipt(donation_id, ui.actor)  # a donor's own only
            donation = self.fund.get_donation(donation_id, ui.actor)
            donor = self.fund.get_donor(donation["donor_id"], ui.actor)
        except DomainError as error:
            return ui.render("error.html", 403 if isinstance(error, Forbidden) else 404,
                             message=ui.gettext(error.message))
        return ui.render("receipt.html", donation=donation, donor=donor, official=official)

    # --- staff -------------------------------------------------------------------------
    @page("GET", "/staff", READERS)
    def staff_home(self, ui: Ui):
        return self._staff_page(ui)

    def _staff_page(self, ui: Ui, status=200, errors=None, which=None):
        waiting = self.fund.list_disbursements({"status": "requested", "limit": 100}, ui.actor)
        decided = self.fund.list_disbursements({"limit": 20}, ui.actor)
        funds = self.fund.list_funds(ui.actor)["items"]
        owned = [(fund, project) for fund in funds
                 for project in self.fund.list_projects(fund["code"], ui.actor)["items"]]
        pending = self.fund.list_pledges({"status": "pending", "limit": 50}, ui.actor)
        flagged = self.fund.list_pledges({"status": "flagged", "limit": 50}, ui.actor)
        return ui.render("staff.html", status, funds=funds, projects=owned,
                         categories=CATEGORIES, pledges=flagged["items"] + pending["items"],
                         waiting=waiting["items"], recent=decided["items"],
                         errors=errors or {}, which=which, form=ui.form,
                         idempotency_key=uuid.uuid4().hex, done=ui.request.args.get("done"))

    @page("POST", "/staff/donations", STAFF)
    def staff_record_donation(self, ui: Ui):
        errors: dict = {}
        amount = _amount(ui, errors)
        if errors:
            return self._staff_page(ui, 422, errors, "donation")
        f = ui.form
        donor = {"kind": f.get("donor_kind", "person"), "name": f.get("donor_name", ""),
                 "id_number": _blank_to_none(f.get("donor_id_number")),
                 "credit_code": _blank_to_none(f.get("donor_credit_code")),
                 "phone": _blank_to_none(f.get("donor_phone"))}
        body = {"fund_code": f.get("fund_code", ""), "amount_fen": amount,
                "channel": f.get("channel", "cash"), "donor": donor}
        try:
            given = self.fund.record_donation(body, f.get("idempotency_key"), ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 422, field_errors(ui, error, DONATION_FIELDS),
                                    "donation")
        return ui.redirect(f"/receipts/{given['id']}")

    @page("POST", "/staff/disbursements", STAFF)
    def staff_request_disbursement(self, ui: Ui):
        errors: dict = {}
        amount = _amount(ui, errors)
        if errors:
            return self._staff_page(ui, 422, errors, "disbursement")
        f = ui.form
        body = {"fund_code": f.get("fund_code", ""), "amount_fen": amount,
                "category": f.get("category", ""),
                "project_code": _blank_to_none(f.get("project_code")),
                "purpose": f.get("purpose", ""),
                "payee": {"name": f.get("payee_name", ""),
                          "id_number": _blank_to_none(f.get("payee_id_number"))}}
        try:
            self.fund.request_disbursement(body, ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 422, field_errors(ui, error, DISBURSEMENT_FIELDS),
                                    "disbursement")
        return ui.redirect("/staff?done=requested")

    @page("POST", "/staff/pledges/<int:pledge_id>/confirm", STAFF)
    def staff_confirm_pledge(self, ui: Ui, pledge_id):
        try:
            self.fund.confirm_pledge(pledge_id, {"channel_txn_id": ui.form.get(
                "channel_txn_id", "")}, ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 422, {"_pledges": [ui.gettext(error.message)]})
        return ui.redirect("/staff?done=confirmed")

    @page("POST", "/staff/disbursements/<int:disbursement_id>/approve", STAFF)
    def staff_approve(self, ui: Ui, disbursement_id):
        try:
            decided = self.fund.approve_disbursement(disbursement_id, ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 409, {"_decision": [ui.gettext(error.message)]})
        return ui.redirect(f"/staff?done={decided['status']}")

    @page("POST", "/staff/disbursements/<int:disbursement_id>/reject", STAFF)
    def staff_reject(self, ui: Ui, disbursement_id):
        try:
            self.fund.reject_disbursement(disbursement_id, {"reason": ui.form.get("reason", "")},
                                          ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 422, {"_decision": [ui.gettext(error.message)]})
        return ui.redirect("/staff?done=rejected")

    @page("GET", "/staff/funds/<code>/statement", READERS)
    def statement_page(self, ui: Ui, code):
        period = _period(ui)
        try:
            statement = self.fund.statement(code, period, ui.actor)
        except DomainError as error:
            return ui.render("error.html", 404, message=ui.gettext(error.message))
        return ui.render("statement.html", statement=statement, period=period,
                         months=statement_formats.by_month(statement["lines"]))

    @page("GET", "/staff/funds/<code>/statement.csv", READERS)
    def statement_csv(self, ui: Ui, code):
        statement = self.fund.statement(code, _period(ui), ui.actor)
        name = statement_formats.filename(statement, "csv")
        return Response(statement_formats.as_csv(statement), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

def _period(ui: Ui) -> dict:
    today = local_date(now_utc())
    return {"from": ui.request.args.get("from") or f"{today.year}-01-01",
            "to": ui.request.args.get("to") or today.isoformat()}


class PublicPages:
    """What anyone may read without logging in: the association's funds and spending."""

    @page("GET", "/public/<association>", None)
    def public_home(self, ui: Ui, association):
        if not (len(association) == PUBLIC_CODE and association.isascii()
                and association.isdigit()):
            return ui.render("error.html", 404, message=ui.gettext("No such association."))
        visitor = public_actor(association)
        return ui.render("public.html", association=association,
                         funds=self.fund.public_funds(visitor)["items"],
                         spending=self.fund.public_spending({}, visitor),
                         paid=self.fund.public_disbursements({"limit": 20}, visitor)["items"])

    @page("GET", "/public/trace/<receipt_no>", None)
    def public_trace(self, ui: Ui, receipt_no):
        try:
            traced = self.fund.trace(receipt_no[:40], public_actor())
        except DomainError as error:
            return ui.render("error.html", 404, message=ui.gettext(error.message))
        return ui.render("trace.html", trace=traced)
