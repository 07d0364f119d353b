"""nameko's web server, answering what its router refuses (no such path, a method the path
does not take) as problem+json like every other error, instead of Werkzeug's HTML page, and
refusing bodies above `MAX_BODY_BYTES` (or an upload route's own limit) before they are
read."""
import re
import uuid

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from services.gateway.problems import Problem
from shared.settings import max_body_bytes


class _ProblemsApp(WsgiApp):
    def __call__(self, environ, start_response):
        adapter = self.url_map.bind_to_environ(environ)
        provider = None
        values = None
        refusal = None
        try:
            provider, values = adapter.match()
        except HTTPException as refused:
            refusal = refused  # answered below, as problem+json, once the size is checked
        limit = provider.body_limit() if getattr(provider, "body_limit", None) \
            else max_body_bytes()
        if _declared_length(environ) > limit:  # refused before a byte of it is read
            cid = correlation_id_of(environ)
            too_large = Problem(413, f"The body is larger than {limit} bytes.",
                                "body_too_large", {"_body": [f"At most {limit} bytes."]})
            return _with_id(too_large.response(cid), cid)(environ, start_response)
        request = Request(environ, shallow=True)  # as nameko's own app does
        request.max_content_length = limit  # a body sent without a length stops there too
        try:
            if refusal is not None:
                raise refusal
            request.path_values = values
            answer = provider.handle_request(request)
        except HTTPException as refused:
            headers = {k: v for k, v in refused.get_headers() if k.lower() == "allow"}
            cid = correlation_id_of(environ)
            answer = _with_id(Problem(refused.code or 400,
                                      refused.description or refused.name,
                                      refused.name.lower().replace(" ", "_"),
                                      headers=headers).response(cid), cid)
        _guarded(answer.headers)
        return answer(environ, start_response)


# Scripts only from this site (no inline script or handler), no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _guarded(headers) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    # Pages and answers about people are not kept by the browser or a proxy; the static
    # files and the public disclosure pages may be.
    if "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"


def correlation_id_of(environ) -> str:
    """The client's id for the request if it is a plain token (it goes into logs and a
    response header), else a new one."""
    given = (environ.get("HTTP_X_CORRELATION_ID") or "").strip()[:100]
    return given if _TOKEN.fullmatch(given) else str(uuid.uuid4())


_TOKEN = re.compile(r"[A-Za-z0-9._:@/+=-]{1,100}")


def _with_id(response, correlation_id: str):
    response.headers["X-Correlation-ID"] = correlation_id
    return response


def _declared_length(environ) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class GatewayServer(WebServer):
    def get_wsgi_app(self):
        return _ProblemsApp(self)


class Http(HttpRequestHandler):
    server = GatewayServer()

    def __init__(self, method, url, body_limit=None, **kwargs):
        # `body_limit()`: the largest body this entrypoint takes, if not MAX_BODY_BYTES.
        self.body_limit = body_limit
        super().__init__(method, url, **kwargs)


http = Http.decorator
