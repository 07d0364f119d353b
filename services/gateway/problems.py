"""Every error leaves as application/problem+json (RFC 9457) with a field map."""
import json

from werkzeug.wrappers import Response

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooLarge

STATUS_OF = [(InvalidInput, 422), (NotFound, 404), (Conflict, 409), (Forbidden, 403),
             (TooLarge, 413)]
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Body too large",
          415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
          500: "Internal error", 503: "Service unavailable"}


def problem(status: int, detail: str, code: str | None = None, errors: dict | None = None,
            correlation_id: str | None = None, headers: dict | None = None) -> Response:
    body = {"type": f"https://population-health-fund.example/problems/{code or status}",
            "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            "code": code or TITLES.get(status, "error").lower().replace(" ", "_"),
            "errors": errors or {}}
    if correlation_id:
        body["correlation_id"] = correlation_id
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/problem+json")


def from_domain(error: DomainError, correlation_id: str) -> Response:
    status = next((s for cls, s in STATUS_OF if isinstance(error, cls)), 400)
    return problem(status, error.message, error.code, error.fields, correlation_id)
