"""Insurance staff pages: the products, enrolling a person or a whole village, a policy's
premium shares and the payments staff record, registering a claim, the review queue, a
claim's page with its documents and its appeal; and the public claim status lookup."""
import base64
from functools import partial
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway.routes import MULTIPART_ALLOWANCE, client_address, not_text
from services.gateway.throttle import PUBLIC_LOOKUPS, Throttled
from services.gateway.web.forms import (
    Form,
    blank_to_none,
    checked,
    field_errors,
    merged,
    names_of,
    too_many,
    upto,
    yuan_field,
)
from services.gateway.web.ui import Ui, page
from services.gateway.web.words import SHARE_WORDS
from shared.actors import STAFF, STAFF_READERS, public_actor
from shared.contracts.insurance import (
    APPEAL_DECISIONS,
    DOCUMENT_KINDS,
    AppealDecisionIn,
    ApproveIn,
    BulkEnrolIn,
    ClaimIn,
    DocumentIn,
    PaymentIn,
    PolicyIn,
    PublicClaimIn,
)
from shared.errors import DomainError, NotFound
from shared.schemas import ReasonIn
from shared.settings import association_code, document_max_bytes

POLICY_FIELDS = {"insured.name": "insured_name", "insured.id_number": "insured_id_number",
                 "insured.phone": "insured_phone"}
CLAIM_FIELDS = {"amount_claimed_fen": "amount_yuan", "payee.name": "payee_name",
                "payee.bank": "payee_bank", "payee.account_no": "payee_account_no",
                "payee": "payee_bank"}
APPROVE_FIELDS = {"amount_approved_fen": "amount_yuan"}
PAYMENT_FIELDS = {"amount_fen": "amount_yuan"}
CLAIM_PAGE = "/insurance/claims/{claim_id}"  # where its forms are
POLICY_PAGE = "/insurance/policies/{policy_no}"
PUBLIC_STATUS = "/public/claim-status"
NUMBER_MAX = 60  # far past any claim number (CL-341181-2026-000123)


def _upload_limit() -> int:
    """A document as large as the API takes, and room for the form around it."""
    return document_max_bytes() + MULTIPART_ALLOWANCE


def _payee(form: dict) -> dict | None:
    """The bank account a claim is paid into, when the form gives one (it is optional)."""
    name = blank_to_none(form.get("payee_name"))
    bank = (form.get("payee_bank") or "").strip()
    account = (form.get("payee_account_no") or "").strip()
    if not (name or bank or account):
        return None
    return {"name": name, "bank": bank, "account_no": account}


def _without_account(form: dict) -> dict:
    # A bank account number typed into a form is never written back into a page.
    return {k: v for k, v in form.items() if k != "payee_account_no"}


def _approval_refused(ui: Ui, error: DomainError) -> dict:
    if error.code == "documents_missing":
        # One sentence naming the papers that are missing, in the reader's words.
        return {"documents": [ui.say(error.message)]}
    return field_errors(ui, error, APPROVE_FIELDS)


def _attachment(filename: str | None, sha256: str) -> str:
    """A download's Content-Disposition, as the API's: the name it was uploaded under
    (RFC 6266), after a plain one made of the hash."""
    plain = f'attachment; filename="{sha256}"'
    return f"{plain}; filename*=UTF-8''{quote(filename, safe='')}" if filename else plain


