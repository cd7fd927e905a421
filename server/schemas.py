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
from operator import mul

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from adapters import schemas as _adapter_fast

from server.errors import InvalidRequest

# Beyond any real employer; keeps every count an exact small integer for the engine.
MAX_COUNT = 10**9

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEIGHTS = (tuple(range(1, 12)), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))
# Both weight sets sum to 66: subtracting 66 * ord("0") turns code points into digits.
_ZERO_BIAS = 66 * ord("0")


def valid_kz_id(s):
    """True when `s` is a 12-digit BIN/IIN whose check digit is right (CONTRACT s.2)."""
    if not isinstance(s, str) or len(s) != 12 or not s.isascii() or not s.isdigit():
        return False
    return _check_digit_ok(s)


def _check_digit_ok(s):
    # `s` is 12 ASCII digits: weigh their code points, then remove the bias.
    codes = s.encode("ascii")
    for weights in _WEIGHTS:
        check = (sum(map(mul, codes, weights)) - _ZERO_BIAS) % 11
        if check != 10:
            return check == codes[11] - 48
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
                return _fast_request(data, variant)
            except _Fallback:
                pass
        return super().load(data, many=many, partial=partial, unknown=unknown)


class ReplayRequestSchema(VersionChoice):
    """Body of POST /v1/rulings/{id}/replay: both fields optional."""


class ComparisonRequestSchema(RulingRequestSchema):
    versions = fields.List(Text(), load_default=None, allow_none=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "default: every version of the regulation"})


# --- fast path ----------------------------------------------------------------------
#
# The marshmallow schemas above define the ruling request, word every error and describe
# the API in OpenAPI. Loading with them costs ~15 µs per nested object, a third of a
# ruling. `_fast_request` checks a request by hand and returns exactly what marshmallow
# returns (same keys in the same order, same values, fresh containers) -- but only when
# it is certain the request is valid. Anything invalid or unusual (a str subclass, a
# tuple for a list, a non-ASCII identifier, an unknown field...) raises _Fallback, and
# marshmallow loads the request again and words the errors. So errors always come from
# marshmallow; tests/test_schemas_speed_equivalence.py proves the valid results agree.

# The registry schemas' fast checks of a date and a 12-digit id are the same as
# IsoDate's and KzId's here: one implementation, one exception to give up with.
_Fallback = _adapter_fast.Unsure
_f_date = _adapter_fast.fast_date
_f_kz_id = _adapter_fast.fast_id


_MISSING = object()


def _f_text(v):                       # Text, not null
    if type(v) is str and "\x00" not in v and (v.isascii() or _encodes(v)):
        return v
    raise _Fallback


def _encodes(v):
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _f_opt_text(v):                   # Text(load_default=None, allow_none=True), given
    return None if v is None else _f_text(v)


def _f_count(v, minimum=0, maximum=MAX_COUNT):
    if type(v) is int and minimum <= v <= maximum:
        return v
    raise _Fallback


def _f_object(v, keys):
    if type(v) is not dict or not v.keys() <= keys:
        raise _Fallback
    return v


def _required(obj, key):
    try:
        return obj[key]
    except KeyError:
        raise _Fallback from None


def _f_choice(v, choices):
    if type(v) is str and v in choices:   # every choice is plain ASCII text
        return v
    raise _Fallback


_REQUEST_KEYS = frozenset(("version", "as_of", "application", "registry", "regulation"))
_COMPARISON_KEYS = _REQUEST_KEYS | {"versions"}
_APPLICATION_KEYS = frozenset(("reference", "submitted_on", "kind", "route", "category", "region",
                               "workers_requested", "vacancy_code", "employer", "foreign_workers"))
_EMPLOYER_KEYS = frozenset(("bin", "name", "headcount", "small_business", "staff"))
_STAFF_KEYS = frozenset(("managers", "specialists"))
_GROUP_KEYS = frozenset(("citizens", "foreigners"))
_WORKER_KEYS = frozenset(("passport", "iin", "citizenship", "contract"))
_CONTRACT_KEYS = frozenset(("number", "signed_on", "kind"))
_KINDS = ("issue", "extension")
_ROUTES = ("general", "seasonal", "intracompany_transfer")
_CONTRACT_KINDS = ("labour", "intracompany_transfer")


