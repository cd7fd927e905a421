"""Marshmallow schemas of registry facts, in the shapes of CONTRACT section 5.

Two families of the same shapes: registry answers ignore fields they do not know
(a registry may add some without breaking rulings), while a request's inline
`registry` object rejects them, so a client's typo never passes silently. Dates
stay ISO strings; a missing optional field becomes None.
"""

import re
from datetime import date

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from adapters.base import RegistryUnavailable
from adapters.fields import ISO_DATE, SECOND_WEIGHTS, ascii_check_digit_ok

QUOTA_CATEGORIES = ("1", "2", "3", "4", "seasonal")
_TWELVE_DIGITS = re.compile(r"\d{12}")


def valid_identifier(value):
    """True when `value` is a BIN or IIN: 12 digits whose last is the Kazakh check digit."""
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        return False
    if value.isascii():
        return ascii_check_digit_ok(value)
    digits = [int(c) for c in value]
    check = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, SECOND_WEIGHTS)) % 11
    return check != 10 and check == digits[11]


class IsoDate(fields.Field):
    """A `YYYY-MM-DD` date, checked and kept as the string."""

    default_error_messages = {"invalid": "Not a valid date."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        try:
            date.fromisoformat(value)
        except ValueError as err:
            raise self.make_error("invalid") from err
        return value


class Identifier(fields.Field):
    """A BIN or IIN (CONTRACT section 2)."""

    default_error_messages = {
        "invalid": "Not a valid BIN/IIN: 12 digits ending in the check digit expected."
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not valid_identifier(value):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """An integer that is neither a string, a float nor a boolean."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def _text(**kwargs):
    return fields.String(validate=validate.Length(min=1), **kwargs)


def _family(policy, partial_quota):
    """Build the five registries' data schemas under one `unknown` policy."""

    class Base(Schema):
        class Meta:
            unknown = policy

    class Vacancy(Base):
        code = _text(required=True)
        employer_bin = Identifier(required=True)
        published_on = IsoDate(required=True)
        status = _text(required=True)

    class Contract(Base):
        employer_bin = Identifier(required=True)
        employee_iin = Identifier(allow_none=True, load_default=None)
        passport = _text(required=True)
        number = _text(required=True)
        kind = _text(required=True)
        registered_on = IsoDate(required=True)

    class Person(Base):
        passport = _text(required=True)
        iin = Identifier(allow_none=True, load_default=None)
        status = _text(required=True)

    class Offence(Base):
        employer_bin = Identifier(required=True)
        article = _text(required=True)
        decided_on = IsoDate(required=True)

    class LabourExchange(Base):
        vacancy = fields.Nested(Vacancy, required=True, allow_none=True)

    class Ulcrs(Base):
        contracts = fields.List(fields.Nested(Contract), required=True)

    class MigrationPolice(Base):
        persons = fields.List(fields.Nested(Person), required=True)

    # A request may state only what the ruling needs of a quota: how many remain.
    class Quota(Base):
        region = _text(required=not partial_quota)
        year = StrictInteger(required=not partial_quota)
        category = fields.String(
            required=not partial_quota, validate=validate.OneOf(QUOTA_CATEGORIES)
        )
        remaining = StrictInteger(required=True, validate=validate.Range(min=0))

    class Offences(Base):
        records = fields.List(fields.Nested(Offence), required=True)

    data = {
        "labour_exchange": LabourExchange,
        "ulcrs": Ulcrs,
        "migration_police": MigrationPolice,
        "quota": Quota,
        "offences": Offences,
    }
    records = {
        "labour_exchange": Vacancy,
        "ulcrs": Contract,
        "migration_police": Person,
        "quota": Quota,
        "offences": Offence,
    }
    return data, records


_answers, _records = _family(EXCLUDE, partial_quota=False)
# Each registry's data as a ruling sees it, e.g. {"contracts": [...]}.
ANSWERS = {name: cls() for name, cls in _answers.items()}
# One record of each registry: a fixture row or a single HTTP answer.
RECORDS = {name: cls() for name, cls in _records.items()}
INLINE, _ = _family(RAISE, partial_quota=True)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


InlineRegistry = _Strict.from_dict(
    {name: fields.Nested(cls) for name, cls in INLINE.items()}, name="InlineRegistry"
)
# Building a schema (and its nested ones) costs more than a load; loads keep no state.
_INLINE_SCHEMA = InlineRegistry()


def validate_inline(registry_obj):
    """Check a request's inline `registry` object; return it normalised.

    Raises ValidationError whose messages are keyed by path with string keys, e.g.
    {"ulcrs": {"contracts": {"0": {"registered_on": ["Not a valid date."]}}}}.
    """
    from adapters.fastinline import fast_inline   # it reads the schemas above: imported here, not at the top

    checked = fast_inline(registry_obj)
    if checked is not None:
        return checked
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
