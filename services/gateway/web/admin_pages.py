"""The admin's page: the association's logins and the projects inside its funds."""
from functools import partial

from services.gateway import accounts
from services.gateway.schemas import UserIn
from services.gateway.views import user_view
from services.gateway.web.forms import Form, checked, yuan_field
from services.gateway.web.fund_pages import projects_with_money
from services.gateway.web.ui import Ui, page
from shared import regions
from shared.actors import ADMIN, COUNTY_ROLES, ROLES, load
from shared.contracts.fund import ProjectIn

PROJECT_FIELDS = {"budget_fen": "budget_yuan"}


class AdminPages:
    @page("GET", "/admin", ADMIN)
    def admin_home(self, ui: Ui):
        return self._admin_page(ui)

    def _admin_page(self, ui: Ui, status=200, errors=None, which=None):
        people = ui.listed("users", self._users(ui))
        funds = self.fund.list_funds(ui.actor)["items"]
        owned = projects_with_money(self.fund, funds, ui)
        # A province's or city's admin makes logins of its own and of the counties under it.
        above = regions.above_counties(ui.actor["association_code"])
        return ui.render("admin.html", status, users=people, above=above,
                         roles=ROLES if above else COUNTY_ROLES, funds=funds,
                         projects=ui.sliced("projects", owned), errors=errors or {},
                         which=which, form=ui.form)

    def _users(self, ui: Ui):
        def fetch(page: dict) -> dict:
            with self.db.transaction() as session:
                return accounts.list_users(session, ui.actor["association_code"],
                                           page["limit"], page["offset"]).shaped(user_view)
        return fetch

    @page("POST", "/admin/users", ADMIN)
    def admin_create_user(self, ui: Ui):
        wanted = {name: ui.form.get(name, "") for name in
                  ("username", "password", "role", "display_name")}
        wanted["association_code"] = (ui.form.get("association_code") or "").strip() or None

        def create():
            body = load(UserIn(), wanted)
            association = accounts.placed(
                body, ui.actor["association_code"],
                lambda code: self.families.get_association(code, ui.actor))
            with self.db.transaction() as session:
                accounts.create_user(session, body, association)
        return Form(ui, partial(self._admin_page, ui, which="user")).submit(create, "/admin")

    @page("POST", "/admin/users/<username>/deactivate", ADMIN)
    def admin_deactivate_user(self, ui: Ui, username):
        def deactivate():
            with self.db.transaction() as session:
                accounts.deactivate_user(session, username, ui.actor["association_code"],
                                         ui.actor["username"])
        return Form(ui, partial(self._admin_page, ui), at="_users").submit(deactivate, "/admin")

    @page("POST", "/admin/projects", ADMIN)
    def admin_create_project(self, ui: Ui):
        f = ui.form
        found = {}
        body = {"code": f.get("code", ""), "name": f.get("name", ""),
                "purpose": f.get("purpose", "")}
        if (f.get("budget_yuan") or "").strip():  # a project may have no budget
            body["budget_fen"] = yuan_field(ui, found, "budget_yuan")
        posted = Form(ui, partial(self._admin_page, ui, which="project"), names=PROJECT_FIELDS)
        return posted.submit(
            lambda: self.fund.create_project(f.get("fund_code", ""), body, ui.actor), "/admin",
            checked(ui, ProjectIn(), body, PROJECT_FIELDS, found))
