"""Response bodies of the HTTP API, as marshmallow schemas.

Every view's value is sent as `dump(Schema, value)` (server/api/respond.py), so a
body holds exactly the fields declared here, in this order, and the OpenAPI
description built from these schemas describes what is sent.
"""
import functools

from marshmallow import Schema, fields, validate

from server.contract import fastdump
from server.languages import LANGUAGES


def dump(schema_cls, value):
    """`value` as `schema_cls` sends it: through the structs generated from it when
    they take it as it is (server/contract/fastdump.py), else by marshmallow."""
    fast = fastdump.dumper(schema_cls)
    dumped = None if fast is None else fast(value)
    return dumped if dumped is not None else _instance(schema_cls).dump(value)


@functools.cache
def _instance(schema_cls):
    # Building nested schemas costs more than a dump; instances keep no per-dump state.
    return schema_cls()


def _text(**kwargs):
    return fields.String(required=True, **kwargs)


class ErrorDetailSchema(Schema):
    code = _text()
    message = _text()
    fields_ = fields.Dict(data_key="fields", attribute="fields", required=True, keys=fields.String(),
                          values=fields.List(fields.String()),
                          metadata={"description": "dotted JSON path -> messages"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class EffectiveSchema(Schema):
    from_ = _text(data_key="from", attribute="from")
    to = fields.String(required=True, allow_none=True, metadata={"description": "null: still in force"})


class FindingSchema(Schema):
    requirement = _text()
    status = _text(validate=validate.OneOf(["met", "unmet", "unknown", "not_applicable"]))
    effect = _text(validate=validate.OneOf(["refuse", "warn"]))
    title = _text()
    citation = fields.String(required=True, allow_none=True)
    explanation = _text()
    facts = fields.Dict(required=True, keys=fields.String(),
                        metadata={"description": "the facts this finding rests on"})


class CallSchema(Schema):
    url = _text()
    status = fields.Integer(metadata={"description": "absent when no answer came"})


class ProvenanceSchema(Schema):
    """Where a registry's facts came from; for one that could not be read, why."""

    source = _text(validate=validate.OneOf(["fixtures", "http", "request"]))
    fetched_at = fields.String(required=True, allow_none=True)
    reason = fields.String(metadata={"description": "why the registry could not be read"})
    duration_ms = fields.Float(metadata={"description": "http: time spent reading"})
    url = fields.String(metadata={"description": "http: the one request made"})
    status = fields.Integer(metadata={"description": "http: its answer's status"})
    requests = fields.List(fields.Nested(CallSchema), metadata={"description": "http: the requests made, when several"})
    data = fields.Raw(allow_none=True, metadata={"description": "the facts; absent when the registry could not be read"})


class JudgedSchema(Schema):
    """A ruling as judged (CONTRACT 4.1), before the decision log gives it an id."""

    outcome = _text(validate=validate.OneOf(["approve", "refuse", "undetermined"]))
    regulation = _text()
    version = _text()
    effective = fields.Nested(EffectiveSchema, required=True)
    judged_on = _text()
    ruleset_digest = _text()
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    missing = fields.List(fields.String(), required=True,
                          metadata={"description": "names of registries that could not be read"})
    registry = fields.Dict(required=True, keys=fields.String(), values=fields.Nested(ProvenanceSchema))
    trace = fields.List(fields.Dict(), required=True)
    language = _text(validate=validate.OneOf(LANGUAGES),
                     metadata={"description": "the language of titles and explanations"})


class StoredSchema(Schema):
    id = _text()
    created_at = _text(metadata={"description": "ISO 8601 UTC"})


# Listed (JudgedSchema, StoredSchema) so that marshmallow, which puts the fields of
# later bases first, sends id and created_at before the rest, as CONTRACT 4.1 shows.
class RulingSchema(JudgedSchema, StoredSchema):
    """A stored ruling; a replay's also says what it replays and whether the outcome changed."""

    outcome_changed = fields.Boolean(metadata={"description": "replays only"})
    replay_of = fields.String(metadata={"description": "replays only: the id of the ruling judged again"})


class ReplaySchema(RulingSchema):
    outcome_changed = fields.Boolean(required=True)
    replay_of = _text()


class RulingListSchema(Schema):
    rulings = fields.List(fields.Nested(RulingSchema), required=True)
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "the next page's cursor (send it as `cursor`); null on the last page"})


class VersionSummarySchema(Schema):
    version = _text()
    effective = fields.Nested(EffectiveSchema, required=True)
    digest = _text()


class RegulationSchema(Schema):
    id = _text()
    title = fields.String(required=True, allow_none=True)
    versions = fields.List(fields.Nested(VersionSummarySchema), required=True)


class RegulationsSchema(Schema):
    default = fields.String(required=True, allow_none=True)
    regulations = fields.List(fields.Nested(RegulationSchema), required=True)


class RequirementSchema(Schema):
    id = _text()
    title = _text()
    citation = fields.String(required=True, allow_none=True)
    effect = _text(validate=validate.OneOf(["refuse", "warn"]))
    scope = fields.String(required=True, allow_none=True,
                          metadata={"description": "when it applies, in the rule expression language"})
    condition = _text()
    without_registries = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "present when the rule file gives it: `met` and/or `unmet` expressions over the application's "
                       "own facts, deciding the finding when a registry it needs is missing"})
    readings = fields.List(fields.String(), required=True, metadata={"description": "ids of the readings taken"})
    registries = fields.List(fields.String(), metadata={"description": "version descriptions only"})


