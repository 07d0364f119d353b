"""Log in and out, choose a language, land on the role's home."""
import secrets
from urllib.parse import quote, urlparse

from services.gateway import passwords
from services.gateway.auth import Token, Unauthorized, change_password, log_in, revoke
from services.gateway.routes import client_address
from services.gateway.schemas import PasswordIn
from services.gateway.throttle import Throttled
from services.gateway.web import i18n
from services.gateway.web.forms import Again, checked, field_errors, too_many
from services.gateway.web.static_files import serve
from services.gateway.web.ui import (
    HOMES,
    LANGUAGE,
    LOGIN_NONCE,
    PASSWORD_PAGE,
    READING,
    SESSION,
    Ui,
    on_site,
    page,
)
from services.gateway.web_server import http
from shared.actors import ROLES
from shared.errors import InvalidInput
from shared.settings import secure_cookies

_URL_SAFE = "/?&=%+:;,@!$'()*~"  # kept as they are; anything else (not ASCII) %-encoded


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: never redirect a login to another host.
    return on_site(target)


def with_form_nonce(ui: Ui, render):
    """A form posted without a session (logging in, applying to volunteer): its CSRF token
    rests on a nonce cookie, set on the first visit. `render()` makes the page."""
    fresh = not ui.login_nonce
    if fresh:
        ui.login_nonce = secrets.token_urlsafe(24)
    response = render()
    if fresh:
        response.set_cookie(LOGIN_NONCE, ui.login_nonce, httponly=True, samesite="Lax",
                            secure=secure_cookies())
    return response


def _again(ui: Ui, template: str, **context) -> Again:
    """A form's page of its own (`template`), shown again with its errors."""
    return lambda status, errors: ui.render(template, status, errors=errors, **context)


def _password_page(ui: Ui) -> Again:
    return _again(ui, "password.html", minimum=passwords.min_length(ui.actor["role"]))


def _logged_in(response, token: Token):
    response.set_cookie(SESSION, token.value, max_age=token.ttl, httponly=True, samesite="Lax",
                        secure=secure_cookies())
    return response


class AuthPages:
    @page("GET", "/", None)
    def web_root(self, ui: Ui):
        return ui.redirect("/login")

    @page("GET", "/login", None)
    def login_form(self, ui: Ui):
        return with_form_nonce(ui, lambda: ui.render(
            "login.html", next=ui.request.args.get("next", ""), errors={},
            expired=bool(ui.request.args.get("expired"))))

    @page("POST", "/login", None)
    def login(self, ui: Ui):
        username = ui.form.get("username", "")
        password = ui.form.get("password", "")
        again = _again(ui, "login.html", next=ui.form.get("next", ""), username=username)
        if not ui.csrf_ok():
            return again(403, {"_form": [ui.gettext(
                "The form expired; go back, reload and try again.")]})
        try:
            token = log_in(self.db, username, password, client_address(ui.request))
        except Throttled as throttled:
            return too_many(again, throttled, ui.gettext(
                "Too many failed logins; try again in %(seconds)s seconds."))
        except Unauthorized:
            return again(401, {"_form": [ui.gettext("Unknown username or wrong password.")]})
        # A one-time password is changed before anything else.
        target = PASSWORD_PAGE if token.user.must_change_password else \
            _safe_next(ui.form.get("next")) or HOMES[token.user.role]
        response = _logged_in(ui.redirect(target), token)
        response.delete_cookie(LOGIN_NONCE)
        return response

    @page("GET", PASSWORD_PAGE, ROLES, password_pending=True)
    def password_form(self, ui: Ui):
        return _password_page(ui)(200, {})

    @page("POST", PASSWORD_PAGE, ROLES, PASSWORD_PAGE, password_pending=True)
    def password_change(self, ui: Ui):
        """The new password, then the role's home, on the new session the change gives."""
        body = {"current_password": ui.form.get("current_password", ""),
                "new_password": ui.form.get("new_password", "")}
        typo = body["new_password"] != ui.form.get("new_password_again")
        errors = checked(ui, PasswordIn(), body, found={"new_password_again": [
            ui.gettext("The two new passwords differ.")]} if typo else None)
        again = _password_page(ui)
        if errors:
            return again(422, errors)
        try:
            token = change_password(self.db, f"Bearer {ui.token}", body["current_password"],
                                    body["new_password"], client_address(ui.request))
        except InvalidInput as wrong:
            return again(422, field_errors(ui, wrong))
        except Throttled as throttled:
            return too_many(again, throttled, ui.gettext(
                "Too many failed logins; try again in %(seconds)s seconds."))
        return _logged_in(ui.redirect(HOMES[token.user.role]), token)

    @page("POST", "/logout", ROLES, password_pending=True)
    def logout(self, ui: Ui):
        revoke(self.db, f"Bearer {ui.token}")
        response = ui.redirect("/login")
        response.delete_cookie(SESSION)
        response.delete_cookie(READING)
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
