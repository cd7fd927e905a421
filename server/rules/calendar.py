"""Dates as the engine sees them: day numbers, calendar shifts and Kazakh working days.

durable_rules cannot do date arithmetic on strings, so dates become day numbers
(days since 1970-01-01) and shifts by months, which the engine cannot add, are
precomputed into extra fields named `field@<months>m<days>d[w]`.
"""
import datetime as dt
import functools

import holidays
from dateutil.relativedelta import relativedelta

EPOCH = dt.date(1970, 1, 1).toordinal()
FIRST_DAY = dt.date.min.toordinal() - EPOCH     # 0001-01-01 as a day number
LAST_DAY = dt.date.max.toordinal() - EPOCH      # 9999-12-31
# The longest shift a rule may write, days(n) or months(n): a century. Anything
# longer is a typo, and the bound keeps the reach of a version's date arithmetic
# (see `reach`) small beside the calendar's 10,000 years.
MAX_SHIFT_DAYS = 36_525
MAX_SHIFT_MONTHS = 1_200
# next_working_day never moves a date further than this (the longest run of
# weekends and holidays in Kazakhstan is a few days; two weeks is generous).
WORKING_DAY_SLACK = 14


def day_number(iso):
    """ISO date -> days since 1970-01-01."""
    return dt.date.fromisoformat(iso).toordinal() - EPOCH


def in_calendar(day):
    """Whether day number `day` is a date between 0001-01-01 and 9999-12-31."""
    return FIRST_DAY <= day <= LAST_DAY


def shift_reach(shift):
    """How many days at most a precomputed shift `(months, days, working)` moves a date."""
    months, days, working = shift
    return 31 * abs(months) + abs(days) + (WORKING_DAY_SLACK if working else 0)


@functools.lru_cache(maxsize=65536)
def iso_date(day):
    return dt.date.fromordinal(int(day) + EPOCH).isoformat()


def readable(value, is_date):
    """A fact's value as rulings show it: day numbers of date fields back as ISO dates."""
    return iso_date(value) if is_date and isinstance(value, (int, float)) else value


_KZ = {}


def next_working_day(day):
    """The day itself if it is a working day in Kazakhstan, else the next one."""
    d = dt.date.fromordinal(int(day) + EPOCH)
    while True:
        cal = _KZ.get(d.year)
        if cal is None:
            cal = _KZ[d.year] = holidays.country_holidays("KZ", years=d.year)
        if d.weekday() < 5 and d not in cal:
            return d.toordinal() - EPOCH
        d += dt.timedelta(days=1)


@functools.lru_cache(maxsize=65536)
def shifted(day, shift):
    """Apply a precomputed shift `(months, days, working)` to a day number.

    Cached: the same few dates (filing days, postings, decisions) recur in every
    ruling, and relativedelta plus the holiday calendar cost more than the engine's match.
    """
    months, days, working = shift
    d = dt.date.fromordinal(int(day) + EPOCH) + relativedelta(months=months) + dt.timedelta(days=days)
    n = d.toordinal() - EPOCH
    return next_working_day(n) if working else n


@functools.lru_cache(maxsize=4096)
def shift_field_name(fieldname, shift):
    months, days, working = shift
    return f"{fieldname}@{months}m{days}d{'w' if working else ''}"


def add_shifts(fact, wanted):
    """Add the precomputed calendar shifts `wanted` ((field, shift) pairs) to one engine fact."""
    for fname, sh in wanted:
        if fname in fact:
            try:
                fact[shift_field_name(fname, sh)] = shifted(fact[fname], sh)
            except (ValueError, OverflowError):
                # Past the calendar: left out. A ruling never reads it: judging sets
                # such a fact aside first (server.judging.facts.beyond_calendar).
                continue


def with_shifts(fact, wanted):
    """`fact` with the precomputed calendar shifts `wanted` ((field, shift) pairs) added, as a new
    dict; `fact` itself when it has none of the fields."""
    extra = {}
    for fname, sh in wanted:
        if fname in fact:
            try:
                extra[shift_field_name(fname, sh)] = shifted(fact[fname], sh)
            except (ValueError, OverflowError):
                # Past the calendar: left out, as add_shifts does.
                continue
    return {**fact, **extra} if extra else fact

