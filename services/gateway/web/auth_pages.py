"""Log in and out, choose a language, land on the role's home."""
from urllib.parse import urlparse

from services.gateway.auth import Unauthorized, authenticate, issue_token
from services.gateway.web import i18n
from services.gateway.web.static_files import serve
from services.gateway.web.ui import HOMES, LANGUAGE, SESSION, Ui, page
from services.gateway.web_server import http
from shared.actors import ROLES


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: never redirect a login to another host.
    if target and target.startswith("/") and not target.startswith("//") and \
            not urlparse(target).netloc:
        return target
    return None


class AuthPages:
    @page("GET", "/", None)
    def web_root(self, ui: Ui):
        return ui.redirect("/login")

    @page("GET", "/login", None)
    def login_form(self, ui: Ui):
        return ui.render("login.html", next=ui.request.args.get("next", ""), errors={})

    @page("POST", "/login", None)
    def login(self, ui: Ui):
        username, password = ui.form.get("username", ""), ui.form.get("password", "")
        try:
            with self.db.transaction() as session:
                user = authenticate(session, username, password)
                token, ttl = issue_token(user)
                role = user.role
        except Unauthorized:
            return ui.render("login.html", 401, next=ui.form.get("next", ""),
                             username=username, errors={"_form": [ui.gettext(
                                 "Unknown username or wrong password.")]})
        response = ui.redirect(_safe_next(ui.form.get("next")) or HOMES[role])
        response.set_cookie(SESSION, token, max_age=ttl, httponly=True, samesite="Lax")
        return response

    @page("POST", "/logout", ROLES)
    def logout(self, ui: Ui):
        response = ui.redirect("/login")
        response.delete_cookie(SESSION)
        return response

    @http("GET", "/lang/<code>")
    def choose_language(self, request, code):
        back = _safe_next(urlparse(request.headers.get("Referer", "")).path) or "/login"
        response = Ui(request).redirect(back)
        if code in i18n.LANGUAGES:
            response.set_cookie(LANGUAGE, code, max_age=365 * 86400, samesite="Lax")
        return response

    @http("GET", "/static/<path:name>")
    def static(self, request, name):
        return serve(name)
