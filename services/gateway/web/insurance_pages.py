"""Insurance staff pages: enrol, register a claim, the review queue, a claim's page."""
from services.gateway.web.fund_pages import STAFF, _amount, _blank_to_none
from services.gateway.web.ui import Ui, field_errors, page
from shared.errors import DomainError

POLICY_FIELDS = {"insured.name": "insured_name", "insured.id_number": "insured_id_number",
                 "insured.phone": "insured_phone"}
CLAIM_FIELDS = {"amount_claimed_fen": "amount_yuan"}


class InsurancePages:
    @page("GET", "/insurance", STAFF + ("auditor",))
    def insurance_home(self, ui: Ui):
        return self._insurance_page(ui)

    def _insurance_page(self, ui: Ui, status=200, errors=None, which=None):
        queue = [c for status_ in ("flagged", "submitted")
                 for c in self.insurance.list_claims({"status": status_, "limit": 200},
                                                     ui.actor)["items"]]
        waiting = self.insurance.list_claims({"status": "approved_awaiting_funds",
                                              "limit": 200}, ui.actor)["items"]
        return ui.render("insurance.html", status,
                         products=self.insurance.list_products(ui.actor)["items"],
                         policies=self.insurance.list_policies({"limit": 20}, ui.actor)["items"],
                         queue=sorted(queue, key=lambda c: c["id"]), waiting=waiting,
                         errors=errors or {}, which=which, form=ui.form,
                         done=ui.request.args.get("done"))

    @page("POST", "/insurance/policies", STAFF)
    def enrol_page(self, ui: Ui):
        f = ui.form
        body = {"product_code": f.get("product_code", ""), "start_date": f.get("start_date", ""),
                "family_category": _blank_to_none(f.get("family_category")),
                "insured": {"name": f.get("insured_name", ""),
                            "id_number": f.get("insured_id_number", ""),
                            "phone": _blank_to_none(f.get("insured_phone"))}}
        try:
            policy = self.insurance.enrol(body, ui.actor)
        except DomainError as error:
            return self._insurance_page(ui, 422, field_errors(ui, error, POLICY_FIELDS),
                                        "policy")
        return ui.redirect(f"/insurance?done={policy['policy_no']}")

    @page("POST", "/insurance/claims", STAFF)
    def claim_submit_page(self, ui: Ui):
        errors: dict = {}
        amount = _amount(ui, errors)
        if errors:
            return self._insurance_page(ui, 422, errors, "claim")
        f = ui.form
        body = {"policy_no": f.get("policy_no", "").strip(), "amount_claimed_fen": amount,
                "incident_date": f.get("incident_date", ""),
                "description": f.get("description", "")}
        try:
            claim = self.insurance.submit_claim(body, ui.actor)
        except DomainError as error:
            return self._insurance_page(ui, 422, field_errors(ui, error, CLAIM_FIELDS), "claim")
        return ui.redirect(f"/insurance/claims/{claim['id']}")

    @page("GET", "/insurance/claims/<int:claim_id>", STAFF + ("auditor",))
    def claim_page(self, ui: Ui, claim_id):
        try:
            claim = self.insurance.get_claim(claim_id, ui.actor)
        except DomainError as error:
            return ui.render("error.html", 404, message=ui.gettext(error.message))
        return ui.render("claim.html", claim=claim, errors={}, form=ui.form)

    @page("POST", "/insurance/claims/<int:claim_id>/approve", STAFF)
    def claim_approve_page(self, ui: Ui, claim_id):
        errors: dict = {}
        amount = _amount(ui, errors)
        if not errors:
            try:
                self.insurance.approve_claim(claim_id, {"amount_approved_fen": amount}, ui.actor)
                return ui.redirect(f"/insurance/claims/{claim_id}")
            except DomainError as error:
                errors = field_errors(ui, error, {"amount_approved_fen": "amount_yuan"})
        return self._claim_again(ui, claim_id, errors)

    @page("POST", "/insurance/claims/<int:claim_id>/reject", STAFF)
    def claim_reject_page(self, ui: Ui, claim_id):
        try:
            self.insurance.reject_claim(claim_id, {"reason": ui.form.get("reason", "")}, ui.actor)
        except DomainError as error:
            return self._claim_again(ui, claim_id, field_errors(ui, error))
        return ui.redirect(f"/insurance/claims/{claim_id}")

    def _claim_again(self, ui: Ui, claim_id: int, errors: dict):
        claim = self.insurance.get_claim(claim_id, ui.actor)
        return ui.render("claim.html", 422, claim=claim, errors=errors, form=ui.form)
