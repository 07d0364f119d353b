"""A posted form, handled one way on every page: what was typed turned into the body the API
takes (yuan into fen, blanks into nothing, whole numbers as numbers), checked with the API's
own schema, sent to the service, and a refusal of either shown on the form's page again,
under the form's own field names; the lists a page merges and the names of codes."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Response

from services.gateway.problems import STATUS_OF
from services.gateway.throttle import Throttled
from shared.actors import load
from shared.errors import DomainError, InvalidInput
from shared.fields import Whole
from shared.money import BadAmount, yuan_to_fen

if TYPE_CHECKING:  # a Ui shows refusals with this module's help, so it imports it
    from services.gateway.web.ui import Ui

# The form's page shown again: `again(status, errors by field)`.
Again = Callable[[int, dict], Response]
PAGE_MAX = 500  # the most rows a list endpoint gives at once
_ITEM = re.compile(r"\.\d+(?=\.|$)")
_TYPED_WHOLE = Whole(text=True)


# --- what was typed, as the API takes it -------------------------------------------------
def yuan_field(ui: Ui, errors: dict, name: str = "amount_yuan") -> int | None:
    """The fen typed in yuan into the form field `name`; None, with the reason in `errors`,
    when it is not an amount."""
    try:
        return yuan_to_fen(ui.form.get(name, ""))
    except BadAmount as bad:
        errors[name] = [ui.say(str(bad))]
        return None


def blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


def whole(typed: str | None):
    """A whole number typed into a form, as a JSON client sends it (an integer); anything
    else stays as typed, for the schema to refuse under the field's name."""
    try:
        return _TYPED_WHOLE.deserialize(typed)
    except ValidationError:
        return typed


# --- checked, sent, and refused ----------------------------------------------------------
def checked(ui: Ui, schema: Schema, body: dict, names: dict[str, str] | None = None,
            found: dict | None = None) -> dict:
    """What the API's own schema finds wrong with `body`, under the form's field names; what
    the page `found` turning typed text into the body (yuan into fen) comes first. Empty when
    the body is one the API would accept."""
    errors = dict(found or {})
    try:
        load(schema, body)
    except InvalidInput as error:
        for name, messages in field_errors(ui, error, names).items():
            errors.setdefault(name, messages)
    return errors


@dataclass(frozen=True)
class Form:
    """A posted form: its page shown `again(status, errors)`, and where a service's refusal
    goes on it: under the form's field `names`, as one sentence `at` one place of the page
    (a small form among several), or as `shown(error)` says."""
    ui: Ui
    again: Again
    names: dict[str, str] | None = None
    at: str | None = None
    shown: Callable[[DomainError], dict] | None = None

    def submit(self, call: Callable[[], Any], done: str | Callable[[Any], Response],
               invalid: dict | None = None) -> Response:
        """What the page found `invalid` (`checked`) shows the form again (422) and sends
        nothing; else the service is `call()`ed and `done` follows: the address to go to,
        or the page made from the service's answer. A refusal (DomainError) shows the form
        again with the API's status."""
        if invalid:
            return self.again(422, invalid)
        try:
            answer = call()
        except DomainError as error:
            return self.again(status_of(error), self._refusal(error))
        return self.ui.redirect(done) if isinstance(done, str) else done(answer)

    def _refusal(self, error: DomainError) -> dict:
        if self.shown is not None:
            return self.shown(error)
        if self.at is not None:
            return {self.at: [self.ui.say(error.message)]}
        return field_errors(self.ui, error, self.names)


def too_many(again: Again, throttled: Throttled, message: str) -> Response:
    """The form's page again (429) saying, in `message` (translated, with `%(seconds)s`), when
    to try again; its Retry-After says it to the browser."""
    response = again(429, {"_form": [message % {"seconds": throttled.retry_after}]})
    response.headers["Retry-After"] = str(throttled.retry_after)
    return response


def field_errors(ui: Ui, error, names: dict[str, str] | None = None) -> dict:
    """The server's field errors under the form's own field names, in the chosen language."""
    names = names or {}
    shown: dict = {}
    for field, messages in (error.fields or {}).items():
        field = _ITEM.sub("", field)  # a list's item: shown at the list's own field
        shown.setdefault(names.get(field, field), []).extend(ui.say(m) for m in messages)
    if not shown:
        shown["_form"] = [ui.say(error.message)]
    return shown


def status_of(error: DomainError) -> int:
    """The HTTP status the API answers this error with."""
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 400)


# --- lists and names -----------------------------------------------------------------------
def upto(page: dict) -> dict:
    """A query for all rows up to the end of `page`: for one of several lists merged."""
    return {"limit": min(page["offset"] + page["limit"], PAGE_MAX), "offset": 0}


def merged(page: dict, lists: list[dict]) -> dict:
    """Lists, each fetched `upto(page)`, one after another, cut to `page`."""
    rows = [row for found in lists for row in found["items"]]
    return {"items": rows[page["offset"]:page["offset"] + page["limit"]],
            "total": sum(found["total"] for found in lists)}


def names_of(coded: list[dict], projects: list[tuple[dict, dict]] = ()) -> dict[str, str]:
    """Codes (of funds, products; of projects) -> the names people know them by."""
    return {**{thing["code"]: thing["name"] for thing in coded},
            **{project["code"]: project["name"] for _, project in projects}}
