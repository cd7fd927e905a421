"""Marshmallow schemas of registry facts, in the shapes of CONTRACT section 5.

Two families of the same shapes: registry answers ignore fields they do not know
(a registry may add some without breaking rulings), while a request's inline
`registry` object rejects them, so a client's typo never passes silently. Dates
stay ISO strings; a missing optional field becomes None.
"""

import re
from datetime import date
from operator import mul

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from .base import RegistryUnavailable

QUOTA_CATEGORIES = ("1", "2", "3", "4", "seasonal")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TWELVE_DIGITS = re.compile(r"\d{12}")
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_FIRST_WEIGHTS = tuple(range(1, 12))
# Both weight sets sum to 66: subtracting 66 * ord("0") turns code points into digits.
_ZERO_BIAS = 66 * ord("0")


def valid_identifier(value):
    """True when `value` is a BIN or IIN: 12 digits whose last is the Kazakh check digit."""
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        return False
    if value.isascii():
        return _ascii_check_digit_ok(value)
    digits = [int(c) for c in value]
    check = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _SECOND_WEIGHTS)) % 11
    return check != 10 and check == digits[11]


def _ascii_check_digit_ok(value):
    # `value` is 12 ASCII digits: weigh their code points, then remove the bias.
    codes = value.encode("ascii")
    check = (sum(map(mul, codes, _FIRST_WEIGHTS)) - _ZERO_BIAS) % 11
    if check == 10:
        check = (sum(map(mul, codes, _SECOND_WEIGHTS)) - _ZERO_BIAS) % 11
    return check != 10 and check == codes[11] - 48


