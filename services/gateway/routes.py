"""`@route(...)`: one nameko @http entrypoint plus what every endpoint needs — the caller's
role checked, the body and query validated, a correlation id made or carried on, and any
failure turned into problem+json. The same records feed the OpenAPI document."""
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps

import eventlet
from kombu.exceptions import OperationalError as KombuOperationalError
from marshmallow import Schema, ValidationError
from nameko.exceptions import RemoteError, UnknownService
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.gateway import reading
from services.gateway.auth import Unauthorized, current_actor
from services.gateway.problems import Problem, from_domain
from services.gateway.throttle import PUBLIC_POSTS, Throttled
from services.gateway.web_server import correlation_id_of, http
from shared.actors import PUBLIC, public_actor
from shared.errors import DomainError, NotFound, flatten_messages
from shared.observability import set_correlation_id
from shared.schemas import MAX_ID

log = logging.getLogger(__name__)
# The broker or a service is away for the moment: the client may try again (503, not 500).
UNREACHABLE = (UnknownService, eventlet.Timeout, KombuOperationalError, ConnectionError)
ROUTES: list["Route"] = []
RPC_TIMEOUT_SECONDS = 30
RETRY_AFTER_SECONDS = 2  # a broker restart takes a few seconds
MULTIPART_ALLOWANCE = 64 * 1024  # bytes of a multipart body besides its file


@dataclass
class Route:
    method: str
    path: str
    summary: str
    roles: tuple[str, ...] | None  # None: no login needed (nor used)
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    many: bool = False
    tags: list[str] = field(default_factory=list)
    headers: dict = field(default_factory=dict)
    # No login needed, but a login given is used and must have one of `roles` (a donor
    # pledging while logged in); without one the caller acts as the public.
    public: bool = False
    # Runs on the request before its body is read (a signature over the raw body).
    check: Callable | None = None
    # A file upload: the body is multipart/form-data with a `file` part and these form
    # fields (instead of JSON), and may be as large as `upload_limit()` bytes.
    upload: type[Schema] | None = None
    upload_limit: Callable[[], int] | None = None
    # The answer is a file of one of these media types, not JSON.
    binary: tuple[str, ...] = ()
    # How long it may take: an export asks for its list a page at a time, each within
    # RPC_TIMEOUT_SECONDS, and a long list takes more pages than that.
    seconds: int = RPC_TIMEOUT_SECONDS
    # Other statuses it may answer with the same body (202: still running).
    also: tuple[int, ...] = ()
    # An empty body stands for `{}` (every field of `body` optional).
    body_optional: bool = False
    # Open to a login that must still change its one-time password (changing it, logging
    # out); every other route refuses it 403 `password_change_required`.
    password_pending: bool = False
    # The method that answers, as written (before the decorator wraps it).
    handler: Callable | None = None


@dataclass(frozen=True)
class Answer:
    """A handler's answer whose status depends on what happened (201 made, 200 there)."""
    status: int
    body: dict


class Call:
    """One request as a handler sees it."""

    def __init__(self, request, actor, body, query, correlation_id):
        self.request = request
        self.actor = actor
        self.body = body
        self.query = query
        self.correlation_id = correlation_id
        self.raw_body = getattr(request, "_phf_raw_body", None)


def route(method, path, summary, roles, **options):
    spec = Route(method, path, summary, roles, **options)
    ROUTES.append(spec)

    def decorate(handler):
        spec.handler = handler

        @wraps(handler)
        def endpoint(self, request, **path_args):
            correlation_id = _correlation_id(request)
            self.context.data["correlation_id"] = correlation_id
            set_correlation_id(correlation_id)
            try:
                check_ids(path_args)
                call = _prepare(spec, request, correlation_id, self.db, path_args)
                with eventlet.Timeout(spec.seconds):
                    payload = handler(self, call, **path_args)
                if isinstance(payload, Response):
                    response = payload
                elif isinstance(payload, Answer):
                    response = json_answer(payload.body, payload.status)
                else:
                    response = json_answer(payload, spec.status)
            except (Exception, eventlet.Timeout) as exc:  # every failure: a problem document
                response = _problem_for(exc, correlation_id)
            response.headers["X-Correlation-ID"] = correlation_id
            return response

        return http(method, path, body_limit=_body_limit(spec))(endpoint)

    return decorate


def _body_limit(spec: Route) -> Callable[[], int] | None:
    # Room for the multipart envelope around the file.
    if spec.upload_limit is None:
        return None
    return lambda: spec.upload_limit() + MULTIPART_ALLOWANCE


def client_address(request) -> str:
    return request.remote_addr or "unknown"


def check_ids(path_args: dict) -> None:
    # Werkzeug's int converter takes any length; no row has an id past a 32-bit integer.
    # A code with a character nobody types names nothing either (and would upset the
    # database).
    for name, value in path_args.items():
        if isinstance(value, int) and not 0 < value <= MAX_ID or \
                isinstance(value, str) and (not_text(value) or not value.isprintable()):
            raise NotFound(f"No record with this {name}.", "not_found")


def _correlation_id(request) -> str:
    return correlation_id_of(request.environ)


