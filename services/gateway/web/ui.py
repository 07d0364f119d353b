"""One browser request: who is logged in (a session cookie holding the same bearer token
the API uses), the language, CSRF protection for forms, and rendering templates."""
import hashlib
import hmac
import logging
from functools import wraps
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from services.gateway.auth import Unauthorized, current_actor
from services.gateway.routes import UNREACHABLE
from services.gateway.web import i18n
from services.gateway.web_server import http
from shared.money import format_yuan
from shared.observability import set_correlation_id
from shared.settings import token_secret

log = logging.getLogger(__name__)
SESSION, LANGUAGE = "phf_session", "phf_lang"
HOMES = {"donor": "/donor", "staff": "/staff", "admin": "/staff", "coordinator": "/coordinator",
         "volunteer": "/volunteer", "auditor": "/staff"}
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
TEMPLATES.filters["yuan"] = lambda fen: "" if fen is None else format_yuan(fen)


class Ui:
    def __init__(self, request):
        self.request = request
        self.form = request.form.to_dict() if request.method == "POST" else {}
        self.language = i18n.pick(request.cookies.get(LANGUAGE),
                                  request.headers.get("Accept-Language"))
        self.gettext = i18n.translations(self.language).gettext
        self.token = request.cookies.get(SESSION)
        self.actor = None

    def csrf(self) -> str:
        # Tied to the session token: a page of another site cannot know it.
        return hmac.new(token_secret().encode(), (self.token or "").encode(),
                        hashlib.sha256).hexdigest()[:32]

    def render(self, template: str, status: int = 200, **context) -> Response:
        html = TEMPLATES.get_template(template).render(
            _=self.gettext, lang=self.language, actor=self.actor, csrf=self.csrf(),
            path=self.request.path, **context)
        return Response(html, status=status, mimetype="text/html")

    def redirect(self, location: str) -> Response:
        return Response("", status=303, headers={"Location": location})


def page(method: str, path: str, roles: tuple[str, ...] | None):
    """A web page: logged-in role checked, POSTs CSRF-checked, failures shown as pages."""
    def decorate(handler):
        @wraps(handler)
        def endpoint(self, request, **path_args):
            ui = Ui(request)
            self.context.data["correlation_id"] = request.headers.get("X-Correlation-ID") or \
                self.context.call_id
            set_correlation_id(self.context.data["correlation_id"])
            if roles is not None:
                try:
                    ui.actor = current_actor(self.db, f"Bearer {ui.token}")
                except Unauthorized:
                    return ui.redirect("/login?next=" + quote(request.path))
                except Exception:  # the login table unreachable: a page, not a traceback
                    log.exception("page %s: could not check the login", request.path)
                    return ui.render("error.html", 500, message=ui.gettext(
                        "Something went wrong on our side."))
                if ui.actor["role"] not in roles:
                    return ui.render("error.html", 403, message=ui.gettext(
                        "This page is not for your role."))
                if method == "POST" and not hmac.compare_digest(ui.form.get("csrf", ""),
                                                                ui.csrf()):
                    return ui.render("error.html", 403, message=ui.gettext(
                        "The form expired; go back, reload and try again."))
            try:
                return handler(self, ui, **path_args)
            except UNREACHABLE:  # the broker or a service is away for the moment
                return ui.render("error.html", 503, message=ui.gettext(
                    "A service did not answer; try again shortly."))
            except Exception:  # a page that failed says so, in the user's language
                log.exception("page %s failed", request.path)
                return ui.render("error.html", 500, message=ui.gettext(
                    "Something went wrong on our side."))
        return http(method, path)(endpoint)
    return decorate


def field_errors(ui: Ui, error, names: dict[str, str] | None = None) -> dict:
    """The server's field errors under the form's own field names, in the chosen language."""
    names = names or {}
    shown = {}
    for field, messages in (error.fields or {}).items():
        shown[names.get(field, field)] = [ui.gettext(m) for m in messages]
    if not shown:
        shown["_form"] = [ui.gettext(error.message)]
    return shown
