"""Dates as the engine sees them: day numbers, calendar shifts and Kazakh working days.

durable_rules cannot do date arithmetic on strings, so dates become day numbers
(days since 1970-01-01) and shifts by months, which the engine cannot add, are
precomputed into extra fields named `field@<months>m<days>d[w]`.
"""
import datetime as dt

import holidays
from dateutil.relativedelta import relativedelta

EPOCH = dt.date(1970, 1, 1).toordinal()


def day_number(iso):
    """ISO date -> days since 1970-01-01."""
    return dt.date.fromisoformat(iso).toordinal() - EPOCH


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


def shifted(day, shift):
    """Apply a precomputed shift `(months, days, working)` to a day number."""
    months, days, working = shift
    d = dt.date.fromordinal(int(day) + EPOCH) + relativedelta(months=months) + dt.timedelta(days=days)
    n = d.toordinal() - EPOCH
    return next_working_day(n) if working else n


def shift_field_name(fieldname, shift):
    months, days, working = shift
    return f"{fieldname}@{months}m{days}d{'w' if working else ''}"


def add_shifts(fact, wanted):
    """Add the precomputed calendar shifts `wanted` ((field, shift) pairs) to one engine fact."""
    for fname, sh in wanted:
        if fname in fact:
            fact[shift_field_name(fname, sh)] = shifted(fact[fname], sh)
