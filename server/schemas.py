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

from server.errors import InvalidRequest

# Beyond any real employer; keeps every count an exact small integer for the engine.
MAX_COUNT = 10**9

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEIGHTS = (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))


def valid_kz_id(s):
    """True when `s` is a 12-digit BIN/IIN whose check digit is right (CONTRACT s.2)."""
    if not isinstance(s, str) or len(s) != 12 or not s.isascii() or not s.isdigit():
        return False
    digits = [int(c) for c in s]
    for weights in _WEIGHTS:
        check = sum(d * w for d, w in zip(digits, weights)) % 11
        if check != 10:
            return check == digits[11]
    return False


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
        from adapters.schemas import validate_inline
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


class ReplayRequestSchema(VersionChoice):
    """Body of POST /v1/rulings/{id}/replay: both fields optional."""


class ComparisonRequestSchema(RulingRequestSchema):
    versions = fields.List(Text(), load_default=None, allow_none=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "default: every version of the regulation"})


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


# Response bodies, described for OpenAPI.

class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "dotted JSON path -> messages"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class EffectiveSchema(Schema):
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(allow_none=True)


class FindingSchema(Schema):
    requirement = fields.String(required=True)
    status = fields.String(validate=validate.OneOf(["met", "unmet", "unknown", "not_applicable"]))
    effect = fields.String(validate=validate.OneOf(["refuse", "warn"]))
    title = fields.String()
    citation = fields.String()
    explanation = fields.String()
    facts = fields.Dict()


class ProvenanceSchema(Schema):
    source = fields.String(validate=validate.OneOf(["fixtures", "http", "request"]))
    fetched_at = fields.String(allow_none=True)
    data = fields.Raw(allow_none=True)


class RulingSchema(Schema):
    id = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"description": "ISO 8601 UTC"})
    outcome = fields.String(validate=validate.OneOf(["approve", "refuse", "undetermined"]))
    regulation = fields.String()
    version = fields.String()
    effective = fields.Nested(EffectiveSchema)
    judged_on = fields.String()
    ruleset_digest = fields.String()
    findings = fields.List(fields.Nested(FindingSchema))
    missing = fields.List(fields.String())
    registry = fields.Dict(keys=fields.String(), values=fields.Nested(ProvenanceSchema))
    trace = fields.List(fields.Dict())


class ReplaySchema(RulingSchema):
    replay_of = fields.String(required=True)
    outcome_changed = fields.Boolean(required=True)


class VersionSummarySchema(Schema):
    version = fields.String(required=True)
    effective = fields.Nested(EffectiveSchema)
    digest = fields.String()


class RegulationSchema(Schema):
    id = fields.String(required=True)
    title = fields.String()
    versions = fields.List(fields.Nested(VersionSummarySchema))


class RegulationsSchema(Schema):
    default = fields.String()
    regulations = fields.List(fields.Nested(RegulationSchema))


class RequirementSchema(Schema):
    id = fields.String(required=True)
    title = fields.String()
    citation = fields.String()
    effect = fields.String(validate=validate.OneOf(["refuse", "warn"]))
    scope = fields.String(metadata={"description": "when it applies, in the rule expression language"})
    condition = fields.String()
    readings = fields.List(fields.String(), metadata={"description": "ids of the readings taken"})
    registries = fields.List(fields.String())


class VersionDescriptionSchema(Schema):
    regulation = fields.String()
    version = fields.String()
    effective = fields.Nested(EffectiveSchema)
    title = fields.String()
    amends = fields.String(allow_none=True)
    acts = fields.List(fields.Dict(), metadata={"description": "the legal acts this version encodes"})
    digest = fields.String()
    readings = fields.List(fields.Dict(), metadata={"description": "how the rule file reads open points of law"})
    parameters = fields.Dict(keys=fields.String(), values=fields.Dict())
    requirements = fields.List(fields.Nested(RequirementSchema))
    derived_facts = fields.Raw()


class ChangeSetSchema(Schema):
    added = fields.Raw()
    removed = fields.Raw()
    changed = fields.Raw()


class DiffSchema(Schema):
    regulation = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()
    added = fields.List(fields.Nested(RequirementSchema))
    removed = fields.List(fields.Nested(RequirementSchema))
    changed = fields.List(fields.Dict())
    parameters = fields.Nested(ChangeSetSchema)
    derived_facts = fields.Nested(ChangeSetSchema)
    readings = fields.Raw()


class HealthSchema(Schema):
    status = fields.String()
    regulations = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class RulingListSchema(Schema):
    rulings = fields.List(fields.Nested(RulingSchema))


class RequirementStatusesSchema(Schema):
    title = fields.String()
    statuses = fields.Dict(keys=fields.String(), values=fields.String(),
                           metadata={"description": "version -> status (absent: not in that version)"})


class ComparisonSchema(Schema):
    regulation = fields.String()
    versions = fields.List(fields.String())
    outcomes = fields.Dict(keys=fields.String(), values=fields.String())
    outcome_changed = fields.Boolean()
    changes = fields.List(fields.Dict(), metadata={"description": "per pair of versions: outcome and causes"})
    requirements = fields.Dict(keys=fields.String(), values=fields.Nested(RequirementStatusesSchema))
    rulings = fields.Dict(keys=fields.String(), values=fields.Nested(RulingSchema))