class InsurancePages:
    @page("GET", "/insurance", STAFF_READERS)
    def insurance_home(self, ui: Ui):
        return self._insurance_page(ui)

    def _insurance_page(self, ui: Ui, status=200, errors=None, which=None, bulk=None):
        # Flagged claims (an automatic check found something) first, then the others.
        queue = ui.listed("queue", lambda page: merged(page, [
            self.insurance.list_claims({"status": status_, **upto(page)}, ui.actor)
            for status_ in ("flagged", "submitted")]))
        waiting = ui.listed("waiting", lambda page: self.insurance.list_claims(
            {"status": "approved_awaiting_funds", **page}, ui.actor))
        appealed = ui.listed("appealed", lambda page: self.insurance.list_claims(
            {"status": "under_appeal", **page}, ui.actor))
        products = self.insurance.list_products(ui.actor)["items"]
        funds = self.fund.list_funds(ui.actor)["items"]
        form = _without_account(ui.form)
        return ui.render("insurance.html", status, products=products,
                         names=names_of(products + funds),
                         policies=ui.listed("policies", lambda page: self.insurance.list_policies(
                             page, ui.actor)),
                         queue=queue, waiting=waiting, appealed=appealed,
                         errors=errors or {}, which=which, form=form, bulk=bulk,
                         done=ui.request.args.get("done"),
                         enrolled=self._enrolled(ui, ui.request.args.get("done")),
                         share_word=lambda code: ui.gettext(SHARE_WORDS.get(code, code)),
                         may_act=ui.actor["role"] in STAFF)

    def _enrolled(self, ui: Ui, policy_no: str | None) -> dict | None:
        """The policy just enrolled (`?done=`), for its status and premium shares."""
        if not policy_no or len(policy_no) > NUMBER_MAX:
            return None
        try:
            return self.insurance.get_policy(policy_no, ui.actor)
        except DomainError:  # an address typed by hand: the notice alone
            return None

    @page("POST", "/insurance/policies", STAFF)
    def enrol_page(self, ui: Ui):
        f = ui.form
        body = {"product_code": f.get("product_code", ""), "start_date": f.get("start_date", ""),
                "family_category": blank_to_none(f.get("family_category")),
                "village_code": blank_to_none(f.get("village_code")),
                "insured": {"name": f.get("insured_name", ""),
                            "id_number": f.get("insured_id_number", ""),
                            "phone": blank_to_none(f.get("insured_phone"))}}
        posted = Form(ui, partial(self._insurance_page, ui, which="policy"), names=POLICY_FIELDS)
        return posted.submit(
            lambda: self.insurance.enrol(body, ui.actor),
            lambda made: ui.redirect(f"/insurance?done={quote(made['policy_no'])}"),
            checked(ui, PolicyIn(), body, POLICY_FIELDS))

    @page("POST", "/insurance/policies/bulk", STAFF)
    def bulk_enrol_page(self, ui: Ui):
        """Every member of a village's families who fits the product; the page says how
        many were enrolled and who was not, and why."""
        f = ui.form
        body = {"product_code": f.get("product_code", ""),
                "village_code": (f.get("village_code") or "").strip(),
                "start_date": f.get("start_date", "")}
        again = partial(self._insurance_page, ui, which="bulk")
        posted = Form(ui, again)
        return posted.submit(lambda: self.insurance.enrol_village(body, ui.actor),
                             lambda result: again(200, None, bulk=result),
                             checked(ui, BulkEnrolIn(), body))

    # --- a policy and its premium ------------------------------------------------------
    @page("GET", "/insurance/policies/<policy_no>", STAFF_READERS)
    def policy_page(self, ui: Ui, policy_no):
        return self._policy_page(ui, policy_no)

    def _policy_page(self, ui: Ui, policy_no: str, status=200, errors=None):
        # A policy that does not exist raises NotFound here: the 404 page.
        policy = self.insurance.get_policy(policy_no, ui.actor)
        products = self.insurance.list_products(ui.actor)["items"]
        funds = self.fund.list_funds(ui.actor)["items"]
        # What staff record by hand: the shares no fund pays, not paid yet.
        payable = [s for s in policy["shares"] if not s["fund_code"] and s["status"] != "paid"]
        return ui.render("policy.html", status, policy=policy, payable=payable,
                         names=names_of(products + funds), errors=errors or {},
                         form=ui.form, done=ui.request.args.get("done"),
                         share_word=lambda code: ui.gettext(SHARE_WORDS.get(code, code)),
                         may_act=ui.actor["role"] in STAFF)

    @page("POST", "/insurance/policies/<policy_no>/payments", STAFF, POLICY_PAGE)
    def policy_payment_page(self, ui: Ui, policy_no):
        policy = self.insurance.get_policy(policy_no, ui.actor)  # 404 if there is none
        found: dict = {}
        body = {"payer": ui.form.get("payer", ""), "amount_fen": yuan_field(ui, found)}
        posted = Form(ui, partial(self._policy_page, ui, policy_no), names=PAYMENT_FIELDS)
        return posted.submit(
            lambda: self.insurance.record_premium_payment(policy["id"], body, ui.actor),
            f"/insurance/policies/{quote(policy_no)}?done=paid",
            checked(ui, PaymentIn(), body, PAYMENT_FIELDS, found))

    # --- claims ------------------------------------------------------------------------
    @page("POST", "/insurance/claims", STAFF)
    def claim_submit_page(self, ui: Ui):
        f = ui.form
        found = {}
        body = {"policy_no": f.get("policy_no", "").strip(),
                "amount_claimed_fen": yuan_field(ui, found),
                "incident_date": f.get("incident_date", ""),
                "description": f.get("description", ""), "payee": _payee(f)}
        posted = Form(ui, partial(self._insurance_page, ui, which="claim"), names=CLAIM_FIELDS)
        return posted.submit(lambda: self.insurance.submit_claim(body, ui.actor),
                             lambda claim: ui.redirect(f"/insurance/claims/{claim['id']}"),
                             checked(ui, ClaimIn(), body, CLAIM_FIELDS, found))

    @page("GET", "/insurance/claims/<int:claim_id>", STAFF_READERS)
    def claim_page(self, ui: Ui, claim_id):
        return self._claim_page(ui, claim_id, 200, {})

    @page("POST", "/insurance/claims/<int:claim_id>/approve", STAFF, CLAIM_PAGE)
    def claim_approve_page(self, ui: Ui, claim_id):
        found: dict = {}
        body = {"amount_approved_fen": yuan_field(ui, found)}
        posted = Form(ui, partial(self._claim_page, ui, claim_id),
                      shown=partial(_approval_refused, ui))
        return posted.submit(lambda: self.insurance.approve_claim(claim_id, body, ui.actor),
                             f"/insurance/claims/{claim_id}",
                             checked(ui, ApproveIn(), body, APPROVE_FIELDS, found))

    @page("POST", "/insurance/claims/<int:claim_id>/reject", STAFF, CLAIM_PAGE)
    def claim_reject_page(self, ui: Ui, claim_id):
        return self._claim_reason(ui, claim_id, self.insurance.reject_claim)

    @page("POST", "/insurance/claims/<int:claim_id>/documents", STAFF, CLAIM_PAGE,
          body_limit=_upload_limit)
    def claim_document_page(self, ui: Ui, claim_id):
        """A document sent from the claim's page (multipart/form-data: `kind`, `file` and
        the CSRF token). What the file is, the service tells from its content."""
        upload = ui.request.files.get("file")
        found = {}
        filename = ((upload.filename or "") if upload is not None else "").replace("\\", "/")
        content = upload.read() if upload is not None else b""
        if upload is None or not (filename or content):  # the form sent without a file
            found["file"] = [ui.gettext("Choose the file to upload.")]
        elif not_text([filename]):
            found["file"] = [ui.gettext(
                "Contains a character that is not text (NUL or a lone surrogate).")]
        body = {"kind": ui.form.get("kind", "")}
        document = {**body, "filename": filename.rsplit("/", 1)[-1][:200] or None,
                    "content": base64.b64encode(content).decode()}
        posted = Form(ui, partial(self._claim_page, ui, claim_id))
        return posted.submit(lambda: self.insurance.attach_document(claim_id, document, ui.actor),
                             f"/insurance/claims/{claim_id}?done=uploaded",
                             checked(ui, DocumentIn(), body, None, found))

    @page("GET", "/insurance/claims/<int:claim_id>/documents/<sha256>", STAFF_READERS)
    def claim_document_download(self, ui: Ui, claim_id, sha256):
        found = self.insurance.get_document(claim_id, sha256, ui.actor)
        return Response(base64.b64decode(found["content"]), mimetype=found["content_type"],
                        headers={"Content-Disposition": _attachment(found["filename"],
                                                                     sha256)})

    @page("POST", "/insurance/claims/<int:claim_id>/appeal", STAFF, CLAIM_PAGE)
    def claim_appeal_page(self, ui: Ui, claim_id):
        return self._claim_reason(ui, claim_id, self.insurance.appeal_claim)

    def _claim_reason(self, ui: Ui, claim_id: int, send) -> Response:
        """A claim's form that gives only a reason (rejecting it, appealing it): `send`."""
        body = {"reason": ui.form.get("reason", "")}
        posted = Form(ui, partial(self._claim_page, ui, claim_id))
        return posted.submit(lambda: send(claim_id, body, ui.actor),
                             f"/insurance/claims/{claim_id}", checked(ui, ReasonIn(), body))

    @page("POST", "/insurance/claims/<int:claim_id>/appeal/decide", STAFF, CLAIM_PAGE)
    def claim_decide_appeal_page(self, ui: Ui, claim_id):
        f = ui.form
        found = {}
        decision = f.get("decision", "")
        # An amount is approved only by overturning: what the field holds otherwise is
        # left alone.
        amount = yuan_field(ui, found) if decision == "overturned" else None
        body = {"decision": decision, "reason": f.get("reason", ""),
                "amount_approved_fen": amount}
        posted = Form(ui, partial(self._claim_page, ui, claim_id), names=APPROVE_FIELDS)
        return posted.submit(lambda: self.insurance.decide_appeal(claim_id, body, ui.actor),
                             f"/insurance/claims/{claim_id}",
                             checked(ui, AppealDecisionIn(), body, APPROVE_FIELDS, found))

    def _claim_page(self, ui: Ui, claim_id: int, status: int, errors: dict):
        # A claim that does not exist raises NotFound here: the 404 page, not this one.
        claim = self.insurance.get_claim(claim_id, ui.actor)
        products = self.insurance.list_products(ui.actor)["items"]
        return ui.render("claim.html", status, claim=claim, errors=errors,
                         form=_without_account(ui.form), names=names_of(products),
                         kinds=DOCUMENT_KINDS, decisions=APPEAL_DECISIONS,
                         done=ui.request.args.get("done"),
                         may_act=ui.actor["role"] in STAFF)

    # --- the public lookup -------------------------------------------------------------
    @page("GET", PUBLIC_STATUS, None)
    def public_claim_status_form(self, ui: Ui):
        return self._public_status(ui, 200, {})

    @page("POST", PUBLIC_STATUS, None, PUBLIC_STATUS)
    def public_claim_status_page(self, ui: Ui):
        """A claim's status for the insured, without a login: its number and the last 4
        characters of their identity number. Posted, so neither shows in an address, a
        browser's history or a log; as slow to guess as the API's lookup."""
        claim_no = (ui.form.get("claim_no") or "").strip()
        query = {"id_last4": (ui.form.get("id_last4") or "").strip()}
        found: dict = {}
        if not claim_no:
            found["claim_no"] = [ui.say("Missing data for required field.")]
        errors = checked(ui, PublicClaimIn(), query, None, found)
        if errors:
            return self._public_status(ui, 422, errors)
        try:
            PUBLIC_LOOKUPS.take(self.db, client_address(ui.request), "claim status lookups")
        except Throttled as throttled:
            return too_many(partial(self._public_status, ui), throttled, ui.gettext(
                "Too many lookups; try again in %(seconds)s seconds."))
        try:
            if len(claim_no) > NUMBER_MAX:  # no claim has such a number
                raise NotFound("No claim with this number for this identity number.",
                               "claim_not_found")
            answer = self.insurance.public_claim_status(claim_no, query, public_actor())
        except NotFound as missing:  # a wrong number and a wrong last 4 read alike
            return self._public_status(ui, 404, {"_form": [ui.say(missing.message)]})
        return self._public_status(ui, 200, {}, answer)

    def _public_status(self, ui: Ui, status: int, errors: dict, found: dict | None = None):
        # The claim number comes back as typed; the identity characters never do.
        return ui.render("claim_status.html", status, errors=errors, found=found,
                         form={"claim_no": ui.form.get("claim_no", "")},
                         association=association_code())
