"""Log in and out, choose a language, land on the role's home."""
import secrets
from urllib.parse import quote, urlparse

from services.gateway.auth import Unauthorized, log_in, revoke
from services.gateway.routes import client_address
from services.gateway.throttle import Throttled
from services.gateway.web import i18n
from services.gateway.web.static_files import serve
from services.gateway.web.ui import HOMES, LANGUAGE, LOGIN_NONCE, SESSION, Ui, on_site, page
from services.gateway.web_server import http
from shared.actors import ROLES
from shared.settings import secure_cookies

_URL_SAFE = "/?&=%+:;,@!$'()*~"  # kept as they are; anything else (not ASCII) %-encoded


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: never redirect a login to another host.
    return on_site(target)


class AuthPages:
    @page("GET", "/", None)
    def web_root(self, ui: Ui):
        return ui.redirect("/login")

    @page("GET", "/login", None)
    def login_form(self, ui: Ui):
        fresh = not ui.login_nonce
        if fresh:
            ui.login_nonce = secrets.token_urlsafe(24)
        response = ui.render("login.html", next=ui.request.args.get("next", ""), errors={})
        if fresh:
            response.set_cookie(LOGIN_NONCE, ui.login_nonce, httponly=True, samesite="Lax",
                                secure=secure_cookies())
        return response

    @page("POST", "/login", None)
    def login(self, ui: Ui):
        username, password = ui.form.get("username", ""), ui.form.get("password", "")
        again = {"next": ui.form.get("next", ""), "username": username}
        if not ui.csrf_ok():
            return ui.render("login.html", 403, errors={"_form": [ui.gettext(
                "The form expired; go back, reload and try again.")]}, **again)
        try:
            user, token, ttl = log_in(self.db, username, password,
                                      client_address(ui.request))
        except Throttled as throttled:
            response = ui.render("login.html", 429, errors={"_form": [ui.gettext(
                "Too many failed logins; try again in %(seconds)s seconds.") % {
                    "seconds": throttled.retry_after}]}, **again)
            response.headers["Retry-After"] = str(throttled.retry_after)
            return response
        except Unauthorized:
            return ui.render("login.html", 401, errors={"_form": [ui.gettext(
                "Unknown username or wrong password.")]}, **again)
        response = ui.redirect(_safe_next(ui.form.get("next")) or HOMES[user.role])
        response.set_cookie(SESSION, token, max_age=ttl, httponly=True, samesite="Lax",
                            secure=secure_cookies())
        response.delete_cookie(LOGIN_NONCE)
        return response

    @page("POST", "/logout", ROLES)
    def logout(self, ui: Ui):
        revoke(self.db, f"Bearer {ui.token}")
        response = ui.redirect("/login")
        response.delete_cookie(SESSION)
        return response

    @http("GET", "/lang/<code>")
    def choose_language(self, request, code):
        """Back to the page the switch was on: its links name it (for a form's POST, the
        form's page: see `page`); the Referer only for links from elsewhere."""
        given = request.args.get("back") or urlparse(request.headers.get("Referer", "")).path
        target = _safe_next(given)
        back = quote(target, safe=_URL_SAFE, errors="replace") if target else "/login"
        response = Ui(request).redirect(back)
        if code in i18n.LANGUAGES:
            response.set_cookie(LANGUAGE, code, max_age=365 * 86400, samesite="Lax")
        return response

    @http("GET", "/static/<path:name>")
    def static(self, request, name):
        return serve(name)

    @http("GET", "/favicon.ico")
    def favicon(self, request):
        # Where browsers and bookmarks look for it whatever a page's <link> says.
        return serve("favicon.ico")