def _f_group(v):
    v = _f_object(v, _GROUP_KEYS)
    return {"citizens": _f_count(_required(v, "citizens")),
            "foreigners": _f_count(_required(v, "foreigners"))}


def _f_employer(v):
    v = _f_object(v, _EMPLOYER_KEYS)
    out = {"bin": _f_kz_id(_required(v, "bin")),
           "name": _f_opt_text(v.get("name")),
           "headcount": _f_count(_required(v, "headcount"))}
    small = v.get("small_business", False)
    if type(small) is not bool:
        raise _Fallback
    out["small_business"] = small
    staff = v.get("staff")
    if staff is not None:
        staff = _f_object(staff, _STAFF_KEYS)
        staff = {"managers": _f_group(_required(staff, "managers")),
                 "specialists": _f_group(_required(staff, "specialists"))}
    out["staff"] = staff
    return out


def _f_worker(v):
    v = _f_object(v, _WORKER_KEYS)
    passport = _f_text(_required(v, "passport"))
    if not passport:
        raise _Fallback
    iin = v.get("iin")
    contract = v.get("contract")
    if contract is not None:
        contract = _f_object(contract, _CONTRACT_KEYS)
        signed_on = contract.get("signed_on")
        contract = {"number": _f_opt_text(contract.get("number")),
                    "signed_on": None if signed_on is None else _f_date(signed_on),
                    "kind": _f_choice(_f_text(_required(contract, "kind")), _CONTRACT_KINDS)}
    return {"passport": passport,
            "iin": None if iin is None else _f_kz_id(iin),
            "citizenship": _f_opt_text(v.get("citizenship")),
            "contract": contract}


def _f_application(v):
    v = _f_object(v, _APPLICATION_KEYS)
    route = _f_choice(_f_text(_required(v, "route")), _ROUTES)
    category = v.get("category")
    if category is not None:
        category = _f_count(category, 1, 4)
    # ApplicationSchema.route_rules: general needs a category and staff; others no category.
    if (route == "general") is (category is None):
        raise _Fallback
    region = _f_text(_required(v, "region"))
    if not region:
        raise _Fallback
    out = {"reference": _f_opt_text(v.get("reference")),
           "submitted_on": _f_date(_required(v, "submitted_on")),
           "kind": _f_choice(_f_text(_required(v, "kind")), _KINDS),
           "route": route,
           "category": category,
           "region": region,
           "workers_requested": _f_count(_required(v, "workers_requested"), 1),
           "vacancy_code": _f_opt_text(v.get("vacancy_code")),
           "employer": _f_employer(_required(v, "employer"))}
    if route == "general" and out["employer"]["staff"] is None:
        raise _Fallback
    workers = v.get("foreign_workers", _MISSING)
    if workers is _MISSING:
        out["foreign_workers"] = []
    elif type(workers) is list:
        out["foreign_workers"] = [_f_worker(w) for w in workers]
    else:
        raise _Fallback
    return out


def _f_registry(v):
    if type(v) is not dict:
        raise _Fallback
    try:
        from adapters.schemas import fast_inline
    except ImportError:
        raise _Fallback from None
    checked = fast_inline(v)
    if checked is None:
        raise _Fallback
    return checked


def _fast_request(data, variant):
    """RulingRequestSchema().load(data) (variant "comparison": ComparisonRequestSchema),
    or _Fallback when unsure."""
    data = _f_object(data, _COMPARISON_KEYS if variant == "comparison" else _REQUEST_KEYS)
    as_of = data.get("as_of")
    out = {"version": _f_opt_text(data.get("version")),
           "as_of": None if as_of is None else _f_date(as_of),
           "application": _f_application(_required(data, "application"))}
    registry = data.get("registry", _MISSING)
    out["registry"] = {} if registry is _MISSING else _f_registry(registry)
    out["regulation"] = _f_opt_text(data.get("regulation"))
    if variant == "comparison":
        versions = data.get("versions")
        if versions is not None:
            if type(versions) is not list or not versions:
                raise _Fallback
            versions = [_f_text(x) for x in versions]
        out["versions"] = versions
    return out


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
