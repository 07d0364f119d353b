"""Import pages: a register's template, a spreadsheet uploaded and run dry, the report of
what it would do (every error by row and column), and only then, on confirmation, the same
file run for real."""
from services.gateway.imports import bringing, runs, workbooks
from services.gateway.imports.registers import REGISTERS
from services.gateway.routes import MULTIPART_ALLOWANCE, not_text
from services.gateway.views import import_view
from services.gateway.web.ui import Ui, page
from shared.actors import IMPORTERS
from shared.errors import InvalidInput
from shared.settings import import_max_bytes

RUN_PAGE = "/imports/runs/{run_id}"
EXTENSIONS = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet," \
             "text/csv"


def _upload_limit() -> int:
    return import_max_bytes() + MULTIPART_ALLOWANCE


def _mine(ui: Ui) -> tuple[str, ...]:
    return tuple(name for name, register in REGISTERS.items()
                 if ui.actor["role"] in register.roles)


class ImportPages:
    @page("GET", "/imports", IMPORTERS)
    def imports_home(self, ui: Ui):
        return self._imports_page(ui)

    def _imports_page(self, ui: Ui, status=200, errors=None):
        mine = _mine(ui)
        recent = [import_view(run, ui.language) for run in runs.recent(self.db, ui.actor, mine)]
        return ui.render("imports.html", status, registers=mine, recent=recent,
                         errors=errors or {}, form=ui.form, accept=EXTENSIONS,
                         limit_mib=import_max_bytes() // (1024 * 1024))

    @page("GET", "/imports/<register>/template.xlsx", IMPORTERS)
    def import_template_page(self, ui: Ui, register):
        if register not in _mine(ui):
            return ui.render("error.html", 404, message=ui.gettext("Not found"))
        return workbooks.template_response(REGISTERS[register], ui.language)

    @page("POST", "/imports", IMPORTERS, body_limit=_upload_limit)
    def import_upload_page(self, ui: Ui):
        """A file sent with the register it holds: run dry, kept for the confirmation."""
        register = ui.form.get("register", "")
        upload = ui.request.files.get("file")
        filename = ((upload.filename or "") if upload is not None else "").replace("\\", "/")
        content = upload.read() if upload is not None else b""
        errors = {}
        if register not in _mine(ui):
            errors["register"] = [ui.gettext("Choose the register the file holds.")]
        if not (filename or content):
            errors["file"] = [ui.gettext("Choose the file to upload.")]
        elif not_text([filename]):
            errors["file"] = [ui.gettext(
                "Contains a character that is not text (NUL or a lone surrogate).")]
        if errors:
            return self._imports_page(ui, 422, errors)
        try:
            run = bringing.bring_in(self, ui.actor, register,
                                    filename.rsplit("/", 1)[-1][:200] or None, content,
                                    dry_run=True, all_or_nothing=False, keep=True)
        except InvalidInput as refused:  # not the register's spreadsheet: said on the form
            return self._imports_page(ui, 422, _refusal(ui, refused))
        return ui.redirect(RUN_PAGE.format(run_id=run.id))

    @page("GET", "/imports/runs/<run_id>", IMPORTERS)
    def import_run_page(self, ui: Ui, run_id):
        run = runs.get(self.db, ui.actor, run_id)
        report = import_view(run, ui.language)
        errors = ui.sliced("errors", report["errors"], 50)
        return ui.render("import_run.html", run=report, errors=errors,
                         confirmable=run.dry_run and report["status"] == "done"
                         and report["valid"] and runs.has_file(self.db, run_id))

    @page("POST", "/imports/runs/<run_id>/confirm", IMPORTERS, form_page=RUN_PAGE)
    def import_confirm_page(self, ui: Ui, run_id):
        """The dry run's file, run for real (all or nothing if asked)."""
        dry, content = runs.taken(self.db, ui.actor, run_id)
        run = bringing.bring_in(self, ui.actor, dry.register, dry.filename, content,
                                dry_run=False,
                                all_or_nothing=ui.form.get("all_or_nothing") == "yes")
        return ui.redirect(RUN_PAGE.format(run_id=run.id))

    @page("GET", "/imports/runs/<run_id>/errors.xlsx", IMPORTERS)
    def import_errors_page(self, ui: Ui, run_id):
        return workbooks.errors_response(runs.get(self.db, ui.actor, run_id), ui.language)


def _refusal(ui: Ui, refused: InvalidInput) -> dict:
    if refused.code == "wrong_columns":
        fields = refused.fields
        said = []
        if fields.get("missing"):
            said.append(ui.gettext("Missing columns: %(names)s") % {
                "names": ui.gettext(", ").join(fields["missing"])})
        if fields.get("unknown"):
            said.append(ui.gettext("Columns the register does not have: %(names)s") % {
                "names": ui.gettext(", ").join(fields["unknown"])})
        if fields.get("twice"):
            said.append(ui.gettext("Columns given twice: %(names)s") % {
                "names": ui.gettext(", ").join(fields["twice"])})
        return {"file": said}
    return {"file": [ui.say(message) for messages in refused.fields.values()
                     for message in messages] or [ui.say(refused.message)]}
