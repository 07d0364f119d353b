"""Family pages (一户一档): the register with its search, a registration form, and one
family's page with its members, its timeline, its care plan and the help given to it
(精准帮扶), with the follow-ups of help that are overdue."""
import re
from functools import partial

from services.gateway.web.forms import Form, blank_to_none, checked, field_errors, whole
from services.gateway.web.ui import Ui, page
from shared.actors import FAMILY_READERS, HELP_RECORDERS, LEADERSHIP, STAFF, load
from shared.clock import local_today
from shared.contracts.families import (
    CATEGORIES,
    RELATIONS,
    CarePlanIn,
    FamilyIn,
    FamilyUpdateIn,
)
from shared.contracts.help import KINDS as HELP_KINDS
from shared.contracts.help import HelpIn
from shared.contracts.volunteers import SKILLS
from shared.errors import DomainError

MEMBER_ROWS = 4  # rows on the form; a bigger family is added to after registering
# The help form's fields, named apart from the care plan's on the same page.
HELP_NAMES = {name: f"help_{name}" for name in HelpIn().fields}
HELP_OTHER = "help_form"  # where a refusal naming no field of the help form shows
# A member as the pages number them (M-341181-00012), or the id alone.
MEMBER_NO = re.compile(r"\s*(?:M-[0-9]{6}-)?0*([0-9]+)\s*")


