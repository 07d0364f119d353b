"""One browser request: who is logged in (a session cookie holding the same bearer token
the API uses), the language, CSRF protection for forms, and rendering templates."""
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from services.gateway import reading
from services.gateway.auth import (
    PasswordChangeRequired,
    SessionExpired,
    Unauthorized,
    current_actor,
)
from services.gateway.routes import RETRY_AFTER_SECONDS, UNREACHABLE, check_ids, not_text
from services.gateway.web import i18n, texts
from services.gateway.web.forms import field_errors, status_of, whole
from services.gateway.web.unread import Unread
from services.gateway.web.words import word
from services.gateway.web_server import correlation_id_of, http
from shared import regions
from shared.actors import AUDIT_READERS, PROVINCE_READERS
from shared.clock import LOCAL, as_utc
from shared.errors import DomainError, InvalidInput
from shared.money import format_yuan, yuan
from shared.observability import set_correlation_id
from shared.settings import token_secret

log = logging.getLogger(__name__)
SESSION = "phf_session"
LANGUAGE = "phf_lang"
PASSWORD_PAGE = "/password"
READING = "phf_reading"  # the county a province's or city's login reads
LOGIN_NONCE = "phf_login"  # before a session exists, the login form's CSRF token rests on it
HOMES = {"donor": "/donor", "staff": "/staff", "admin": "/staff", "coordinator": "/coordinator",
         "volunteer": "/volunteer", "auditor": "/staff", "province_staff": "/associations",
         "province_auditor": "/associations"}
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
# Money as people read it ("¥1,234.50", as the services write it in sentences); a form's
# field gets the plain number a person would type ("1234.50").
TEMPLATES.filters["yuan"] = lambda fen: "" if fen is None else yuan(fen)
TEMPLATES.filters["typed_yuan"] = lambda fen: "" if fen is None else format_yuan(fen)
# The menu offers the audit log to the roles that may read it (shared.actors says which).
TEMPLATES.globals["AUDIT_READERS"] = AUDIT_READERS


def _local(moment: str | None, shape: str) -> str:
    """An answer's moment (ISO 8601, any offset) as the association's local time: the
    services answer some in UTC, and a person in 天长 reads +08:00."""
    if not moment:
        return ""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return as_utc(parsed).astimezone(LOCAL).strftime(shape)


TEMPLATES.filters["moment"] = lambda text: _local(text, "%Y-%m-%d %H:%M")
TEMPLATES.filters["day"] = lambda text: _local(text, "%Y-%m-%d")
PAGE_SIZE = 20
MAX_PAGE = 100_000  # far past any list an association has; keeps offsets in range


