"""The OpenAPI 3 description, generated from the marshmallow schemas."""

import json
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from server.contract import response as responses
from server.contract import request as schemas

APPLICATIONS = Path(__file__).resolve().parents[2] / "fixtures" / "applications"

_ERRORS = {
    400: "The body is not JSON.",
    401: "A bearer token is required (when EREJE_TOKENS is set).",
    404: "No such resource.",
    405: "Method not allowed.",
    413: "The body is over the size limit.",
    415: "The body is not application/json.",
    422: "The request does not fit the contract, or no version is in force (`no_version_in_force`).",
}

_RULING_ID = {"name": "ruling_id", "in": "path", "required": True, "schema": {"type": "string"}}
_REGULATION = {"name": "regulation", "in": "path", "required": True, "schema": {"type": "string"},
               "example": "kz-foreign-labour"}
_LANG = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "ru, kk or en (the default); q-values respected."}


def build():
    """The spec as a dict; sample applications are read afresh on every call."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Ereje",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Regulation-as-code rule server: rulings under the version in force."},
        components={"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        security=[{"bearer": []}],
    )
    plugin.map_to_openapi_type(schemas.IsoDate, "string", "date")
    plugin.map_to_openapi_type(schemas.KzId, "string", None)
    for name in ("Error", "Ruling", "Replay", "RulingRequest", "ReplayRequest", "ComparisonRequest",
                 "Comparison", "Regulations", "VersionDescription", "Diff", "Health", "RulingList"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema", None) or getattr(responses, f"{name}Schema"))
    for code, text in _ERRORS.items():
        spec.components.response(str(code), {"description": text, "content": _json("Error")})
    for path, operations in _paths(_examples()).items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _examples():
    examples = {}
    for file in sorted(APPLICATIONS.glob("*.json")):
        try:
            value = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a sample being edited must not take the description down
        if isinstance(value, dict) and "application" in value:
            examples[file.stem] = {"value": value}
    return examples


def _json(schema, examples=None):
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
    if examples:
        content["examples"] = examples
    return {"application/json": content}


def _op(summary, ok, schema, errors, body=None, examples=None, params=(), public=False):
    op = {
        "summary": summary,
        "parameters": [*params, _LANG],
        "responses": {str(ok): {"description": "OK", "content": _json(schema)}}
        | {str(c): {"$ref": f"#/components/responses/{c}"} for c in errors},
    }
    if body:
        op["requestBody"] = {"required": body != "ReplayRequest", "content": _json(body, examples)}
    if public:
        op["security"] = []
    return op


def _paths(examples):
    body_errors = (400, 401, 413, 415, 422)
    return {
        "/v1/rulings": {
            "post": _op("Judge one application; the ruling is stored", 201, "Ruling",
                        body_errors, "RulingRequest", examples),
            "get": _op("Stored rulings (replays included) for one application reference", 200, "RulingList",
                       (401, 422), params=[{"name": "reference", "in": "query", "required": True,
                                            "schema": {"type": "string"}}]),
        },
        "/v1/rulings/{ruling_id}": {"get": _op("A stored ruling", 200, "Ruling", (401, 404),
                                               params=[_RULING_ID])},
        "/v1/rulings/{ruling_id}/replay": {"post": _op(
            "Judge a stored ruling's facts again (optionally under another version)", 201, "Replay",
            (*body_errors, 404), "ReplayRequest", params=[_RULING_ID])},
        "/v1/comparisons": {"post": _op("Judge one application under several versions", 200, "Comparison",
                                        body_errors, "ComparisonRequest", examples)},
        "/v1/regulations": {"get": _op("Regulations, their versions and effective periods", 200,
                                       "Regulations", (401,))},
        "/v1/regulations/{regulation}/versions/{version}": {"get": _op(
            "One version's requirements, parameters and citations", 200, "VersionDescription", (401, 404),
            params=[_REGULATION, {"name": "version", "in": "path", "required": True,
                                  "schema": {"type": "string"}, "example": "2025-09-01"}])},
        "/v1/regulations/{regulation}/diff": {"get": _op(
            "Requirements added, removed and changed between two versions", 200, "Diff", (401, 404, 422),
            params=[_REGULATION,
                    {"name": "from", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "to", "in": "query", "required": True, "schema": {"type": "string"}}])},
        "/healthz": {"get": _op("200 when the rule sets are loaded", 200, "Health", (), public=True)},
    }
