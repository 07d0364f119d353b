"""The auditor's page: the audit log of every service (who saw unmasked personal data or
changed a person's record, when, what and why), found by service, action or record, a page
at a time."""
from services.gateway import audit_log
from services.gateway.schemas import AUDITED, AuditListIn
from services.gateway.views import audit_item_view
from services.gateway.web.forms import checked
from services.gateway.web.ui import Ui, page
from services.gateway.web.words import AUDIT_WORDS
from shared.actors import AUDIT_READERS, ROLES, load
from shared.audit_chain import ACTIONS, SUBJECTS

FILTERS = ("service", "action", "subject_kind", "subject_id")
NO_ENTRIES = {"items": [], "total": 0}


class AuditPages:
    @page("GET", "/audit", AUDIT_READERS)
    def audit_page(self, ui: Ui):
        wanted = {name: value for name in FILTERS
                  if (value := (ui.request.args.get(name) or "").strip())}
        errors = checked(ui, AuditListIn(), wanted)

        def fetch(cut: dict) -> dict:
            query = load(AuditListIn(), {**wanted, **cut})
            return audit_log.gather(self, query, ui.actor).shaped(audit_item_view)
        entries = ui.listed("entries", lambda cut: NO_ENTRIES if errors else fetch(cut))
        return ui.render("audit.html", 422 if errors else 200, entries=entries, wanted=wanted,
                         errors=errors, services=AUDITED, actions=ACTIONS,
                         kinds=sorted(SUBJECTS), roles=ROLES, named=_naming(ui))


def _naming(ui: Ui):
    """`named(part, code)`: a code of an audit entry as the reader's words say it."""
    def named(part: str, code: str) -> str:
        found = AUDIT_WORDS[part].get(code)
        return ui.gettext(found) if found else code
    return named