def _prepare(spec: Route, request, correlation_id: str, db, path_args: dict) -> Call:
    actor = None
    given = request.headers.get("Authorization")
    if spec.public and not given:
        actor = public_actor()
        if spec.method == "POST":
            PUBLIC_POSTS.take(db, client_address(request), "requests without a login")
    elif spec.roles is not None:
        actor = current_actor(db, given, spec.password_pending)
        if actor["role"] not in spec.roles:
            raise RoleNotAllowed(actor["role"])
    named = reading.named_county(request, spec.path, path_args, actor)
    if actor is not None and actor["role"] != PUBLIC:
        actor = reading.as_reader_of(actor, named)
    if spec.check is not None:
        spec.check(request)
    body = query = None
    if spec.upload is not None:
        body = _upload(_schema(spec.upload), request)
    if spec.body is not None:
        raw = {} if spec.body_optional and not request.get_data() else _json_body(request)
        request._phf_raw_body = raw
        body = _load(_schema(spec.body), raw)
    bad = not_text(request.args.to_dict())
    if bad:
        raise InvalidBody({name: ["Contains a character that is not text (NUL or a lone "
                                  "surrogate)."] for name in bad})
    if spec.query is not None:
        query = _load(_schema(spec.query), request.args.to_dict())
    return Call(request, actor, body, query, correlation_id)


@cache
def _schema(schema: type[Schema]) -> Schema:
    # One instance per schema: building one deep-copies all its fields, and loading
    # keeps no state on the instance.
    return schema()


def _json_body(request):
    if request.get_data() and not _is_json(request.mimetype):
        raise UnsupportedMediaType(request.mimetype or "none")
    try:
        text = request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The body is not UTF-8 text.") from None
    try:
        raw = json.loads(text) if text.strip() else None
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("The body is nested too deeply.") from None
    if not isinstance(raw, dict):
        raise BadRequest("The body must be a JSON object.")
    bad = not_text(raw)
    if bad:
        raise InvalidBody({path: ["Contains a character that is not text (NUL or a lone "
                                  "surrogate)."] for path in bad})
    return raw


def _upload(schema: Schema, request) -> dict:
    """The form fields of a multipart body, validated, and its `file`: name and bytes. What
    the file is, the service tells from its content, not from the declared type."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(request.mimetype or "none", "multipart/form-data")
    try:
        form = request.form.to_dict()
        upload = request.files.get("file")
    except ValueError:
        raise BadRequest("The body is not valid multipart/form-data.") from None
    filename = ((upload.filename or "") if upload is not None else "").replace("\\", "/")
    bad = not_text({**form, "file": filename})
    if bad:
        raise InvalidBody({name: ["Contains a character that is not text (NUL or a lone "
                                  "surrogate)."] for name in bad})
    try:
        body = schema.load(form)
        errors = {}
    except ValidationError as exc:
        body = {}
        errors = flatten_messages(exc.messages)
    if upload is None:
        errors["file"] = ["Missing data for required field."]
    if errors:
        raise InvalidBody(errors)
    # The name as the sender's disk had it, without its folders.
    return {**body, "filename": filename.rsplit("/", 1)[-1][:200] or None,
            "content": upload.read()}


def not_text(value, path: str = "") -> list[str]:
    """Field paths of strings (and keys) a person could not have typed: NUL, lone UTF-16
    surrogates. They pass JSON but break databases and logs further on."""
    if isinstance(value, str):
        return [path or "_body"] if _BAD_CHARACTERS.search(value) else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            found += [here] if _BAD_CHARACTERS.search(str(key)) else not_text(item, here)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += not_text(item, f"{path}.{n}" if path else str(n))
    return found


_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _load(schema: Schema, data):
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidBody(flatten_messages(exc.messages)) from None


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and
                                              mimetype.endswith("+json"))


class BadRequest(Exception):
    pass


class UnsupportedMediaType(Exception):
    def __init__(self, given: str, wanted: str = "application/json"):
        super().__init__(f"The body must be sent as {wanted}, not {given}.")
        self.wanted = wanted


class InvalidBody(Exception):
    def __init__(self, errors: dict):
        super().__init__("Some fields are invalid.")
        self.errors = errors


class RoleNotAllowed(Exception):
    def __init__(self, role: str):
        super().__init__(f"The {role} role may not do this.")


def json_answer(payload, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _problem_for(exc: Exception, cid: str) -> Response:
    if isinstance(exc, DomainError):
        return from_domain(exc, cid)
    if isinstance(exc, InvalidBody):
        return Problem(422, str(exc), "invalid_input", exc.errors).response(cid)
    if isinstance(exc, UnsupportedMediaType):
        return Problem(415, str(exc), "unsupported_media_type",
                       {"_body": [f"Send Content-Type: {exc.wanted}."]}).response(cid)
    if isinstance(exc, BadRequest):
        return Problem(400, str(exc), "bad_request", {"_body": [str(exc)]}).response(cid)
    if isinstance(exc, Unauthorized):
        return Problem(401, str(exc), exc.code,
                       headers={"WWW-Authenticate": 'Bearer realm="api"'}).response(cid)
    if isinstance(exc, Throttled):
        return Problem(429, str(exc), "too_many_requests",
                       headers={"Retry-After": str(exc.retry_after)}).response(cid)
    if isinstance(exc, RoleNotAllowed):
        return Problem(403, str(exc), "role_not_allowed").response(cid)
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500:  # e.g. 413 mid-body
        return Problem(exc.code, exc.description or exc.name,
                       exc.name.lower().replace(" ", "_")).response(cid)
    if isinstance(exc, UNREACHABLE):
        return Problem(503, "A service did not answer; try again shortly.", "unavailable",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)}).response(cid)
    log.error("request %s failed", cid, exc_info=(type(exc), exc, exc.__traceback__))
    detail = "Something went wrong on our side; quote the correlation id."
    if isinstance(exc, RemoteError):
        detail = "A service failed; quote the correlation id."
    return Problem(500, detail, "internal_error").response(cid)
