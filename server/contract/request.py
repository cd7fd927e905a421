"""Marshmallow schemas: the ruling request (CONTRACT s.3) and the API's bodies.

Request schemas are strict: unknown fields are rejected at every level, so a typo
never passes silently. `load` returns plain JSON-able dicts (dates stay ISO
strings, every optional key present with its default): exactly what the engine
consumes and what the decision log stores.

Response schemas exist to describe the API in OpenAPI; views return plain dicts.
"""

import functools
import re
from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from adapters.fields import Unsure, ascii_check_digit_ok
from server.contract import fastload
from server.errors import InvalidRequest
from server.contract.fastload import MAX_COUNT


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def valid_kz_id(s):
    """True when `s` is a 12-digit BIN/IIN whose check digit is right (CONTRACT s.2)."""
    if not isinstance(s, str) or len(s) != 12 or not s.isascii() or not s.isdigit():
        return False
    return ascii_check_digit_ok(s)


class Text(fields.String):
    """A string that can be stored and echoed: no NUL, no lone surrogates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid Unicode text.") from None
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        return text


class IsoDate(fields.String):
    """A calendar date written YYYY-MM-DD, kept as that string."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"Not a valid date: {text!r}; expected YYYY-MM-DD.") from None
        return text


class KzId(fields.String):
    """A BIN or IIN: 12 digits with the Kazakh check digit."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) != 12 or not text.isascii() or not text.isdigit():
            raise ValidationError("Must be exactly 12 digits.")
        if not valid_kz_id(text):
            raise ValidationError("Check digit does not match (CONTRACT s.2).")
        return text


class Count(fields.Integer):
    """A whole number in JSON: no strings, floats or booleans."""

    def __init__(self, minimum=0, maximum=MAX_COUNT, **kwargs):
        super().__init__(strict=True, validate=validate.Range(minimum, maximum), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A JSON true or false, nothing that merely looks like one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean; expected true or false.")
        return value


class Strict(Schema):
    """Base of every request schema: unknown fields are errors."""

    class Meta:
        unknown = RAISE


class StaffGroupSchema(Strict):
    citizens = Count(required=True)
    foreigners = Count(required=True)


class StaffSchema(Strict):
    managers = fields.Nested(StaffGroupSchema, required=True, metadata={"description": "categories 1-2"})
    specialists = fields.Nested(StaffGroupSchema, required=True, metadata={"description": "categories 3-4"})


class EmployerSchema(Strict):
    bin = KzId(required=True)
    name = Text(load_default=None, allow_none=True)
    headcount = Count(required=True)
    small_business = Flag(load_default=False)
    staff = fields.Nested(StaffSchema, load_default=None, allow_none=True,
                          metadata={"description": "required for route general"})


class ContractSchema(Strict):
    number = Text(load_default=None, allow_none=True)
    signed_on = IsoDate(load_default=None, allow_none=True)
    kind = Text(required=True, validate=validate.OneOf(["labour", "intracompany_transfer"]))


class ForeignWorkerSchema(Strict):
    passport = Text(required=True, validate=validate.Length(min=1))
    iin = KzId(load_default=None, allow_none=True)
    citizenship = Text(load_default=None, allow_none=True)
    contract = fields.Nested(ContractSchema, load_default=None, allow_none=True)


class ApplicationSchema(Strict):
    reference = Text(load_default=None, allow_none=True)
    submitted_on = IsoDate(required=True)
    kind = Text(required=True, validate=validate.OneOf(["issue", "extension"]))
    route = Text(required=True, validate=validate.OneOf(["general", "seasonal", "intracompany_transfer"]))
    category = Count(minimum=1, maximum=4, load_default=None, allow_none=True,
                     metadata={"description": "1..4; required for route general, absent otherwise"})
    region = Text(required=True, validate=validate.Length(min=1))
    workers_requested = Count(minimum=1, required=True)
    vacancy_code = Text(load_default=None, allow_none=True)
    employer = fields.Nested(EmployerSchema, required=True)
    foreign_workers = fields.List(fields.Nested(ForeignWorkerSchema), load_default=list)

    # Run even when a field failed, so one answer names every problem; presence
    # is judged on the original input so a bad category is not also "missing".
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def route_rules(self, data, original, **kwargs):
        errors = {}
        route = data.get("route")
        has_category = isinstance(original, dict) and original.get("category") is not None
        if route == "general":
            if not has_category:
                errors["category"] = ["Required for route general (1..4)."]
            employer = data.get("employer")
            if employer is not None and employer.get("staff") is None:
                errors["employer"] = {"staff": ["Required for route general."]}
        elif route is not None and has_category:
            errors["category"] = [f"Must be absent for route {route}."]
        if errors:
            raise ValidationError(errors)


class InlineRegistry(fields.Dict):
    """Registry facts given with the request (CONTRACT s.5), checked by the adapters."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        checked = _validate_inline(value)
        return value if checked is None else checked