class VersionDescriptionSchema(Schema):
    regulation = _text()
    version = _text()
    effective = fields.Nested(EffectiveSchema, required=True)
    title = fields.String(required=True, allow_none=True)
    amends = fields.String(required=True, allow_none=True)
    acts = fields.List(fields.Dict(), required=True, metadata={"description": "the legal acts this version encodes"})
    digest = _text()
    readings = fields.List(fields.Dict(), required=True,
                           metadata={"description": "how the rule file reads open points of law"})
    parameters = fields.Dict(required=True, keys=fields.String(), values=fields.Dict())
    requirements = fields.List(fields.Nested(RequirementSchema), required=True)
    derived_facts = fields.List(fields.Dict(), required=True)


class ChangeSetSchema(Schema):
    added = fields.Dict(required=True)
    removed = fields.Dict(required=True)
    changed = fields.Dict(required=True, metadata={"description": "name -> {before, after}"})


class AffectedSchema(Schema):
    id = _text()
    title = _text()
    through = fields.List(fields.String(), required=True,
                          metadata={"description": "the changed derived facts and parameters it reads"})


class ReadingChangesSchema(Schema):
    from_ = fields.List(fields.Dict(), data_key="from", attribute="from", required=True)
    to = fields.List(fields.Dict(), required=True)
    added = fields.List(fields.String(), required=True)
    removed = fields.List(fields.String(), required=True)


class DiffSchema(Schema):
    regulation = _text()
    from_ = _text(data_key="from", attribute="from")
    to = _text()
    added = fields.List(fields.Nested(RequirementSchema), required=True)
    removed = fields.List(fields.Nested(RequirementSchema), required=True)
    changed = fields.List(fields.Dict(), required=True,
                          metadata={"description": "id, title and {field: {before, after}}"})
    affected = fields.List(fields.Nested(AffectedSchema), required=True,
                           metadata={"description": "unchanged text whose meaning moves with a changed "
                                                    "derived fact or parameter"})
    parameters = fields.Nested(ChangeSetSchema, required=True)
    derived_facts = fields.Nested(ChangeSetSchema, required=True)
    readings = fields.Nested(ReadingChangesSchema, required=True)


class HealthSchema(Schema):
    status = _text()
    regulations = fields.Dict(required=True, keys=fields.String(), values=fields.List(fields.String()))
    versions = fields.Dict(required=True, keys=fields.String(), values=fields.String(),
                           metadata={"description": "<regulation>@<version> -> the digest of the rule files it is judged under"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "rule_sets, decision_log, engine -> ok, or what failed"})
    error = fields.Nested(ErrorDetailSchema, metadata={"description": "503 only: what failed, in the one error shape"})


class RequirementStatusesSchema(Schema):
    title = _text()
    statuses = fields.Dict(required=True, keys=fields.String(), values=fields.String(),
                           metadata={"description": "version -> status (absent: not in that version)"})


class OutcomeChangeSchema(Schema):
    from_ = _text(data_key="from", attribute="from")
    to = _text()


class CauseSchema(Schema):
    requirement = _text()
    title = _text()
    from_ = _text(data_key="from", attribute="from")
    to = _text()


class ChangeSchema(Schema):
    from_ = _text(data_key="from", attribute="from")
    to = _text()
    outcome = fields.Nested(OutcomeChangeSchema, required=True)
    because = fields.List(fields.Nested(CauseSchema), required=True)


class ComparisonSchema(Schema):
    regulation = _text()
    versions = fields.List(fields.String(), required=True)
    outcomes = fields.Dict(required=True, keys=fields.String(), values=fields.String())
    outcome_changed = fields.Boolean(required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True,
                          metadata={"description": "per pair of consecutive versions whose outcomes differ"})
    requirements = fields.Dict(required=True, keys=fields.String(), values=fields.Nested(RequirementStatusesSchema))
    rulings = fields.Dict(required=True, keys=fields.String(), values=fields.Nested(JudgedSchema),
                          metadata={"description": "version -> its ruling (judged, not stored)"})


class HorizonSchema(Schema):
    from_ = _text(data_key="from", attribute="from", metadata={"description": "the planned filing date"})
    to = _text(metadata={"description": "the last date looked at"})


class ActionSchema(Schema):
    requirement = _text()
    title = _text()
    explanation = _text(metadata={"description": "why it is unmet (or what would meet it, where the rule file says)"})


class PlanSchema(Schema):
    """The earliest filing date within the horizon on which the request would be approved (POST /v1/plans)."""

    planned_on = _text()
    horizon = fields.Nested(HorizonSchema, required=True)
    earliest = fields.String(required=True, allow_none=True,
                             metadata={"description": "null: no date within the horizon would be approved"})
    version = fields.String(required=True, allow_none=True,
                            metadata={"description": "the version in force on `earliest`"})
    deciding = fields.List(fields.Nested(FindingSchema), required=True, metadata={
        "description": "findings on `earliest` that were unmet or unknown on the planned date"})
    actions = fields.List(fields.Nested(ActionSchema), required=True, metadata={
        "description": "requirements unmet on every date within the horizon: what no date can fix"})
    reason = fields.String(required=True, allow_none=True,
                           metadata={"description": "when `earliest` is null: why no date works"})
    ruling = fields.Nested(JudgedSchema, required=True, metadata={
        "description": "the ruling on `earliest`, or on the planned date when no date works (not stored)"})
    language = _text(validate=validate.OneOf(LANGUAGES))
