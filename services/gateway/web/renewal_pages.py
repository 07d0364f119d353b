"""Staff's renewal page: a village's (or township's) policies of a product ending soon, with
next year's premium and who pays what; renewal of those chosen or of all of them; and what of
the renewals' premiums is still unpaid."""
from functools import partial

from services.gateway.web.forms import Form, checked
from services.gateway.web.ui import Ui, page
from services.gateway.web.words import SHARE_WORDS
from shared.actors import STAFF, STAFF_READERS
from shared.contracts.insurance import RenewalListIn, RenewIn

WANTED = ("product_code", "village_code", "ends_before")  # the list's filters


class RenewalPages:
    @page("GET", "/insurance/renewals", STAFF_READERS)
    def renewals_page(self, ui: Ui):
        return self._renewals_page(ui)

    def _renewals_page(self, ui: Ui, status=200, errors=None, result=None):
        given = ui.form or ui.request.args
        wanted = {name: value for name in WANTED if (value := (given.get(name) or "").strip())}
        found = checked(ui, RenewalListIn(), wanted) if wanted else {}
        due = None
        if wanted and not found:
            due = ui.listed("due", lambda cut: self.insurance.renewals_due({**wanted, **cut},
                                                                          ui.actor))
        products = self.insurance.list_products(ui.actor)["items"]
        return ui.render("renewals.html", 422 if found and status == 200 else status,
                         products=products, wanted=wanted, due=due,
                         errors={**found, **(errors or {})}, result=result,
                         share_word=lambda code: ui.gettext(SHARE_WORDS.get(code, code)),
                         may_act=ui.actor["role"] in STAFF)

    @page("POST", "/insurance/renewals", STAFF)
    def renew_page(self, ui: Ui):
        """The policies ticked, or (`renew=all`) every one of the village's in the list."""
        f = ui.form
        if f.get("renew") == "all":
            body = {name: value for name in WANTED if (value := (f.get(name) or "").strip())}
        else:
            body = {"policy_nos": ui.request.form.getlist("policy_no")}
        again = partial(self._renewals_page, ui)
        return Form(ui, again, at="_form").submit(
            lambda: self.insurance.renew(body, ui.actor),
            lambda made: again(200 if made["renewed"] == len(made["results"]) else 409,
                               result=made),
            checked(ui, RenewIn(), body))
