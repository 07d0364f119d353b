"""The imports API: a register's template, a spreadsheet of it brought in (a dry run
first), how far an import has got, and the rows it found in error as a workbook."""
import tempfile

from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from services.gateway.exports import CHUNK, SPOOL_BYTES, XLSX, language_of
from services.gateway.imports import reading, running, runs, workbooks
from services.gateway.imports.registers import REGISTERS
from services.gateway.routes import route
from services.gateway.schemas import ImportFileIn, ImportOut, ImportQueryIn, TemplateIn
from services.gateway.views import error_lines, headers_of, import_view
from services.gateway.web import i18n
from shared.actors import COORDINATORS, STAFF
from shared.errors import Forbidden, NotFound
from shared.settings import import_max_bytes

IMPORTERS = tuple(dict.fromkeys(STAFF + COORDINATORS))
BRING_IN = ("Bring in {} from a spreadsheet (multipart `file`: .xlsx, or CSV in UTF-8 or "
            "GB18030; at most IMPORT_MAX_BYTES): a dry run unless ?dry_run=false")


def importing(name: str):
    register = REGISTERS[name]
    return route("POST", f"/api/v1/imports/{name}", BRING_IN.format(name), register.roles,
                 upload=ImportFileIn, upload_limit=import_max_bytes, query=ImportQueryIn,
                 response=ImportOut, tags=["imports"])


class ImportsApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/imports/templates/<register>.xlsx", "A register's template: its "
           "headers (Chinese; ?lang=en for English, both accepted) and drop-down lists",
           IMPORTERS, query=TemplateIn, binary=(XLSX,), tags=["imports"])
    def import_template(self, call, register):
        found = _register(register, call.actor)
        content = workbooks.template(found, language_of(call))
        return Response(content, mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{register}-template.xlsx"'})

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
        run = runs.get(self.db, call.actor, import_id)
        language = language_of(call)
        why: dict[int, list[str]] = {}
        for line in error_lines(run, (run.report or {}).get("errors", []), language):
            said = f"{line['column']}: {line['message']}" if line["column"] else line["message"]
            why.setdefault(line["row"], []).append(said)
        spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        workbooks.errors(spooled, run.headers or list(headers_of(run).values()),
                         run.rows_in_error or [],
                         {row: i18n.translations(language).gettext("; ").join(said)
                          for row, said in why.items()}, language)
        size = spooled.tell()
        spooled.seek(0)
        return Response(FileWrapper(spooled, CHUNK), mimetype=XLSX, direct_passthrough=True,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{run.register}-errors.xlsx"',
                                 "Content-Length": str(size)})

def bring_in(gateway, call, name: str):
    """The file read, its headers checked, its rows sent to the register's service a batch
    at a time; the run recorded as it goes."""
    register = REGISTERS[name]
    filename = call.body["filename"]
    sheet = reading.read(call.body["content"], filename)
    running.columns_of(register, sheet.headers, filename)  # wrong headers: refused now
    dry_run, all_or_nothing = call.query["dry_run"], call.query["all_or_nothing"]
    run_id = runs.start(gateway.db, call.actor, name, filename, sheet, dry_run=dry_run,
                        all_or_nothing=all_or_nothing)
    owner = getattr(getattr(gateway, register.service), register.call)
    try:
        report = running.run(
            register, sheet, lambda batch: owner(batch, call.actor), dry_run=dry_run,
            all_or_nothing=all_or_nothing, filename=filename,
            progress=lambda done, to_do: runs.progress(gateway.db, run_id, done, to_do))
    except Exception as failed:
        runs.fail(gateway.db, run_id, f"{type(failed).__name__}: {failed}")
        raise
    return import_view(runs.finish(gateway.db, run_id, report, sheet), language_of(call))


def _register(name: str, actor: dict):
    found = REGISTERS.get(name)
    if found is None:
        raise NotFound(f"No register {name}; there are {', '.join(REGISTERS)}.",
                       "register_not_found")
    if actor["role"] not in found.roles:
        raise Forbidden(f"The {actor['role']} role may not import {name}.", "role_not_allowed")
    return found
