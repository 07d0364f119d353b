"""The OpenAPI 3 document, generated from the routes and their marshmallow schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.gateway.routes import ROUTES, Route

PROBLEM = {"type": "object", "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}, "code": {"type": "string"},
    "errors": {"type": "object", "additionalProperties": {"type": "array",
                                                          "items": {"type": "string"}}},
    "correlation_id": {"type": "string"}}}


def build() -> dict:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="Population Health Fund", version="1.0.0", openapi_version="3.0.3",
                   plugins=[marshmallow],
                   info={"description": "Charity fund, family insurance and volunteers of a "
                                        "county family-planning association. Amounts are "
                                        "integer fen."})
    spec.components.schema("Problem", PROBLEM)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    paths: dict[str, dict] = {}
    for route in ROUTES:
        path = openapi_path(route.path)
        parameters = _path_parameters(route.path)
        operation = _operation(route, parameters)
        if route.upload is not None:
            operation["requestBody"] = _upload_body(marshmallow, route)
        paths.setdefault(path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def openapi_path(path: str) -> str:
    """Werkzeug's `/claims/<int:claim_id>` as OpenAPI's `/claims/{claim_id}`."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def _path_parameters(path: str) -> list:
    parameters = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", path):
        kind = "integer" if converter == "int" else "string"
        parameters.append({"in": "path", "name": name, "required": True,
                           "schema": {"type": kind}})
    return parameters


def _operation(route: Route, parameters: list) -> dict:
    operation = {"summary": route.summary, "tags": route.tags or ["system"],
                 "parameters": list(parameters), "responses": _responses(route)}
    if route.public:
        operation["security"] = [{}, {"bearer": []}]
        operation["description"] = ("No login needed; a logged-in caller acts as themself "
                                    "(roles: " + ", ".join(route.roles) + ").")
    elif route.roles is not None:
        operation["security"] = [{"bearer": []}]
        operation["description"] = "Roles: " + ", ".join(route.roles) + "."
    if route.query is not None:
        operation["parameters"].append({"in": "query", "schema": route.query})
    for name, description in route.headers.items():
        operation["parameters"].append({"in": "header", "name": name, "required": False,
                                        "description": description,
                                        "schema": {"type": "string"}})
    if route.body is not None:
        operation["requestBody"] = {"required": not route.body_optional, "content": {
            "application/json": {"schema": route.body}}}
    return operation


def _upload_body(marshmallow: MarshmallowPlugin, route: Route) -> dict:
    """multipart/form-data: the route's form fields, and the file."""
    fields = marshmallow.converter.schema2jsonschema(route.upload)
    fields["properties"]["file"] = {"type": "string", "format": "binary"}
    fields["required"] = [*fields.get("required", []), "file"]
    return {"required": True, "content": {"multipart/form-data": {"schema": fields}}}


def _responses(route: Route) -> dict:
    content = {"description": "OK"}
    if route.binary:
        content["content"] = {kind: {"schema": {"type": "string", "format": "binary"}}
                              for kind in route.binary}
    if route.response is not None:
        schema = route.response
        if route.many:
            schema = {"type": "object", "properties": {
                "items": {"type": "array", "items": route.response},
                "total": {"type": "integer"}}}
        # A report answers JSON, or a spreadsheet when asked.
        content["content"] = {**content.get("content", {}), "application/json": {"schema": schema}}
    problem = {"content": {"application/problem+json": {"schema": "Problem"}}}
    responses = {str(route.status): content}
    for status in route.also:
        responses[str(status)] = {**content, "description": "Accepted, still running"
                                  if status == 202 else "OK"}
    for status, text in ((400, "Malformed body"), (401, "Not authenticated"),
                         (403, "Role not allowed"), (404, "Not found"), (409, "Conflict"),
                         (422, "Invalid input, by field")):
        responses[str(status)] = {"description": text, **problem}
    if route.upload is not None:
        responses["413"] = {"description": "The file is too large", **problem}
        responses["415"] = {"description": "Not multipart/form-data", **problem}
    return responses