class Ui:
    def __init__(self, request):
        self.request = request
        self.form = request.form.to_dict() if request.method == "POST" else {}
        self.language = i18n.pick(request.cookies.get(LANGUAGE),
                                  request.headers.get("Accept-Language"))
        self.gettext = i18n.translations(self.language).gettext
        self.token = request.cookies.get(SESSION)
        self.login_nonce = request.cookies.get(LOGIN_NONCE)
        self.actor = None
        self.back = request.path  # where the language switch returns to (see `page`)
        # The login's unread messages, for the menu: unknown until `page` knows the login.
        self.unread: Callable[[], int | None] = _not_known
        # The county a province's or city's login reads (see read_as), and whether this
        # request chose it.
        self.reading: dict | None = None
        self.chose_reading = False

    def kept_reading(self, response: Response) -> Response:
        """The county read kept for the next pages (a cookie for the session), or let go
        when the login went back to its own association."""
        if self.chose_reading:
            if self.reading:
                response.set_cookie(READING, self.reading["code"], httponly=True,
                                    samesite="Lax", secure=self.request.is_secure)
            else:
                response.delete_cookie(READING)
        return response

    def speak(self, language: str) -> None:
        """This page in `language` whatever the browser asks for: a link that says whose
        language it is in (an unsubscribe link in an SMS)."""
        self.language = language
        self.gettext = i18n.translations(language).gettext

    def say(self, message: str | None, names: dict[str, str] | None = None) -> str | None:
        """A text a service wrote (an error, a history reason, a memo) in the page's
        language, with codes among its values shown as `names`."""
        return texts.say(self.gettext, message, names)

    def word(self, code: str | None) -> str:
        return word(self.gettext, code)

    def paged(self, name: str, size: int = PAGE_SIZE) -> dict:
        """The slice of the list `name` this request shows (`?<name>_page=2`), as a list
        endpoint's query; a page number that is not one shows the first page."""
        number = _whole_or(self.request.args.get(f"{name}_page"), 1)
        return {"limit": size, "offset": (min(max(number, 1), MAX_PAGE) - 1) * size}

    def listed(self, name: str, fetch, size: int = PAGE_SIZE) -> dict:
        """The page of the list `name` this request shows, from `fetch(limit/offset query)`
        (a list endpoint's call), with what the pager under it needs."""
        query = self.paged(name, size)
        found = fetch(query)
        return {"rows": found["items"], "total": found["total"], "name": name, **query}

    def sliced(self, name: str, rows: list, size: int = PAGE_SIZE) -> dict:
        """A list the page holds whole (filtered or gathered here), shown as `listed` is."""
        return self.listed(name, lambda page: {
            "items": rows[page["offset"]:page["offset"] + page["limit"]], "total": len(rows)},
            size)

    def page_link(self, name: str, number: int) -> str:
        """This page's address showing page `number` of the list `name` (after a POST, its
        form's page's)."""
        if self.request.method != "GET":
            path = self.back
            args = []
        else:
            path = self.request.path
            args = [(key, value) for key, value in self.request.args.items(multi=True)
                    if key != f"{name}_page"]
        query = urlencode(args + ([(f"{name}_page", number)] if number > 1 else []))
        return path + (f"?{query}" if query else "")

    def csrf(self) -> str:
        # Tied to the session token (or, on the login form, to a nonce cookie): a page of
        # another site can know neither.
        basis = self.token if self.actor is not None else f"login:{self.login_nonce or ''}"
        return hmac.new(token_secret().encode(), basis.encode(),
                        hashlib.sha256).hexdigest()[:32]

    def csrf_ok(self) -> bool:
        if self.actor is None and not self.login_nonce:
            return False
        # As bytes: compare_digest refuses str with characters beyond ASCII.
        given = self.form.get("csrf", "").encode("utf-8", "surrogatepass")
        return hmac.compare_digest(given, self.csrf().encode())

    def render(self, template: str, status: int = 200, **context) -> Response:
        html = TEMPLATES.get_template(template).render(
            _=self.gettext, say=self.say, word=self.word, page_link=self.page_link,
            lang=self.language, actor=self.actor, csrf=self.csrf(), path=self.request.path,
            back=self.back, status=status, unread=self.unread, reading=self.reading,
            **context)
        return Response(html, status=status, mimetype="text/html")

    def redirect(self, location: str) -> Response:
        # Whatever went into it, the browser is only ever sent to a page of this site.
        return Response("", status=303, headers={"Location": on_site(location) or "/"})


