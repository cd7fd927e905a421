"""The OpenAPI 3 description, generated from the marshmallow schemas and the views.

Each operation's success status and body schema come from the view's `@responds`
(respond.py), which is also what sends the body; request bodies are the request
schemas views load; version names are the rule sets loaded.
"""

import json
import re
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from adapters import fields as kinds
from server.contract import queries, request as schemas
from server.contract import response as responses

APPLICATIONS = Path(__file__).resolve().parents[2] / "fixtures" / "applications"

_ERRORS = {
    400: "The body is not JSON.",
    401: "A bearer token is required (when EREJE_TOKENS is set).",
    404: "No such resource.",
    405: "Method not allowed.",
    409: "A stored ruling this server cannot read (`ruling_unreadable`): sealed with a key EREJE_LOG_KEY "
         "does not hold, or altered.",
    413: "The body is over the size limit.",
    415: "The body is not application/json.",
    422: "The request does not fit the contract, or no version is in force (`no_version_in_force`).",
}
_BODY_ERRORS = (400, 401, 413, 415, 422)
_LANG = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "ru, kk or en (the default); q-values respected."}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
                "description": "the same key with the same body returns the ruling stored the first time "
                               "(header Idempotent-Replayed: true); with another body, 422."}
_REQUEST_SCHEMAS = ("RulingRequest", "ReplayRequest", "ComparisonRequest", "PlanRequest")


def build(app, book):
    """The spec as a dict for `app`'s views and `book`'s rule sets; sample applications are read afresh."""
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="Ereje",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Regulation-as-code rule server: rulings under the version in force."},
        components={"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        security=[{"bearer": []}],
    )
    plugin.map_to_openapi_type(kinds.IsoDate, "string", "date")
    plugin.converter.add_attribute_function(_pattern)
    for name in _REQUEST_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    spec.components.schema("Error", schema=responses.ErrorSchema)
    for code, text in _ERRORS.items():
        spec.components.response(str(code), {"description": text, "content": _json("Error")})
    operations = _operations(book, _examples())
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if hasattr(view, "response"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            spec.path(path=path, operations=_path_item(rule, view, operations[rule.endpoint]))
    return spec.to_dict()


def _schema_name(schema):
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    # The registries' record schemas share names with the request's (Contract).
    return f"Registry{name}" if cls.__module__ == "adapters.records" and name != "InlineRegistry" else name


def _pattern(self, field, **kwargs):
    """The JSON-Schema pattern a field declares (adapters/fields.py), unless a regex validator
    gives a narrower one (a country code's): apispec has put that one in already."""
    if any(isinstance(getattr(v, "regex", None), re.Pattern) for v in field.validators):
        return {}
    pattern = getattr(field, "pattern", None)
    return {"pattern": pattern} if pattern else {}


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
    content = {"schema": schema if isinstance(schema, type) else {"$ref": f"#/components/schemas/{schema}"}}
    if examples:
        content["examples"] = examples
    return {"application/json": content}


def _path_item(rule, view, extra):
    status, schema = view.response
    op = {
        "summary": (view.__doc__ or "").strip().splitlines()[0],
        "parameters": [*[_path_parameter(name, extra) for name in rule.arguments], *extra.get("query", ()),
                       *extra.get("headers", ()), _LANG],
        "responses": {str(status): {"description": "OK", "content": _json(schema)}}
        | {str(s): {"description": text, "content": _json(schema)} for s, text in extra.get("also", {}).items()}
        | {str(c): {"$ref": f"#/components/responses/{c}"} for c in extra["errors"]},
    }
    if "body" in extra:
        name, required, examples = extra["body"]
        op["requestBody"] = {"required": required, "content": _json(name, examples)}
    if extra.get("public"):
        op["security"] = []
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    return {method.lower(): op for method in methods}


def _path_parameter(name, extra):
    schema = extra.get("path", {}).get(name, {"type": "string"})
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operations(book, examples):
    """What each view's decorator does not say: parameters, request body, error answers."""
    regulations = {"type": "string", "enum": sorted(book.regulations), "example": book.default_regulation}
    versions = sorted({v.version for r in book.regulations.values() for v in r.versions})
    version = {"type": "string", "enum": versions}

    def query(name, schema):
        return {"name": name, "in": "query", "required": True, "schema": schema}

    return {
        "v1.rulings.create": {"errors": (*_BODY_ERRORS, 409), "body": ("RulingRequest", True, examples),
                              "headers": [_IDEMPOTENCY]},
        "v1.rulings.index": {"errors": (401, 409, 422),
                             "query": [{"in": "query", "schema": queries.ReferenceQuerySchema}]},
        "v1.rulings.show": {"errors": (401, 404, 409)},
        "v1.rulings.replay": {"errors": (*_BODY_ERRORS, 404, 409), "body": ("ReplayRequest", False, None),
                              "headers": [_IDEMPOTENCY]},
        "v1.comparisons.create": {"errors": _BODY_ERRORS, "body": ("ComparisonRequest", True, examples)},
        "v1.plans.create": {"errors": _BODY_ERRORS, "body": ("PlanRequest", True, examples)},
        "v1.regulations.index": {"errors": (401,)},
        "v1.regulations.version": {"errors": (401, 404), "path": {"regulation": regulations, "version": version}},
        "v1.regulations.diff": {"errors": (401, 404, 422), "path": {"regulation": regulations},
                                "query": [query("from", version), query("to", version)]},
        "meta.healthz": {"errors": (), "public": True, "also": {503: "A check failed (no rule sets, the decision log takes no write, or the engine fails); `error` names it."}},
    }