class IsoDate(fields.Field):
    """A `YYYY-MM-DD` date, checked and kept as the string."""

    default_error_messages = {"invalid": "Not a valid date."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
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
    checked = fast_inline(registry_obj)
    if checked is not None:
        return checked
    try:
        return _INLINE_SCHEMA.load(registry_obj)
    except ValidationError as err:
        raise ValidationError(_string_keys(err.messages)) from None


# --- fast path ----------------------------------------------------------------------
#
# Marshmallow (above) defines the inline registry and words every error; loading with it
# costs ~15 µs per nested object. `fast_inline` checks the common, valid shapes by hand
# and returns exactly what `_INLINE_SCHEMA.load` would (same keys, same order, fresh
# containers). Whenever it is not certain -- anything invalid or unusual, such as a str
# subclass, a tuple for a list, a non-ASCII identifier -- it returns None and
# marshmallow decides. tests/test_schemas_speed_equivalence.py proves the two agree.

class Unsure(Exception):
    """Only marshmallow can tell (most often: the input is invalid)."""


def _f_text(v):                       # _text(): a non-empty string
    if type(v) is str and v:
        return v
    raise Unsure


# Plain strings already found valid: the same BINs, IINs and dates recur in every request.
# Bounded; only ever holds values that passed the full check (server.schemas shares
# them: its checks of a 12-digit id and a YYYY-MM-DD date are the same).
KNOWN_IDS = set()
KNOWN_DATES = set()
_KNOWN_LIMIT = 50_000


def remember(known, v):
    if len(known) >= _KNOWN_LIMIT:
        known.clear()
    known.add(v)


def fast_id(v):                         # Identifier, not null
    if type(v) is str:
        if v in KNOWN_IDS:
            return v
        if len(v) == 12 and v.isascii() and v.isdigit() and _ascii_check_digit_ok(v):
            remember(KNOWN_IDS, v)
            return v
    raise Unsure


def fast_date(v):                       # IsoDate, not null
    if type(v) is str:
        if v in KNOWN_DATES:
            return v
        if v.isascii() and _ISO_DATE.fullmatch(v):
            try:
                date.fromisoformat(v)
            except ValueError:
                raise Unsure from None
            remember(KNOWN_DATES, v)
            return v
    raise Unsure


def _f_int(v, minimum=None):          # StrictInteger, not null
    if type(v) is int and (minimum is None or v >= minimum):
        return v
    raise Unsure


def _f_object(v, keys):
    if type(v) is not dict or not v.keys() <= keys:
        raise Unsure
    return v


def _f_list(v):
    if type(v) is not list:
        raise Unsure
    return v


_VACANCY_KEYS = frozenset(("code", "employer_bin", "published_on", "status"))
_CONTRACT_KEYS = frozenset(("employer_bin", "employee_iin", "passport", "number", "kind", "registered_on"))
_PERSON_KEYS = frozenset(("passport", "iin", "status"))
_OFFENCE_KEYS = frozenset(("employer_bin", "article", "decided_on"))
_QUOTA_KEYS = frozenset(("region", "year", "category", "remaining"))
_REGISTRY_KEYS = frozenset(("labour_exchange", "ulcrs", "migration_police", "quota", "offences"))


def _required(obj, key):
    try:
        return obj[key]
    except KeyError:
        raise Unsure from None


def _f_vacancy(v):
    v = _f_object(v, _VACANCY_KEYS)
    return {"code": _f_text(_required(v, "code")),
            "employer_bin": fast_id(_required(v, "employer_bin")),
            "published_on": fast_date(_required(v, "published_on")),
            "status": _f_text(_required(v, "status"))}


def _f_contract(v):
    v = _f_object(v, _CONTRACT_KEYS)
    iin = v.get("employee_iin")
    return {"employer_bin": fast_id(_required(v, "employer_bin")),
            "employee_iin": None if iin is None else fast_id(iin),
            "passport": _f_text(_required(v, "passport")),
            "number": _f_text(_required(v, "number")),
            "kind": _f_text(_required(v, "kind")),
            "registered_on": fast_date(_required(v, "registered_on"))}


def _f_person(v):
    v = _f_object(v, _PERSON_KEYS)
    iin = v.get("iin")
    return {"passport": _f_text(_required(v, "passport")),
            "iin": None if iin is None else fast_id(iin),
            "status": _f_text(_required(v, "status"))}


def _f_offence(v):
    v = _f_object(v, _OFFENCE_KEYS)
    return {"employer_bin": fast_id(_required(v, "employer_bin")),
            "article": _f_text(_required(v, "article")),
            "decided_on": fast_date(_required(v, "decided_on"))}


def _f_quota(v):
    v = _f_object(v, _QUOTA_KEYS)
    out = {}
    if "region" in v:
        out["region"] = _f_text(v["region"])
    if "year" in v:
        out["year"] = _f_int(v["year"])
    if "category" in v:
        category = v["category"]
        if type(category) is not str or category not in QUOTA_CATEGORIES:
            raise Unsure
        out["category"] = category
    out["remaining"] = _f_int(_required(v, "remaining"), 0)
    return out


def _f_labour_exchange(v):
    vacancy = _required(_f_object(v, _LABOUR_EXCHANGE_KEYS), "vacancy")
    return {"vacancy": None if vacancy is None else _f_vacancy(vacancy)}


def _f_ulcrs(v):
    return {"contracts": [_f_contract(c) for c in _f_list(_required(_f_object(v, _ULCRS_KEYS), "contracts"))]}


def _f_migration_police(v):
    return {"persons": [_f_person(p) for p in _f_list(_required(_f_object(v, _POLICE_KEYS), "persons"))]}


def _f_offences(v):
    return {"records": [_f_offence(r) for r in _f_list(_required(_f_object(v, _OFFENCES_KEYS), "records"))]}


_LABOUR_EXCHANGE_KEYS = frozenset(("vacancy",))
_ULCRS_KEYS = frozenset(("contracts",))
_POLICE_KEYS = frozenset(("persons",))
_OFFENCES_KEYS = frozenset(("records",))

# In InlineRegistry's field order, which is the order of its output.
_F_REGISTRIES = (
    ("labour_exchange", _f_labour_exchange),
    ("ulcrs", _f_ulcrs),
    ("migration_police", _f_migration_police),
    ("quota", _f_quota),
    ("offences", _f_offences),
)

# The fields the fast path was written for. Should a schema above change, the fast path
# switches itself off (and the equivalence test fails) rather than answer differently.
_FAST_SHAPES = {
    "labour_exchange": ["vacancy"],
    "ulcrs": ["contracts"],
    "migration_police": ["persons"],
    "quota": ["region", "year", "category", "remaining"],
    "offences": ["records"],
}
_FAST_RECORD_SHAPES = {
    "Vacancy": ["code", "employer_bin", "published_on", "status"],
    "Contract": ["employer_bin", "employee_iin", "passport", "number", "kind", "registered_on"],
    "Person": ["passport", "iin", "status"],
    "Offence": ["employer_bin", "article", "decided_on"],
}


def _fast_path_matches_schemas():
    if list(InlineRegistry._declared_fields) != [name for name, _ in _F_REGISTRIES]:
        return False
    records = {}
    for name, cls in INLINE.items():
        if list(cls._declared_fields) != _FAST_SHAPES.get(name):
            return False
        for field in cls._declared_fields.values():
            inner = getattr(field, "inner", field)
            nested = getattr(inner, "nested", None)
            if nested is not None:
                records[nested.__name__] = list(nested._declared_fields)
    return records == _FAST_RECORD_SHAPES


FAST_INLINE = _fast_path_matches_schemas()


def fast_inline(registry_obj):
    """What validate_inline returns for `registry_obj`, or None when unsure (e.g. it is invalid)."""
    if not FAST_INLINE:
        return None
    try:
        obj = _f_object(registry_obj, _REGISTRY_KEYS)
        return {name: check(obj[name]) for name, check in _F_REGISTRIES if name in obj}
    except Unsure:
        return None


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