def on_site(target: str | None) -> str | None:
    """`target` if it is a path of this site, else None. `//host`, `/\\host` (which browsers
    read as `//host`) and control characters (CR/LF would split the Location header) are
    refused."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target) or urlparse(target).netloc:
        return None
    return target


@dataclass(frozen=True)
class PageOptions:
    """What few pages need: a larger body (an upload), or to serve a login that must still
    change its one-time password."""
    body_limit: Callable[[], int] | None = None
    password_pending: bool = False


def page(method: str, path: str, roles: tuple[str, ...] | None, form_page: str | None = None,
         **options):
    """A web page: logged-in role checked, POSTs CSRF-checked, path ids and typed text
    checked as the API checks them, failures shown as pages with the API's status.
    `form_page` (a POST's; by default its first path segment, `/staff/donations` ->
    `/staff`) is the page whose form posts here: a POST's address has no page of its own,
    so the language switch goes back there. A form that uploads a file (multipart/form-data:
    its CSRF token is one of its fields, read as any form's) may be larger than
    MAX_BODY_BYTES: `body_limit()` says how large. A login with a one-time password is sent
    to change it, except on the pages that do that or log out (`password_pending`)."""
    given = PageOptions(**options)

    def decorate(handler):
        @wraps(handler)
        def endpoint(self, request, **path_args):
            ui = Ui(request)
            ui.back = _back(request, method, form_page, path_args)
            self.context.data["correlation_id"] = correlation_id_of(request.environ)
            set_correlation_id(self.context.data["correlation_id"])
            if roles is not None:
                try:
                    ui.actor = current_actor(self.db, f"Bearer {ui.token}",
                                             given.password_pending)
                except SessionExpired:  # the login page says why
                    response = ui.redirect("/login?expired=1&next=" + quote(request.path))
                    response.delete_cookie(SESSION)
                    return response
                except Unauthorized:
                    return ui.redirect("/login?next=" + quote(request.path))
                except PasswordChangeRequired:
                    return ui.redirect(PASSWORD_PAGE)
                except Exception:  # the login table unreachable: a page, not a traceback
                    log.exception("page %s: could not check the login", request.path)
                    return ui.render("error.html", 500, message=ui.gettext(
                        "Something went wrong on our side."))
                ui.unread = Unread(self.notifications, ui.actor)
                if ui.actor["role"] not in roles:
                    return ui.render("error.html", 403, message=ui.gettext(
                        "This page is not for your role."))
                if method == "POST" and not ui.csrf_ok():
                    return ui.render("error.html", 403, message=ui.gettext(
                        "The form expired; go back, reload and try again."))
            try:
                check_ids(path_args)  # ids past MAX_ID, paths with NUL: 404 as in the API
                _check_text(ui)
                if ui.actor is not None:
                    read_as(self, ui, path, path_args)
                    return ui.kept_reading(handler(self, ui, **path_args))
                return handler(self, ui, **path_args)
            except DomainError as error:  # refused as the API refuses it, in the user's words
                return ui.render("error.html", status_of(error), message=ui.say(error.message),
                                 errors=field_errors(ui, error) if error.fields else {})
            except UNREACHABLE:  # the broker or a service is away for the moment
                response = ui.render("error.html", 503, message=ui.gettext(
                    "A service did not answer; try again shortly."))
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return response
            except Exception:  # a page that failed says so, in the user's language
                log.exception("page %s failed", request.path)
                return ui.render("error.html", 500, message=ui.gettext(
                    "Something went wrong on our side."))
        return http(method, path, body_limit=given.body_limit)(endpoint)
    return decorate


def read_as(gateway, ui: Ui, path: str, path_args: dict) -> None:
    """A province's or city's login reads the county the address names (?association=, or
    one of its associations' pages) and goes on reading it, page after page, until it names
    its own association again (its association's page does)."""
    own = ui.actor["association_code"]
    named = reading.named_county(ui.request, path, path_args, ui.actor)
    ui.chose_reading = named is not None
    if named is None and ui.actor["role"] in PROVINCE_READERS:
        named = ui.request.cookies.get(READING)
        if named is not None and not (regions.is_county(named)
                                      and regions.strictly_under(named, own)):
            named, ui.chose_reading = None, True  # a cookie of another login: let go
    ui.actor = reading.as_reader_of(ui.actor, named)
    if ui.actor["association_code"] != own:
        try:
            name = gateway.families.get_association(named, ui.actor)["name"]
        except DomainError:
            name = named
        ui.reading = {"code": named, "name": name, "own": own}


def _back(request, method: str, form_page: str | None, path_args: dict) -> str:
    if method == "GET":
        query = quote(request.query_string, safe="&=%+")  # as sent, and ASCII whatever came
        return request.path + (f"?{query}" if query else "")
    if form_page is not None:
        return form_page.format(**path_args)
    return "/" + request.path.strip("/").split("/")[0]


def _check_text(ui: Ui) -> None:
    """NUL and lone surrogates, refused in forms and query strings as the API refuses them
    in JSON: they would break the databases and logs further on."""
    given = [*ui.request.args.lists(), *ui.request.form.lists()]
    bad = sorted({_printable(name) for name, values in given if not_text([name, *values])})
    if bad:
        message = ui.gettext("Contains a character that is not text (NUL or a lone surrogate).")
        raise InvalidInput("Some fields are invalid.", "invalid_input",
                           {name: [message] for name in bad})


def _printable(name: str) -> str:
    return "".join(c if c.isprintable() else "\ufffd" for c in name)


def _not_known() -> None:
    return None


def _whole_or(typed: str | None, default: int) -> int:
    number = whole(typed)
    return number if isinstance(number, int) else default
