"""Marshmallow schemas: the ruling request (CONTRACT s.3) and the API's bodies.

Request schemas are strict: unknown fields are rejected at every level, so a typo
never passes silently. `load` returns plain JSON-able dicts (dates stay ISO
strings, every optional key present with its default): exactly what the engine
consumes and what the decision log stores.

`load` and `load_json` try a fast path generated from these schemas first
(server/contract/fastpath.py); whatever it does not accept, marshmallow loads and words.
"""

import datetime
import functools

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from adapters.fields import Count, Flag, IsoDate, KzId, Text
from adapters.records import InlineRegistry
from server.contract import fastpath
from server.errors import InvalidRequest


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


class CurrentPermitSchema(Strict):
    """The permit an extension extends (CONTRACT s.3)."""

    number = Text(required=True, validate=validate.Length(min=1))
    issued_on = IsoDate(required=True)
    expires_on = IsoDate(required=True)
    extensions = Count(required=True, metadata={"description": "times it was already extended"})

    @validates_schema(skip_on_field_errors=True)
    def expires_after_issue(self, data, **kwargs):
        # ISO dates compare as text.
        if data["expires_on"] <= data["issued_on"]:
            raise ValidationError({"expires_on": ["Must be after issued_on."]})


class TransferSchema(Strict):
    """An intracompany transfer: the foreign entity's country, and since when the employee works there."""

    sending_country = Text(required=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="Must be an ISO 3166-1 alpha-3 country code (three capital letters, e.g. DEU)."),
        metadata={"description": "ISO 3166-1 alpha-3 code of the foreign legal entity's country"})
    employed_since = IsoDate(required=True, metadata={
        "description": "when the transferred employee joined the foreign entity (for several, the latest)"})


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
    current_permit = fields.Nested(CurrentPermitSchema, load_default=None, allow_none=True,
                                   metadata={"description": "required when kind is extension, absent otherwise"})
    transfer = fields.Nested(TransferSchema, load_default=None, allow_none=True, metadata={
        "description": "required for route intracompany_transfer and kind issue; absent on other routes"})

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
        errors.update(_permit_and_transfer(data, original))
        if errors:
            raise ValidationError(errors)


def _given(original, key):
    return isinstance(original, dict) and original.get(key) is not None


def _permit_and_transfer(data, original):
    """current_permit with extensions only; transfer required for a new intracompany transfer."""
    errors = {}
    kind, route = data.get("kind"), data.get("route")
    if kind == "extension" and not _given(original, "current_permit"):
        errors["current_permit"] = ["Required when kind is extension: the permit being extended."]
    elif kind == "issue" and _given(original, "current_permit"):
        errors["current_permit"] = ["Must be absent when kind is issue."]
    if route == "intracompany_transfer":
        if kind == "issue" and not _given(original, "transfer"):
            errors["transfer"] = ["Required for route intracompany_transfer when kind is issue."]
    elif route is not None and _given(original, "transfer"):
        errors["transfer"] = [f"Must be absent for route {route}."]
    return errors


class VersionChoice(Strict):
    """How to pick the version (CONTRACT s.3): `version`, else `as_of`, else submitted_on."""

    version = Text(load_default=None, allow_none=True)
    as_of = IsoDate(load_default=None, allow_none=True)


class RulingFacts(Strict):
    """What a ruling is about, whichever versions judge it."""

    application = fields.Nested(ApplicationSchema, required=True)
    registry = fields.Nested(InlineRegistry, load_default=dict,
                             metadata={"description": "inline registry facts (CONTRACT s.5), used as given"})
    regulation = Text(load_default=None, allow_none=True,
                      metadata={"description": "default kz-foreign-labour"})

    @validates_schema(skip_on_field_errors=True)
    def quota_answers_this_application(self, data, **kwargs):
        """An inline quota record must be for the application's region, year and category."""
        quota, app = (data.get("registry") or {}).get("quota"), data["application"]
        if not quota or app["route"] == "intracompany_transfer":   # transfers are outside the quota
            return
        wanted = {"region": app["region"], "year": int(app["submitted_on"][:4]),
                  "category": "seasonal" if app["route"] == "seasonal" else str(app.get("category") or "")}
        errors = {key: [f"Must be {value!r}: the quota consulted is the application's (region, year of "
                        f"submitted_on, category or seasonal); this record answers another question."]
                  for key, value in wanted.items() if key in quota and quota[key] != value}
        if errors:
            raise ValidationError({"registry": {"quota": errors}})


