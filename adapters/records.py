"""Marshmallow schemas of registry facts, in the shapes of CONTRACT section 5.

Two families of the same shapes: registry answers ignore fields they do not know
(a registry may add some without breaking rulings), while a request's inline
`registry` object rejects them, so a client's typo never passes silently. Dates
stay ISO strings; a missing optional field becomes None. The fields are those of
ruling requests (adapters/fields.py).
"""

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from adapters.base import RegistryUnavailable
from adapters.fields import Count, IsoDate, KzId, nonempty_text

QUOTA_CATEGORIES = ("1", "2", "3", "4", "seasonal")


def _family(policy, partial_quota):
    """Build the five registries' data schemas under one `unknown` policy."""

    class Base(Schema):
        class Meta:
            unknown = policy

    class Vacancy(Base):
        code = nonempty_text(required=True)
        employer_bin = KzId(required=True)
        published_on = IsoDate(required=True)
        status = nonempty_text(required=True)

    class Contract(Base):
        employer_bin = KzId(required=True)
        employee_iin = KzId(allow_none=True, load_default=None)
        passport = nonempty_text(required=True)
        number = nonempty_text(required=True)
        kind = nonempty_text(required=True)
        registered_on = IsoDate(required=True)

    class Person(Base):
        passport = nonempty_text(required=True)
        iin = KzId(allow_none=True, load_default=None)
        status = nonempty_text(required=True)

    class Offence(Base):
        employer_bin = KzId(required=True)
        article = nonempty_text(required=True)
        decided_on = IsoDate(required=True)

    class LabourExchange(Base):
        vacancy = fields.Nested(Vacancy, required=True, allow_none=True)

    class Ulcrs(Base):
        contracts = fields.List(fields.Nested(Contract), required=True)

    class MigrationPolice(Base):
        persons = fields.List(fields.Nested(Person), required=True)

    # A request may state only what the ruling needs of a quota: how many remain.
    class Quota(Base):
        region = nonempty_text(required=not partial_quota)
        year = Count(minimum=None, maximum=None, required=not partial_quota)
        category = fields.String(required=not partial_quota, validate=validate.OneOf(QUOTA_CATEGORIES))
        remaining = Count(maximum=None, required=True)

    class Offences(Base):
        records = fields.List(fields.Nested(Offence), required=True)

    data = {"labour_exchange": LabourExchange, "ulcrs": Ulcrs, "migration_police": MigrationPolice,
            "quota": Quota, "offences": Offences}
    records = {"labour_exchange": Vacancy, "ulcrs": Contract, "migration_police": Person,
               "quota": Quota, "offences": Offence}
    return data, records


def _inline_registry(inline):
    """Build InlineRegistry over one family of inline record schemas."""

    class InlineRegistry(Schema):
        """A request's inline `registry` object (CONTRACT s.5): any of the five registries."""

        class Meta:
            unknown = RAISE

        labour_exchange = fields.Nested(inline["labour_exchange"])
        ulcrs = fields.Nested(inline["ulcrs"])
        migration_police = fields.Nested(inline["migration_police"])
        quota = fields.Nested(inline["quota"])
        offences = fields.Nested(inline["offences"])

    return InlineRegistry


def _built():
    """(answers, one record, inline registry class): every registry schema, built afresh."""
    answers, one_record = _family(EXCLUDE, partial_quota=False)
    inline, _ = _family(RAISE, partial_quota=True)
    return ({name: cls() for name, cls in answers.items()}, {name: cls() for name, cls in one_record.items()},
            _inline_registry(inline))


# ANSWERS: each registry's data as a ruling sees it, e.g. {"contracts": [...]}.
# RECORDS: one record of each registry, a fixture row or a single HTTP answer.
ANSWERS, RECORDS, InlineRegistry = _built()
# Building a schema (and its nested ones) costs more than a load; loads keep no state.
_INLINE_SCHEMA = InlineRegistry()


def validate_inline(registry_obj):
    """Check a request's inline `registry` object; return it normalised.

    Raises ValidationError whose messages are keyed by path with string keys, e.g.
    {"ulcrs": {"contracts": {"0": {"registered_on": ["Not a valid date: ..."]}}}}.
    """
    try:
        return _INLINE_SCHEMA.load(registry_obj)
    except ValidationError as err:
        raise ValidationError(_string_keys(err.messages)) from None


def fit(registry, schema, data, what="answer", many=False):
    """Load `data` with `schema`, or raise RegistryUnavailable saying how it does not fit."""
    try:
        return schema.load(data, many=many)
    except ValidationError as err:
        raise RegistryUnavailable(
            registry, f"{what} does not fit: {_string_keys(err.messages)}"
        ) from None


def _string_keys(messages):
    # Marshmallow keys list items by int; JSON error bodies need string paths.
    if isinstance(messages, dict):
        return {str(key): _string_keys(value) for key, value in messages.items()}
    return messages
