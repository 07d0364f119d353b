"""The audit log API: who saw unmasked personal data or changed a person's record, when, what
and why, from every service's log, for those who audit."""
from services.gateway import audit_log
from services.gateway.routes import route
from services.gateway.schemas import AuditItemOut, AuditListIn
from services.gateway.views import audit_item_view
from shared.actors import AUDIT_READERS


class AuditApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/audit", "The audit log, the latest first: each reveal of unmasked "
           "personal data and each change to a person's record (the fields by name, never "
           "their values), with who, when and why; by service, action or record",
           AUDIT_READERS, query=AuditListIn, response=AuditItemOut, many=True, tags=["audit"])
    def audit_log(self, call):
        return audit_log.gather(self, call.query, call.actor).shaped(audit_item_view)