def _member_field(field: str) -> str:
    """`members.2.id_number` (the schema's) -> `member_2_id_number` (the form's)."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "members":
        return f"member_{parts[1]}_{parts[2]}"
    return field


def _errors_by_form_field(ui: Ui, error: DomainError) -> dict:
    shown: dict = {}
    for field, messages in (error.fields or {}).items():
        shown.setdefault(_member_field(field), []).extend(ui.say(m) for m in messages)
    return shown or {"_form": [ui.say(error.message)]}


class FamilyPages:
    @page("GET", "/families", FAMILY_READERS)
    def families_home(self, ui: Ui):
        return self._families_page(ui)

    def _families_page(self, ui: Ui, status=200, errors=None):
        wanted = {k: v for k in ("category", "low_income", "village_code")
                  if (v := (ui.request.args.get(k) or "").strip())}
        families = ui.listed("families", lambda page: self.families.list_families(
            {**page, **wanted}, ui.actor))
        return ui.render("families.html", status, families=families, categories=CATEGORIES,
                         relations=RELATIONS, rows=range(MEMBER_ROWS), wanted=wanted,
                         errors=errors or {}, form=ui.form,
                         may_register=ui.actor["role"] in STAFF)

    @page("POST", "/families", STAFF)
    def family_register_page(self, ui: Ui):
        f = ui.form
        members = []
        for n in range(MEMBER_ROWS):
            row = {k: (f.get(f"member_{n}_{k}") or "").strip()
                   for k in ("name", "id_number", "relation", "phone")}
            if row["name"] or row["id_number"] or row["phone"]:
                members.append({**row, "phone": row["phone"] or None})
        body = {"category": f.get("category", ""), "low_income": bool(f.get("low_income")),
                "address": f.get("address", ""),
                "village_code": (f.get("village_code") or "").strip(), "members": members}

        def register():
            load(FamilyIn(), body)  # the API's own schema, its errors under the form's names
            return self.families.register_family(body, ui.actor)
        posted = Form(ui, partial(self._families_page, ui),
                      shown=partial(_errors_by_form_field, ui))
        return posted.submit(register, lambda family: ui.redirect(f"/families/{family['id']}"))

    @page("GET", "/families/<int:family_id>", FAMILY_READERS)
    def family_page(self, ui: Ui, family_id):
        return self._family_page(ui, family_id)

    def _family_page(self, ui: Ui, family_id: int, status=200, errors=None):
        family = self.families.get_family(family_id, ui.actor)
        timeline = ui.listed("timeline", lambda page: self.families.timeline(
            family_id, page, ui.actor))
        helped = ui.listed("help", lambda page: self.families.list_help(
            family_id, page, ui.actor))
        return ui.render("family.html", status, family=family, timeline=timeline,
                         skills=SKILLS, categories=CATEGORIES, errors=errors or {}, form=ui.form,
                         may_plan=ui.actor["role"] in STAFF, helped=helped,
                         help_kinds=HELP_KINDS, help_form=_help_form(ui),
                         today=local_today().isoformat(),
                         may_help=ui.actor["role"] in HELP_RECORDERS)

    @page("POST", "/families/<int:family_id>/care-plan", STAFF)
    def family_care_plan_page(self, ui: Ui, family_id):
        f = ui.request.form
        body = {"every_days": whole(f.get("every_days")), "skills": f.getlist("skills"),
                "starts_on": f.get("starts_on", "")}
        posted = Form(ui, partial(self._family_page, ui, family_id),
                      shown=partial(_errors_by_form_field, ui))
        return posted.submit(lambda: self.families.set_care_plan(family_id, body, ui.actor),
                             f"/families/{family_id}", checked(ui, CarePlanIn(), body))

    @page("POST", "/families/<int:family_id>/category", STAFF)
    def family_category_page(self, ui: Ui, family_id):
        body = {"category": ui.form.get("category", ""),
                "low_income": bool(ui.form.get("low_income"))}
        posted = Form(ui, partial(self._family_page, ui, family_id),
                      shown=partial(_errors_by_form_field, ui))
        return posted.submit(lambda: self.families.update_family(family_id, body, ui.actor),
                             f"/families/{family_id}", checked(ui, FamilyUpdateIn(), body))

    @page("POST", "/families/<int:family_id>/help", HELP_RECORDERS,
          form_page="/families/{family_id}")
    def family_help_page(self, ui: Ui, family_id):
        f = ui.form
        body = {"kind": f.get("help_kind", ""), "on": f.get("help_on", ""),
                "by_member_id": _member_id(f.get("help_by_member_id")),
                "by_volunteer_id": whole(blank_to_none(f.get("help_by_volunteer_id"))),
                "minutes": whole(f.get("help_minutes", "")), "note": f.get("help_note", ""),
                "outcome": blank_to_none(f.get("help_outcome")),
                "follow_up_on": blank_to_none(f.get("help_follow_up_on"))}
        posted = Form(ui, partial(self._family_page, ui, family_id),
                      shown=partial(_help_errors, ui))
        return posted.submit(lambda: self.families.record_help(family_id, body, ui.actor),
                             f"/families/{family_id}?done=help#help",
                             checked(ui, HelpIn(), body, HELP_NAMES))

    @page("GET", "/follow-ups", LEADERSHIP)
    def overdue_follow_ups_page(self, ui: Ui):
        """Help whose follow-up day has passed unmet, under an association (the login's
        own by default)."""
        code = (ui.request.args.get("code") or "").strip() or ui.actor["association_code"]
        overdue = ui.listed("overdue", lambda page: self.families.overdue_follow_ups(
            code, page, ui.actor))
        return ui.render("follow_ups.html", overdue=overdue, code=code)


def _help_form(ui: Ui) -> dict:
    """What the help form shows: what was posted, or what a link asked it to be filled
    with (a care visit done offers to record the help it gave)."""
    if ui.request.method == "POST":
        return ui.form
    return {name: value for name in HELP_NAMES.values()
            if (value := (ui.request.args.get(name) or "").strip())}


def _help_errors(ui: Ui, error: DomainError) -> dict:
    shown = field_errors(ui, error, HELP_NAMES)
    if "_form" in shown:
        shown[HELP_OTHER] = shown.pop("_form")
    return shown


def _member_id(typed: str | None):
    """The member typed as the pages number them (M-341181-00012) or as their id."""
    matched = MEMBER_NO.fullmatch(typed or "")
    return int(matched.group(1)) if matched else whole(blank_to_none(typed))
