"""Every error leaves as application/problem+json (RFC 9457) with a field map."""
import json
from dataclasses import dataclass

from werkzeug.wrappers import Response

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooLarge

STATUS_OF = [(InvalidInput, 422), (NotFound, 404), (Conflict, 409), (Forbidden, 403),
             (TooLarge, 413)]
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Body too large",
          415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
          500: "Internal error", 503: "Service unavailable"}


@dataclass(frozen=True)
class Problem:
    status: int
    detail: str
    code: str | None = None  # else one made of the status's title
    errors: dict | None = None  # field name: what is wrong with it
    headers: dict | None = None
    extra: dict | None = None  # members of its own (RFC 9457's extensions): what was done

    def response(self, correlation_id: str | None = None) -> Response:
        title = TITLES.get(self.status, "Error")
        body = {**(self.extra or {}), "type": f"https://population-health-fund.example/problems/"
                        f"{self.code or self.status}",
                "title": title, "status": self.status, "detail": self.detail,
                "code": self.code or title.lower().replace(" ", "_"),
                "errors": self.errors or {}}
        if correlation_id:
            body["correlation_id"] = correlation_id
        return Response(json.dumps(body, ensure_ascii=False), status=self.status,
                        headers=self.headers, mimetype="application/problem+json")


def from_domain(error: DomainError, correlation_id: str) -> Response:
    status = next((s for cls, s in STATUS_OF if isinstance(error, cls)), 400)
    return Problem(status, error.message, error.code, error.fields).response(correlation_id)
