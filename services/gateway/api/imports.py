"""The imports API: a register's template, a spreadsheet of it brought in (a dry run
first), how far an import has got, and the rows it found in error as a workbook."""
from services.gateway.exports import XLSX, language_of
from services.gateway.imports import bringing, runs, workbooks
from services.gateway.imports.registers import REGISTERS
from services.gateway.routes import Answer, route
from services.gateway.schemas import ImportFileIn, ImportOut, ImportQueryIn, TemplateIn
from services.gateway.views import import_view
from shared.actors import IMPORTERS
from shared.errors import Forbidden, NotFound
from shared.settings import import_max_bytes

BRING_IN = ("Bring in {} from a spreadsheet (multipart `file`: .xlsx, or CSV in UTF-8 or "
            "GB18030; at most IMPORT_MAX_BYTES): a dry run unless ?dry_run=false; 200 when "
            "done, 202 while still running (follow GET /api/v1/imports/{{import_id}})")


def importing(name: str):
    register = REGISTERS[name]
    return route("POST", f"/api/v1/imports/{name}", BRING_IN.format(name), register.roles,
                 upload=ImportFileIn, upload_limit=import_max_bytes, query=ImportQueryIn,
                 response=ImportOut, also=(202,), tags=["imports"])


class ImportsApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/imports/templates/<register>.xlsx", "A register's template: its "
           "headers (Chinese; ?lang=en for English, both accepted) and drop-down lists",
           IMPORTERS, query=TemplateIn, binary=(XLSX,), tags=["imports"])
    def import_template(self, call, register):
        return workbooks.template_response(_register(register, call.actor), language_of(call))

    @importing("families")
    def import_families(self, call):
        return bring_in(self, call, "families")

    @importing("members")
    def import_members(self, call):
        return bring_in(self, call, "members")

    @importing("volunteers")
    def import_volunteers(self, call):
        return bring_in(self, call, "volunteers")

    @importing("policies")
    def import_policies(self, call):
        return bring_in(self, call, "policies")

    @importing("donors")
    def import_donors(self, call):
        return bring_in(self, call, "donors")

    @route("GET", "/api/v1/imports/<import_id>", "An import: running, done or failed, how "
           "far it has got and what it found", IMPORTERS, query=TemplateIn, response=ImportOut,
           tags=["imports"])
    def get_import(self, call, import_id):
        return import_view(runs.get(self.db, call.actor, import_id), language_of(call))

    @route("GET", "/api/v1/imports/<import_id>/errors.xlsx", "An import's rows in error as "
           "the file had them, each with why", IMPORTERS, query=TemplateIn, binary=(XLSX,),
           tags=["imports"])
    def import_errors(self, call, import_id):
        return workbooks.errors_response(runs.get(self.db, call.actor, import_id),
                                         language_of(call))


def bring_in(gateway, call, name: str) -> Answer:
    """200 with the finished import, or 202 with it still running (follow
    GET /api/v1/imports/{import_id})."""
    run = bringing.bring_in(gateway, call.actor, name, call.body["filename"],
                            call.body["content"], dry_run=call.query["dry_run"],
                            all_or_nothing=call.query["all_or_nothing"])
    shown = import_view(run, language_of(call))
    return Answer(202 if shown["status"] == "running" else 200, shown)


def _register(name: str, actor: dict):
    found = REGISTERS.get(name)
    if found is None:
        raise NotFound(f"No register {name}; there are {', '.join(REGISTERS)}.",
                       "register_not_found")
    if actor["role"] not in found.roles:
        raise Forbidden(f"The {actor['role']} role may not import {name}.", "role_not_allowed")
    return found
