"""Grassroots association pages (基层协会) for the leadership and staff: the associations as a
tree with a form to set one up, and one association's dashboard: its figures, the
associations directly under it ranked by one of them (with a chart), its members with forms
to add one and pair one with a family (会员联系户), and its member days."""
from functools import partial

from marshmallow import validate

from services.gateway.web.forms import Form, checked, field_errors, whole
from services.gateway.web.ui import Ui, page
from services.gateway.web.words import FIGURES
from shared.actors import ADMIN, LEADERSHIP, MEMBER_DAY_HOLDERS, MEMBER_KEEPERS, load
from shared.contracts.associations import (
    COUNTY,
    MEASURES,
    TOWNSHIP,
    AssociationIn,
    MemberDayIn,
    MemberIn,
    PairingIn,
    RankingIn,
)
from shared.errors import DomainError
from shared.fields import Whole
from shared.schemas import MAX_ID

MONEY = {m for m in MEASURES if "_fen_" in m}  # shown in yuan; the others are counts
EVERYONE = 500  # the most a list endpoint gives at once: the forms' members and families


class PairingForm(PairingIn):
    """The pairing form names the member too (the API has it in the path)."""
    member_id = Whole(required=True, validate=validate.Range(min=1, max=MAX_ID))


def _errors_at(ui: Ui, error: DomainError, *, place: str) -> dict:
    """A service's refusal under the form's fields, or, naming none, at the form (`place`):
    a page of several forms shows a form's error at that form only."""
    if not error.fields:
        return {place: [ui.say(error.message)]}
    # One message for a field however many of its items it was said of (member_ids.0, .3).
    return {field: list(dict.fromkeys(messages))
            for field, messages in field_errors(ui, error).items()}


def _tree(associations: list[dict]) -> list[dict]:
    """The associations nested under their parents, the list's order kept; one whose parent
    is not in the list stands at the top."""
    codes = {a["code"] for a in associations}
    under: dict = {}
    for a in associations:
        under.setdefault(a["parent_code"] if a["parent_code"] in codes else None, []).append(a)

    def grow(a: dict) -> dict:
        return {**a, "children": [grow(c) for c in under.get(a["code"], [])]}
    return [grow(a) for a in under.get(None, [])]


