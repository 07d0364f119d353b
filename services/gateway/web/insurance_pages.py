"""Insurance staff pages: enrol, register a claim, the review queue, a claim's page."""
from services.gateway.web.fund_pages import (
    STAFF,
    blank_to_none,
    merged,
    names_of,
    upto,
    yuan_field,
)
from services.gateway.web.ui import Ui, checked, field_errors, page, status_of
from shared.contracts.insurance import ApproveIn, ClaimIn, PolicyIn
from shared.errors import DomainError
from shared.schemas import ReasonIn

POLICY_FIELDS = {"insured.name": "insured_name", "insured.id_number": "insured_id_number",
                 "insured.phone": "insured_phone"}
CLAIM_FIELDS = {"amount_claimed_fen": "amount_yuan"}
APPROVE_FIELDS = {"amount_approved_fen": "amount_yuan"}
CLAIM_PAGE = "/insurance/claims/{claim_id}"  # where its approve and reject forms are


class InsurancePages:
    @page("GET", "/insurance", STAFF + ("auditor",))
    def insurance_home(self, ui: Ui):
        return self._insurance_page(ui)

    def _insurance_page(self, ui: Ui, status=200, errors=None, which=None):
        # Flagged claims (an automatic check found something) first, then the others.
        queue = ui.listed("queue", lambda page: merged(page, [
            self.insurance.list_claims({"status": status_, **upto(page)}, ui.actor)
            for status_ in ("flagged", "submitted")]))
        waiting = ui.listed("waiting", lambda page: self.insurance.list_claims(
            {"status": "approved_awaiting_funds", **page}, ui.actor))
        products = self.insurance.list_products(ui.actor)["items"]
        return ui.render("insurance.html", status, products=products,
                         names=names_of(products),
                         policies=ui.listed("policies", lambda page: self.insurance.list_policies(
                             page, ui.actor)),
                         queue=queue, waiting=waiting,
                         errors=errors or {}, which=which, form=ui.form,
                         done=ui.request.args.get("done"))

    @page("POST", "/insurance/policies", STAFF)
    def enrol_page(self, ui: Ui):
        f = ui.form
        body = {"product_code": f.get("product_code", ""), "start_date": f.get("start_date", ""),
                "family_category": blank_to_none(f.get("family_category")),
                "insured": {"name": f.get("insured_name", ""),
                            "id_number": f.get("insured_id_number", ""),
                            "phone": blank_to_none(f.get("insured_phone"))}}
        errors = checked(ui, PolicyIn(), body, POLICY_FIELDS)
        if errors:
            return self._insurance_page(ui, 422, errors, "policy")
        try:
            policy = self.insurance.enrol(body, ui.actor)
        except DomainError as error:
            return self._insurance_page(ui, status_of(error),
                                        field_errors(ui, error, POLICY_FIELDS), "policy")
        return ui.redirect(f"/insurance?done={policy['policy_no']}")

    @page("POST", "/insurance/claims", STAFF)
    def claim_submit_page(self, ui: Ui):
        f, found = ui.form, {}
        body = {"policy_no": f.get("policy_no", "").strip(),
                "amount_claimed_fen": yuan_field(ui, found),
                "incident_date": f.get("incident_date", ""),
                "description": f.get("description", "")}
        errors = checked(ui, ClaimIn(), body, CLAIM_FIELDS, found)
        if errors:
            return self._insurance_page(ui, 422, errors, "claim")
        try:
            claim = self.insurance.submit_claim(body, ui.actor)
        except DomainError as error:
            return self._insurance_page(ui, status_of(error),
                                        field_errors(ui, error, CLAIM_FIELDS), "claim")
        return ui.redirect(f"/insurance/claims/{claim['id']}")

    @page("GET", "/insurance/claims/<int:claim_id>", STAFF + ("auditor",))
    def claim_page(self, ui: Ui, claim_id):
        return self._claim_page(ui, claim_id, 200, {})

    @page("POST", "/insurance/claims/<int:claim_id>/approve", STAFF, CLAIM_PAGE)
    def claim_approve_page(self, ui: Ui, claim_id):
        found: dict = {}
        body = {"amount_approved_fen": yuan_field(ui, found)}
        errors = checked(ui, ApproveIn(), body, APPROVE_FIELDS, found)
        if errors:
            return self._claim_page(ui, claim_id, 422, errors)
        try:
            self.insurance.approve_claim(claim_id, body, ui.actor)
        except DomainError as error:
            return self._claim_page(ui, claim_id, status_of(error),
                                    field_errors(ui, error, APPROVE_FIELDS))
        return ui.redirect(f"/insurance/claims/{claim_id}")

    @page("POST", "/insurance/claims/<int:claim_id>/reject", STAFF, CLAIM_PAGE)
    def claim_reject_page(self, ui: Ui, claim_id):
        body = {"reason": ui.form.get("reason", "")}
        errors = checked(ui, ReasonIn(), body)
        if errors:
            return self._claim_page(ui, claim_id, 422, errors)
        try:
            self.insurance.reject_claim(claim_id, body, ui.actor)
        except DomainError as error:
            return self._claim_page(ui, claim_id, status_of(error), field_errors(ui, error))
        return ui.redirect(f"/insurance/claims/{claim_id}")

    def _claim_page(self, ui: Ui, claim_id: int, status: int, errors: dict):
        # A claim that does not exist raises NotFound here: the 404 page, not this one.
        claim = self.insurance.get_claim(claim_id, ui.actor)
        products = self.insurance.list_products(ui.actor)["items"]
        return ui.render("claim.html", status, claim=claim, errors=errors, form=ui.form,
                         names=names_of(products))
