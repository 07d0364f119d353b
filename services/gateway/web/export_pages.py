"""A list on a page, downloaded as a spreadsheet with the page's login: the API's own export
of that list (its roles, its filters, its columns), called with the page's session instead
of a bearer token."""
from services.gateway.routes import ROUTES, Call
from services.gateway.web.ui import Ui, page
from shared.actors import ROLES, load


def _exports() -> dict:
    """The API's export routes by the list they export (`/api/v1/insurance/claims/export`:
    `claims`)."""
    return {route.path.split("/")[-2]: route for route in ROUTES
            if route.method == "GET" and route.path.endswith("/export")
            and "<" not in route.path}  # an export of one record's (a year's) has its page


class ExportPages:
    @page("GET", "/export/<register>", ROLES)
    def export_page(self, ui: Ui, register):
        export = _exports().get(register)
        if export is None:
            return ui.render("error.html", 404, message=ui.gettext("Not found"))
        if ui.actor["role"] not in export.roles:
            return ui.render("error.html", 403, message=ui.gettext(
                "This page is not for your role."))
        query = load(export.query(), ui.request.args.to_dict())
        return export.handler(self, Call(ui.request, ui.actor, None, query, None))
