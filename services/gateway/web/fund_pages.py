"""Donor and fund-staff pages. They call the same services with the same actor as the API,
so a page can do nothing the API would refuse."""
import uuid

from werkzeug.wrappers import Response

from services.gateway.web.ui import Ui, field_errors, page
from shared import statement_formats
from shared.clock import local_date, now_utc
from shared.errors import DomainError, Forbidden
from shared.money import BadAmount, yuan_to_fen

STAFF = ("staff", "admin")
DONATION_FIELDS = {"amount_fen": "amount_yuan", "donor.name": "donor_name",
                   "donor.id_number": "donor_id_number", "donor.credit_code": "donor_credit_code",
                   "donor.phone": "donor_phone", "donor.kind": "donor_kind",
                   "Idempotency-Key": "_form"}
DISBURSEMENT_FIELDS = {"amount_fen": "amount_yuan", "payee.name": "payee_name",
                       "payee.id_number": "payee_id_number"}


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
        return ui.render("donor.html", status, funds=self.fund.list_funds(ui.actor)["items"],
                         donations=mine["items"], errors=errors or {}, form=ui.form,
                         idempotency_key=uuid.uuid4().hex)

    @page("POST", "/donor/give", ("donor",))
    def donor_give(self, ui: Ui):
        errors: dict = {}
        amount = _amount(ui, errors)
        if errors:
            return self._donor_page(ui, 422, errors)
        body = {"fund_code": ui.form.get("fund_code", ""), "amount_fen": amount,
                "channel": ui.form.get("channel") or "wechat"}
        try:
            given = self.fund.record_donation(body, ui.form.get("idempotency_key"), ui.actor)
        except DomainError as error:
            return self._donor_page(ui, 422, field_errors(ui, error, DONATION_FIELDS))
        return ui.redirect(f"/receipts/{given['id']}")

    @page("GET", "/receipts/<int:donation_id>", ("donor",) + STAFF)
    def receipt(self, ui: Ui, donation_id):
        try:
            donation = self.fund.get_donation(donation_id, ui.actor)  # a donor's own only
            donor = self.fund.get_donor(donation["donor_id"], ui.actor)
        except DomainError as error:
            return ui.render("error.html", 403 if isinstance(error, Forbidden) else 404,
                             message=ui.gettext(error.message))
        return ui.render("receipt.html", donation=donation, donor=donor)

    # --- staff -------------------------------------------------------------------------
    @page("GET", "/staff", STAFF)
    def staff_home(self, ui: Ui):
        return self._staff_page(ui)

    def _staff_page(self, ui: Ui, status=200, errors=None, which=None):
        waiting = self.fund.list_disbursements({"status": "requested", "limit": 100}, ui.actor)
        decided = self.fund.list_disbursements({"limit": 20}, ui.actor)
        return ui.render("staff.html", status, funds=self.fund.list_funds(ui.actor)["items"],
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
                "purpose": f.get("purpose", ""),
                "payee": {"name": f.get("payee_name", ""),
                          "id_number": _blank_to_none(f.get("payee_id_number"))}}
        try:
            self.fund.request_disbursement(body, ui.actor)
        except DomainError as error:
            return self._staff_page(ui, 422, field_errors(ui, error, DISBURSEMENT_FIELDS),
                                    "disbursement")
        return ui.redirect("/staff?done=requested")

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

    @page("GET", "/staff/funds/<code>/statement", STAFF)
    def statement_page(self, ui: Ui, code):
        period = _period(ui)
        try:
            statement = self.fund.statement(code, period, ui.actor)
        except DomainError as error:
            return ui.render("error.html", 404, message=ui.gettext(error.message))
        return ui.render("statement.html", statement=statement, period=period,
                         months=statement_formats.by_month(statement["lines"]))

    @page("GET", "/staff/funds/<code>/statement.csv", STAFF)
    def statement_csv(self, ui: Ui, code):
        statement = self.fund.statement(code, _period(ui), ui.actor)
        name = statement_formats.filename(statement, "csv")
        return Response(statement_formats.as_csv(statement), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

def _period(ui: Ui) -> dict:
    today = local_date(now_utc())
    return {"from": ui.request.args.get("from") or f"{today.year}-01-01",
            "to": ui.request.args.get("to") or today.isoformat()}

