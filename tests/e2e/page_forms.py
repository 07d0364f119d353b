"""The web pages as a browser without JavaScript sees them: log in through the login form,
and read the forms of a page (where they post, what they send) from its HTML."""
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

from deploy.demo import PASSWORD_SUFFIX

TIMEOUT = 30


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or "select" / "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)  # a select's values, a checkbox's value


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def hidden(self) -> dict:
        return {f.name: f.value for f in self.fields if f.kind == "hidden"}

    def typed(self) -> list[Field]:
        """What a person fills in or chooses (everything but the hidden fields)."""
        return [f for f in self.fields if f.kind not in ("hidden", "submit", "button")]


class _Forms(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms = []
        self.links = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select is not None and "value" in a:
            self._select.options.append(a["value"])
        elif tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page_url, a["href"]))
        elif tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(action, (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._form.fields.append(Field(a["name"], "textarea"))

    def _input(self, a):
        kind = a.get("type", "text")
        existing = next((f for f in self._form.fields if f.name == a["name"]), None)
        if kind == "checkbox" and existing is not None:
            existing.options.append(a.get("value", "on"))
            return
        self._form.fields.append(Field(a["name"], kind, a.get("value", ""),
                                       [a.get("value", "on")] if kind == "checkbox" else []))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def read(page_url: str, html: str) -> tuple[list[Form], list[str]]:
    """The forms of a page and the links on it, with absolute addresses."""
    parser = _Forms(page_url)
    parser.feed(html)
    return parser.forms, parser.links


def field_errors(html: str) -> dict[str, list[str]]:
    """The errors a page shows next to its fields, by field."""
    found: dict[str, list[str]] = {}
    for name, message in re.findall(r'class="field-error" data-field="([^"]+)">([^<]*)', html):
        found.setdefault(name, []).append(message)
    return found


def csrf_of(page_url: str, html: str) -> str:
    forms, _ = read(page_url, html)
    return next(f.hidden()["csrf"] for f in forms if "csrf" in f.hidden())


def log_in(base: str, username: str, password: str | None = None) -> requests.Session:
    """A browser's cookie jar after logging in through the login form."""
    browser = requests.Session()
    form_page = browser.get(base + "/login", timeout=TIMEOUT)
    answer = browser.post(base + "/login", timeout=TIMEOUT, allow_redirects=False, data={
        "username": username, "password": password or username + PASSWORD_SUFFIX,
        "csrf": csrf_of(form_page.url, form_page.text)})
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    assert browser.cookies.get("phf_session"), "no session cookie after logging in"
    browser.home = answer.headers["Location"]  # the role's home page
    return browser


def on_site(base: str, url: str) -> bool:
    return urlparse(url).netloc == urlparse(base).netloc
