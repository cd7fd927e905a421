"""An edit form generated from a request schema's declared fields, and the request read back from it.

Each leaf field becomes one input named `f.<dotted path>`: a date, a count, a choice
(from a OneOf validator), a yes/no or a text; a list of objects and a free-form
object (the foreign workers, the inline registry facts) become JSON text areas.
An input left empty is left out of the request, so the schema's defaults and its
messages ("Missing data for required field.") apply as they do to a pasted request.
"""
import json

from marshmallow import fields, validate

from adapters.fields import Count, Flag, IsoDate
from server import errors

PREFIX = "f."


def described(schema, data, path=""):
    """[{path, name, kind, value, choices, required, children}] for `schema`'s fields, filled from `data`."""
    data = data if isinstance(data, dict) else {}
    return [_one(field, data.get(name), f"{path}{name}") for name, field in schema.fields.items()]


def _one(field, value, path):
    row = {"path": path, "id": "f-" + path.replace(".", "-").replace("_", "-"), "name": path.rsplit(".", 1)[-1],
           "required": field.required, "choices": [], "children": [], "value": ""}
    description = (field.metadata or {}).get("description")
    row["description"] = description or ""
    if isinstance(field, fields.Nested) and not _free_form(field.schema):
        return {**row, "kind": "group", "children": described(field.schema, value, path + ".")}
    if isinstance(field, (fields.Nested, fields.List, fields.Dict)):
        return {**row, "kind": "json", "value": "" if value is None else json.dumps(value, indent=1, ensure_ascii=False)}
    kind, choices = _leaf_kind(field)
    shown = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return {**row, "kind": kind, "choices": choices, "value": shown}


def _free_form(schema):
    # A schema of optional records (the inline registry) is easier written as JSON.
    return all(isinstance(f, (fields.Nested, fields.List, fields.Dict)) and not f.required
               for f in schema.fields.values())


def _leaf_kind(field):
    one_of = next((v for v in _validators(field) if isinstance(v, validate.OneOf)), None)
    if one_of is not None:
        return "choice", list(one_of.choices)
    if isinstance(field, Flag) or isinstance(field, fields.Boolean):
        return "choice", ["true", "false"]
    if isinstance(field, IsoDate):
        return "date", []
    if isinstance(field, (Count, fields.Integer)):
        return "count", []
    return "text", []


def _validators(field):
    return field.validators if isinstance(field.validators, list) else list(field.validators)


def read_back(schema, form, path=""):
    """The request the form describes (inputs named PREFIX + path); errors.InvalidRequest for bad JSON."""
    out = {}
    for name, field in schema.fields.items():
        here = f"{path}{name}"
        if isinstance(field, fields.Nested) and not _free_form(field.schema):
            inner = read_back(field.schema, form, here + ".")
            if inner or field.required:
                out[name] = inner
            continue
        raw = form.get(PREFIX + here, "").strip()
        if raw:
            out[name] = _value(field, raw, here)
    return out


def _value(field, raw, path):
    if isinstance(field, (fields.Nested, fields.List, fields.Dict)):
        try:
            return json.loads(raw)
        except ValueError as e:
            raise errors.InvalidRequest("A field is not JSON.", fields={path: [f"Not JSON: {e}"]}) from None
    if isinstance(field, fields.Boolean):
        return {"true": True, "false": False}.get(raw, raw)
    if isinstance(field, fields.Integer):
        # A count that is not digits goes to the schema as typed, which words the error.
        return int(raw) if raw.lstrip("-").isdigit() else raw
    return raw
