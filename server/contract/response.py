"""Response bodies of the HTTP API, as marshmallow schemas: they describe the API in OpenAPI."""

from marshmallow import Schema, fields, validate


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