class AssociationPages:
    @page("GET", "/associations", LEADERSHIP)
    def associations_home(self, ui: Ui):
        return self._associations_page(ui)

    def _associations_page(self, ui: Ui, status=200, errors=None):
        associations = self.families.list_associations(ui.actor)["items"]
        parents = [a for a in associations if a["level"] in (COUNTY, TOWNSHIP)]
        return ui.render("associations.html", status, tree=_tree(associations),
                         parents=parents, errors=errors or {}, form=ui.form,
                         done=ui.request.args.get("done"),
                         may_set_up=ui.actor["role"] in ADMIN)

    @page("POST", "/associations", ADMIN)
    def association_create_page(self, ui: Ui):
        body = {k: (ui.form.get(k) or "").strip() for k in ("code", "name", "parent_code")}
        posted = Form(ui, partial(self._associations_page, ui),
                      shown=partial(_errors_at, ui, place="_form"))
        return posted.submit(lambda: self.families.create_association(body, ui.actor),
                             "/associations?done=created", checked(ui, AssociationIn(), body))

    # --- one association's dashboard ------------------------------------------------------
    @page("GET", "/associations/<code>", LEADERSHIP)
    def association_page(self, ui: Ui, code):
        return self._association_page(ui, code)

    def _association_page(self, ui: Ui, code: str, status=200, errors=None, chosen=()):
        figures = self.families.dashboard(code, ui.actor)  # an unknown code: 404 here
        associations = self.families.list_associations(ui.actor)["items"]
        names = {a["code"]: a["name"] for a in associations}
        here = next(a for a in associations if a["code"] == code)
        within = [a for a in associations if a["code"].startswith(code)]
        by = (ui.request.args.get("by") or "").strip()
        # As the API refuses a figure it does not rank by, whether or not there is anything
        # under this association to rank.
        by = load(RankingIn(), {"by": by} if by else {})["by"]
        ranking = self.families.ranking(code, {"by": by}, ui.actor) if len(within) > 1 \
            else {"by": by, "items": []}
        role = ui.actor["role"]
        may_keep = role in MEMBER_KEEPERS
        may_hold = role in MEMBER_DAY_HOLDERS
        members = ui.listed("members", lambda page: self.families.list_members(
            {**page, "grassroots_code": code}, ui.actor))
        everyone = self.families.list_members(
            {"grassroots_code": code, "limit": EVERYONE}, ui.actor)["items"]
        days = ui.listed("days", lambda page: self.families.list_member_days(
            code, page, ui.actor))
        families = self.families.list_families({"village_code": code, "limit": EVERYONE},
                                               ui.actor)["items"] if may_keep else []
        measure = ranking["by"]
        chart = {"label": ui.gettext(FIGURES[measure]), "whole": measure not in MONEY,
                 "rows": [{"name": r["name"], "value": r[measure] / 100  # yuan, as read
                           if measure in MONEY else r[measure]} for r in ranking["items"]]}
        return ui.render("association.html", status, association=here, names=names,
                         parent=names.get(here["parent_code"]), figures=figures,
                         measures=MEASURES, figure_words=FIGURES, money=MONEY,
                         ranking=ranking, chart=chart, members=members,
                         member_names={m["id"]: m["name"] for m in everyone},
                         everyone=everyone, days=days, families=families, within=within,
                         errors=errors or {}, form=ui.form, chosen=set(chosen),
                         done=ui.request.args.get("done"), may_keep=may_keep,
                         may_hold=may_hold)

    @page("POST", "/associations/<code>/members", MEMBER_KEEPERS,
          form_page="/associations/{code}")
    def association_member_page(self, ui: Ui, code):
        f = ui.form
        body = {"name": (f.get("name") or "").strip(),
                "id_number": (f.get("id_number") or "").strip(),
                "phone": (f.get("phone") or "").strip(),
                "grassroots_code": (f.get("grassroots_code") or code).strip()}
        posted = Form(ui, partial(self._association_page, ui, code),
                      shown=partial(_errors_at, ui, place="_member"))
        return posted.submit(lambda: self.families.add_member(body, ui.actor),
                             f"/associations/{code}?done=member", checked(ui, MemberIn(), body))

    @page("POST", "/associations/<code>/pairings", MEMBER_KEEPERS,
          form_page="/associations/{code}")
    def association_pairing_page(self, ui: Ui, code):
        form = {"member_id": whole(ui.form.get("member_id", "")),
                "family_id": whole(ui.form.get("family_id", ""))}
        posted = Form(ui, partial(self._association_page, ui, code),
                      shown=partial(_errors_at, ui, place="_pairing"))
        return posted.submit(
            lambda: self.families.pair_family(form["member_id"],
                                              {"family_id": form["family_id"]}, ui.actor),
            f"/associations/{code}?done=paired", checked(ui, PairingForm(), form))

    @page("POST", "/associations/<code>/member-days", MEMBER_DAY_HOLDERS,
          form_page="/associations/{code}")
    def association_member_day_page(self, ui: Ui, code):
        chosen = ui.request.form.getlist("member_ids")
        body = {"title": (ui.form.get("title") or "").strip(),
                "held_on": (ui.form.get("held_on") or "").strip(),
                "member_ids": [whole(m) for m in chosen]}
        posted = Form(ui, partial(self._association_page, ui, code, chosen=chosen),
                      shown=partial(_errors_at, ui, place="_day"))
        return posted.submit(lambda: self.families.hold_member_day(code, body, ui.actor),
                             f"/associations/{code}?done=member_day",
                             checked(ui, MemberDayIn(), body))