def _validate_inline(obj):
    # The adapters own the registry fact model; import late so each side can be
    # tested alone.
    try:
        from adapters.records import validate_inline
    except ImportError:
        return None
    return validate_inline(obj)


class VersionChoice(Strict):
    """How to pick the version (CONTRACT s.3): `version`, else `as_of`, else submitted_on."""

    version = Text(load_default=None, allow_none=True)
    as_of = IsoDate(load_default=None, allow_none=True)


class RulingRequestSchema(VersionChoice):
    application = fields.Nested(ApplicationSchema, required=True)
    registry = InlineRegistry(load_default=dict)
    regulation = Text(load_default=None, allow_none=True,
                      metadata={"description": "default kz-foreign-labour"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a plain instance of exactly this class (or ComparisonRequestSchema) loads
        # through the fast path; any option (only, partial, unknown...) means marshmallow.
        self._fast_variant = None if args or kwargs else _FAST_VARIANTS.get(type(self))

    def load(self, data, *, many=None, partial=None, unknown=None):
        """Schema.load, answered by the hand-written fast path when it is sure (see below)."""
        variant = self._fast_variant
        if variant is not None and many is None and partial is None and unknown is None and _FAST:
            try:
                return fastload.fast_request(data, variant)
            except Unsure:
                pass
        return super().load(data, many=many, partial=partial, unknown=unknown)


class ReplayRequestSchema(VersionChoice):
    """Body of POST /v1/rulings/{id}/replay: both fields optional."""


class ComparisonRequestSchema(RulingRequestSchema):
    versions = fields.List(Text(), load_default=None, allow_none=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "default: every version of the regulation"})


_FAST_VARIANTS = {RulingRequestSchema: "request", ComparisonRequestSchema: "comparison"}

# The fields the fast path was written for. Should a schema change, the fast path
# switches itself off (and the equivalence test fails) rather than answer differently.
_FAST_SHAPES = {
    RulingRequestSchema: ["version", "as_of", "application", "registry", "regulation"],
    ComparisonRequestSchema: ["version", "as_of", "application", "registry", "regulation", "versions"],
    ApplicationSchema: ["reference", "submitted_on", "kind", "route", "category", "region",
                        "workers_requested", "vacancy_code", "employer", "foreign_workers"],
    EmployerSchema: ["bin", "name", "headcount", "small_business", "staff"],
    StaffSchema: ["managers", "specialists"],
    StaffGroupSchema: ["citizens", "foreigners"],
    ForeignWorkerSchema: ["passport", "iin", "citizenship", "contract"],
    ContractSchema: ["number", "signed_on", "kind"],
}
_FAST = all(list(cls._declared_fields) == names for cls, names in _FAST_SHAPES.items())


DiffQuerySchema = Strict.from_dict(
    {"from": Text(required=True), "to": Text(required=True)}, name="DiffQuerySchema"
)


ReferenceQuerySchema = Strict.from_dict({"reference": Text(required=True)}, name="ReferenceQuerySchema")


def field_errors(messages, prefix=""):
    """Flatten marshmallow's nested messages into {"dotted.json.path": [message, ...]}.

    List positions become path segments ("application.foreign_workers.0.iin");
    errors about a whole object sit at that object's path ("$" at the root).
    """
    if not isinstance(messages, dict):
        return {prefix or "$": [str(m) for m in (messages if isinstance(messages, list) else [messages])]}
    flat = {}
    for key, value in messages.items():
        path = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
        for p, msgs in field_errors(value, path).items():
            flat.setdefault(p, []).extend(msgs)
    return flat


@functools.cache
def _instance(schema_cls):
    # Building nested schemas costs more than a load; instances keep no per-load state.
    return schema_cls()


def load(schema, data):
    """Load `data` with `schema` (an instance, or a class: a shared instance of it).

    Raises errors.InvalidRequest naming every bad field.
    """
    if isinstance(schema, type):
        schema = _instance(schema)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidRequest("The request does not fit the contract.", fields=field_errors(exc.messages)) from None
