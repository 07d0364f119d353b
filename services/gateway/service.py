"""The front door: HTTP in, RPC out. The API's routes live in `api/`, one module per service,
as the pages do in `web/`; this class joins them with its RPC proxies, its health answer, the
OpenAPI document and the router's own refusals. Roles are checked here; rules live in the
services."""
import eventlet
from sqlalchemy import text

from services.gateway import openapi
from services.gateway.api.applications import ApplicationsApi
from services.gateway.api.assessment import AssessmentApi
from services.gateway.api.associations import AssociationsApi
from services.gateway.api.audit import AuditApi
from services.gateway.api.auth import AuthApi
from services.gateway.api.calendar import CalendarApi
from services.gateway.api.families import FamiliesApi
from services.gateway.api.fund import FundApi
from services.gateway.api.imports import ImportsApi
from services.gateway.api.insurance import InsuranceApi
from services.gateway.api.notifications import NotificationsApi
from services.gateway.api.users import UsersApi
from services.gateway.api.volunteers import VolunteersApi
from services.gateway.context import WorkerContext
from services.gateway.problems import Problem
from services.gateway.public_changes import PublicChanges
from services.gateway.readiness import BrokerCheck
from services.gateway.routes import Answer, route
from services.gateway.schemas import HealthOut, ReadyOut
from services.gateway.web.admin_pages import AdminPages
from services.gateway.web.application_pages import ApplicationPages
from services.gateway.web.assessment_pages import AssessmentPages
from services.gateway.web.association_pages import AssociationPages
from services.gateway.web.audit_pages import AuditPages
from services.gateway.web.auth_pages import AuthPages
from services.gateway.web.export_pages import ExportPages
from services.gateway.web.family_pages import FamilyPages
from services.gateway.web.fund_pages import FundPages, PublicPages
from services.gateway.web.import_pages import ImportPages
from services.gateway.web.insurance_pages import InsurancePages
from services.gateway.web.notification_pages import NotificationPages
from services.gateway.web.renewal_pages import RenewalPages
from services.gateway.web.volunteer_pages import VolunteerPages
from services.gateway.web_server import http
from shared import remote_errors  # noqa: F401 (the services' errors arrive as themselves)
from shared.db import Database
from shared.observability import WorkLog
from shared.rpc import RpcProxy

HEALTH_TIMEOUT_SECONDS = 3


class GatewayService(AuthApi, UsersApi, FundApi, InsuranceApi, VolunteersApi, CalendarApi,
                     ApplicationsApi, FamiliesApi, AssociationsApi, ImportsApi, AuditApi,
                     NotificationsApi, AuthPages, AdminPages, FundPages, PublicPages,
                     InsurancePages, VolunteerPages, ApplicationPages, FamilyPages,
                     AssociationPages, ExportPages, ImportPages, AuditPages, NotificationPages,
                     RenewalPages, AssessmentApi, AssessmentPages, PublicChanges):
    """The API under /api/v1 and the web pages at /. The gateway authenticates and checks
    coarse roles; who may do what to which record (ownership, acting as oneself, four eyes)
    is each service's own rule."""

    name = "gateway"

    context = WorkerContext()
    work_log = WorkLog()
    db = Database("gateway")
    fund = RpcProxy("fund")
    insurance = RpcProxy("insurance")
    volunteers = RpcProxy("volunteers")
    families = RpcProxy("families")
    notifications = RpcProxy("notifications")
    broker = BrokerCheck()

    @route("GET", "/healthz", "Every service answers", None, response=HealthOut)
    def healthz(self, call):
        services = {"gateway": self._check(self._own_database),
                    "fund": self._check(self.fund.health),
                    "insurance": self._check(self.insurance.health),
                    "volunteers": self._check(self.volunteers.health),
                    "families": self._check(self.families.health),
                    "notifications": self._check(self.notifications.health)}
        ok = all(state == "ok" for state in services.values())
        return Answer(200 if ok else 503, {"status": "ok" if ok else "degraded",
                                           "services": services})

    @route("GET", "/readyz", "This gateway can serve: its own database and the broker "
           "answer (the services are /healthz's business: one down takes no gateway out)",
           None, response=ReadyOut)
    def readyz(self, call):
        checks = {"database": self._check(self._own_database),
                  "broker": self._check(self.broker)}
        ok = all(state == "ok" for state in checks.values())
        return Answer(200 if ok else 503, {"status": "ok" if ok else "not_ready",
                                           "checks": checks})

    @route("GET", "/api/v1/openapi.json", "This document", None)
    def openapi_document(self, call):
        return openapi.build()

    @http("GET,POST", "/<path:anything>")  # other methods: 405 from the router
    def not_found(self, request, anything):
        return Problem(404, f"Nothing at /{anything}.", "no_such_path").response()

    def _own_database(self):
        with self.db.transaction() as session:
            session.execute(text("SELECT 1"))

    @staticmethod
    def _check(probe) -> str:
        try:
            with eventlet.Timeout(HEALTH_TIMEOUT_SECONDS):
                probe()
            return "ok"
        except (Exception, eventlet.Timeout) as exc:
            return f"down: {type(exc).__name__}"
