"""Fast checks of plain, valid input, shared by the request and registry fast paths.

Each check returns its value when it is certain the value is valid, and raises
Unsure otherwise; the caller then lets marshmallow decide and word the error.
"""
import re
from datetime import date
from operator import mul

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# Both weight sets sum to 66: subtracting 66 * ord("0") turns code points into digits.
_ZERO_BIAS = 66 * ord("0")


def ascii_check_digit_ok(value):
    """The Kazakh BIN/IIN check digit of CONTRACT s.2, for 12 ASCII digits."""
    # Weigh the code points, then remove the bias.
    codes = value.encode("ascii")
    check = (sum(map(mul, codes, FIRST_WEIGHTS)) - _ZERO_BIAS) % 11
    if check == 10:
        check = (sum(map(mul, codes, SECOND_WEIGHTS)) - _ZERO_BIAS) % 11
    return check != 10 and check == codes[11] - 48


class Unsure(Exception):
    """Only marshmallow can tell (most often: the input is invalid)."""


# Plain strings already found valid: the same BINs, IINs and dates recur in every request.
# Bounded; only ever holds values that passed the full check.
KNOWN_IDS = set()
KNOWN_DATES = set()
_KNOWN_LIMIT = 50_000


def remember(known, v):
    if len(known) >= _KNOWN_LIMIT:
        known.clear()
    known.add(v)


def fast_id(v):                       # a 12-digit BIN or IIN, not null
    if type(v) is str:
        if v in KNOWN_IDS:
            return v
        if len(v) == 12 and v.isascii() and v.isdigit() and ascii_check_digit_ok(v):
            remember(KNOWN_IDS, v)
            return v
    raise Unsure


def fast_date(v):                     # a YYYY-MM-DD date, not null
    if type(v) is str:
        if v in KNOWN_DATES:
            return v
        if v.isascii() and ISO_DATE.fullmatch(v):
            try:
                date.fromisoformat(v)
            except ValueError:
                raise Unsure from None
            remember(KNOWN_DATES, v)
            return v
    raise Unsure


def fast_int(v, minimum=None, maximum=None):
    if type(v) is int and (minimum is None or v >= minimum) and (maximum is None or v <= maximum):
        return v
    raise Unsure


def fast_object(v, keys):
    """A plain dict with no key outside `keys`."""
    if type(v) is not dict or not v.keys() <= keys:
        raise Unsure
    return v


def fast_list(v):
    if type(v) is not list:
        raise Unsure
    return v


def required(obj, key):
    try:
        return obj[key]
    except KeyError:
        raise Unsure from None
