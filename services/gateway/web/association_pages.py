"""Grassroots association pages (基层协会) for the leadership and staff: the associations as a
tree with a form to set one up, and one association's dashboard: its figures, the
associations directly under it ranked by one of them (with a chart), its members with forms
to add one and pair one with a family (会员联系户), and its member days; a member's page
with the families they keep in touch with, when each was last contacted and a form to record
a contact; and the association's pairs nobody has been in touch with for too long."""
from datetime import date
from functools import partial

from marshmallow import validate

from services.gateway.web.forms import Form, checked, field_errors, whole
from services.gateway.web.ui import Ui, page
from services.gateway.web.words import FIGURES, WAY_WORDS
from shared import regions
from shared.actors import ADMIN, LEADERSHIP, MEMBER_DAY_HOLDERS, MEMBER_KEEPERS, load
from shared.clock import local_date, now_utc
from shared.contracts.associations import (
    CONTACT_WAYS,
    COUNTY,
    MEASURES,
    TOWNSHIP,
    AssociationIn,
    ContactIn,
    MemberDayIn,
    MemberIn,
    PairingIn,
    RankingIn,
)
from shared.errors import DomainError
from shared.fields import Whole
from shared.schemas import MAX_ID
from shared.settings import contact_due_days

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


def _kept_in_touch(families: list[dict], today: date, due_days: int) -> list[dict]:
    """A member's families, each with the days since its last contact (or, never contacted,
    since its pairing) and whether that is more than `due_days`."""
    shown = []
    for f in families:
        since = date.fromisoformat(f["last_contact_on"] or f["paired_at"][:10])
        days = (today - since).days
        shown.append({**f, "days_since": days, "overdue": days > due_days})
    return shown


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
        # A province's or city's admin sets up cities and counties; a county's, townships
        # and villages.
        above = regions.above_counties(ui.actor["association_code"])
        parents = [a for a in associations if a["level"] in (
            (regions.PROVINCE, regions.CITY) if above else (COUNTY, TOWNSHIP))]
        return ui.render("associations.html", status, tree=_tree(associations),
                         parents=parents, above=above, errors=errors or {}, form=ui.form,
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
        within = [a for a in associations if a["code"].startswith(regions.prefix(code))]
        if regions.above_counties(code):  # a province's or city's: its counties ranked
            return self._region_page(ui, here, names, figures, within)
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
        chart = self._chart(ui, ranking)
        return ui.render("association.html", status, association=here, names=names,
                         parent=names.get(here["parent_code"]), figures=figures,
                         measures=MEASURES, figure_words=FIGURES, money=MONEY,
                         ranking=ranking, chart=chart, members=members,
                         member_names={m["id"]: m["name"] for m in everyone},
                         everyone=everyone, days=days, families=families, within=within,
                         errors=errors or {}, form=ui.form, chosen=set(chosen),
                         done=ui.request.args.get("done"), may_keep=may_keep,
                         may_hold=may_hold)

    def _region_page(self, ui: Ui, here: dict, names: dict, figures: dict, within: list):
        by = load(RankingIn(), {"by": ui.request.args.get("by")} if ui.request.args.get("by")
                  else {})["by"]
        ranking = self.families.ranking(here["code"], {"by": by}, ui.actor)
        return ui.render("region.html", association=here, figures=figures, names=names,
                         parent=names.get(here["parent_code"]), measures=MEASURES,
                         figure_words=FIGURES, money=MONEY, ranking=ranking,
                         chart=self._chart(ui, ranking), cities=[
                             a for a in within if a["level"] == "city"
                             and a["code"] != here["code"]])

    @staticmethod
    def _chart(ui: Ui, ranking: dict) -> dict:
        measure = ranking["by"]
        return {"label": ui.gettext(FIGURES[measure]), "whole": measure not in MONEY,
                "rows": [{"name": r["name"], "value": r[measure] / 100  # yuan, as read
                          if measure in MONEY else r[measure]} for r in ranking["items"]]}

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

    # --- a member and their contacts with the families they keep in touch with -----------
    @page("GET", "/members/<int:member_id>", LEADERSHIP)
    def member_page(self, ui: Ui, member_id):
        return self._member_page(ui, member_id)

    def _member_page(self, ui: Ui, member_id: int, status=200, errors=None):
        member = self.families.get_member(member_id, ui.actor)  # another county's: 404
        today = local_date(now_utc())
        due_days = contact_due_days()
        contacts = ui.listed("contacts", lambda page: self.families.list_contacts(
            member_id, page, ui.actor))
        associations = self.families.list_associations(ui.actor)["items"]
        return ui.render("member.html", status, member=member,
                         association=next((a for a in associations
                                           if a["code"] == member["grassroots_code"]), None),
                         families=_kept_in_touch(member["families"], today, due_days),
                         due_days=due_days, contacts=contacts, ways=CONTACT_WAYS,
                         way_words=WAY_WORDS, today=today.isoformat(),
                         errors=errors or {}, form=ui.form, done=ui.request.args.get("done"),
                         may_record=ui.actor["role"] in MEMBER_KEEPERS)

    @page("POST", "/members/<int:member_id>/contacts", MEMBER_KEEPERS,
          form_page="/members/{member_id}")
    def member_contact_page(self, ui: Ui, member_id):
        f = ui.form
        body = {"family_id": whole(f.get("family_id", "")), "on": (f.get("on") or "").strip(),
                "way": f.get("way", ""), "note": f.get("note", "")}
        posted = Form(ui, partial(self._member_page, ui, member_id),
                      shown=partial(_errors_at, ui, place="_contact"))
        return posted.submit(
            lambda: self.families.record_contact(member_id, body, ui.actor),
            f"/members/{member_id}?done=contact", checked(ui, ContactIn(), body))

    @page("GET", "/associations/<code>/overdue-contacts", LEADERSHIP)
    def overdue_contacts_page(self, ui: Ui, code):
        overdue = ui.listed("overdue", lambda page: self.families.overdue_contacts(
            code, page, ui.actor))  # an unknown code: 404 here
        associations = self.families.list_associations(ui.actor)["items"]
        names = {a["code"]: a["name"] for a in associations}
        return ui.render("overdue_contacts.html", 200, code=code, name=names.get(code, code),
                         names=names, overdue=overdue, due_days=contact_due_days())
