"""The marshmallow fields of the contract's values (CONTRACT s.2), shared by ruling
requests (server/contract/request.py), registry records (adapters/records.py) and
file inputs (server/batch/inputs.py), so a value means the same wherever it arrives.

Each field words its own errors. `pattern` (where set) is the JSON-Schema pattern a
valid value matches, which the OpenAPI description publishes; `check` (where set) is
the whole test of a valid string, which the generated fast path
(server/contract/fastpath.py) runs on each value it decodes for that field.
"""
import re
from datetime import date
from operator import mul

from marshmallow import ValidationError, fields, validate

# Beyond any real employer; keeps every count an exact small integer for the engine.
MAX_COUNT = 10**9

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# Both weight sets sum to 66: subtracting 66 * ord("0") turns code points into digits.
_ZERO_BIAS = 66 * ord("0")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")  # ASCII only: "\d" would take Arabic-Indic digits too
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Every date a request or a registry may hold. A rule shifts dates by months or days
# (a one-year bar, a waiting period), a century at most (docs/rule-limits.md): from
# inside this window no shift can leave Python's calendar (years 1..9999).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2099, 12, 31)
DATE_WINDOW = f"{FIRST_DATE.isoformat()} .. {LAST_DATE.isoformat()}"


def check_digit_ok(value):
    """The Kazakh BIN/IIN check digit of CONTRACT s.2, for 12 ASCII digits."""
    codes = value.encode("ascii")
    check = (sum(map(mul, codes, FIRST_WEIGHTS)) - _ZERO_BIAS) % 11
    if check == 10:
        check = (sum(map(mul, codes, SECOND_WEIGHTS)) - _ZERO_BIAS) % 11
    return check != 10 and check == codes[11] - 48


def valid_kz_id(value):
    """True when `value` is a BIN or IIN: 12 ASCII digits whose last is the check digit."""
    return isinstance(value, str) and _TWELVE_DIGITS.fullmatch(value) is not None and check_digit_ok(value)


class Text(fields.String):
    """A string that can be stored and echoed: no NUL, no lone surrogates."""

    pattern = "^[^\\x00]*$"  # and no lone surrogate, which no JSON Schema string can hold

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid Unicode text.") from None
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        return text


def valid_iso_date(value):
    """True when `value` is a date written YYYY-MM-DD inside the window FIRST_DATE .. LAST_DATE."""
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return False
    try:
        return FIRST_DATE <= date.fromisoformat(value) <= LAST_DATE
    except ValueError:
        return False


class IsoDate(fields.String):
    """A calendar date written YYYY-MM-DD, within the window FIRST_DATE .. LAST_DATE, kept as that string."""

    # Years 1900-2099, months 01-12, days 01-31: the window, as far as a pattern can say it.
    pattern = "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    check = staticmethod(valid_iso_date)

    def __init__(self, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        own = metadata.get("description")
        window = f"A date YYYY-MM-DD from {DATE_WINDOW}."
        metadata["description"] = f"{own}. {window}" if own else window
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if valid_iso_date(text):
            return text
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"Not a valid date: {text!r}; expected YYYY-MM-DD.") from None
        raise ValidationError(f"Out of range: {text!r}; dates must lie within {DATE_WINDOW}.")


class KzId(fields.String):
    """A BIN or IIN: 12 ASCII digits with the Kazakh check digit."""

    pattern = "^[0-9]{12}$"
    check = staticmethod(valid_kz_id)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _TWELVE_DIGITS.fullmatch(text):
            raise ValidationError("Must be exactly 12 digits.")
        if not check_digit_ok(text):
            raise ValidationError("Check digit does not match (CONTRACT s.2).")
        return text


class Count(fields.Integer):
    """A whole number in JSON, within bounds (None: unbounded): no strings, floats or booleans."""

    def __init__(self, minimum=0, maximum=MAX_COUNT, **kwargs):
        bounds = [] if minimum is None and maximum is None else [validate.Range(minimum, maximum)]
        super().__init__(strict=True, validate=bounds, **kwargs)

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


def nonempty_text(**kwargs):
    """Non-empty text: a passport, a region, a record's number or status."""
    return Text(validate=validate.Length(min=1), **kwargs)