# Bases in this order keep the fields in the contract's order: version, as_of, application, ...
class RulingRequestSchema(RulingFacts, VersionChoice):
    """A ruling request (CONTRACT s.3)."""


class ReplayRequestSchema(VersionChoice):
    """Body of POST /v1/rulings/{id}/replay: both fields optional."""


# No regulation has nearly this many versions; the bound keeps a comparison's work small
# before the versions are looked up.
MAX_VERSIONS = 64


class ComparisonRequestSchema(RulingFacts):
    """Body of POST /v1/comparisons: the facts, judged under each of `versions`."""

    versions = fields.List(Text(), load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=MAX_VERSIONS),
                           metadata={"description": "each version once, in the order to compare; "
                                                    "default: every version of the regulation",
                                     "uniqueItems": True})

    # Run even when a field failed: `version` and `as_of` are also "Unknown field."
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def versions_once(self, data, original, **kwargs):
        errors = {}
        if isinstance(original, dict):
            for name in ("version", "as_of"):
                if name in original:
                    errors[name] = ["A comparison judges under `versions`: name the version there."]
        versions = data.get("versions")
        if isinstance(versions, list):
            seen = set()
            twice = next((v for v in versions if v in seen or seen.add(v)), None)
            if twice is not None:
                errors["versions"] = [f"Names {twice!r} more than once; name each version once."]
        if errors:
            raise ValidationError(errors)


def _today():
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


class PlanApplicationSchema(ApplicationSchema):
    submitted_on = IsoDate(load_default=_today, metadata={"description": "the planned filing date; default today (UTC)"})


class PlanRequestSchema(Strict):
    """Body of POST /v1/plans: a ruling request whose submitted_on is the planned filing date; the
    version is the one in force on each date judged, so `version` and `as_of` are not taken."""

    application = fields.Nested(PlanApplicationSchema, required=True)
    registry = fields.Nested(InlineRegistry, load_default=dict,
                             metadata={"description": "inline registry facts (CONTRACT s.5), used as given"})
    regulation = Text(load_default=None, allow_none=True, metadata={"description": "default kz-foreign-labour"})
    horizon_days = Count(minimum=1, maximum=366, load_default=365,
                         metadata={"description": "days after the planned date to look through (default 365)"})

    @validates_schema(skip_on_field_errors=True)
    def quota_answers_this_application(self, data, **kwargs):
        RulingRequestSchema.quota_answers_this_application(self, data)


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
    """Load parsed JSON `data` with `schema` (a class: a shared instance, and the fast
    path first; or an instance, loaded by marshmallow as it is).

    Raises errors.InvalidRequest naming every bad field.
    """
    if isinstance(schema, type):
        fast = fastpath.loader(schema)
        loaded = None if fast is None else fast.from_object(data)
        if loaded is not None:
            return loaded
        schema = _instance(schema)
    return _load(schema, data)


def load_json(schema_cls, raw, parse):
    """Load a JSON body: `parse()` first (the parsed body, or the error saying why it is
    not JSON: the fast path would keep the last of a repeated key, jsonbody refuses it),
    then its bytes `raw` through the fast path; failing that, the parsed body through marshmallow."""
    data = parse()
    fast = fastpath.loader(schema_cls)
    loaded = None if fast is None else fast.from_bytes(raw)
    return loaded if loaded is not None else _load(_instance(schema_cls), data)


def _load(schema, data):
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidRequest("The request does not fit the contract.", fields=field_errors(exc.messages)) from None
