"""The filing dates a plan judges: the planned date and every day on which the outcome can change.

A ruling depends on its filing date in three ways only: through the version in force
on it, through the quota's year, and where a rule compares the filing date with a
date (a registry's, the application's own, a constant), after the calendar
arithmetic the version writes (`+ days(n)`, `+ months(n)`, `next_working_day`, all
of it precomputed into the facts or a constant in the rules). Such a comparison
changes its answer only on the date compared with or the day after, so between two
of these days every comparison, and so the outcome, stays the same: judging them
finds the earliest approval without judging each day of the horizon.
"""
import datetime as dt

from server.rules.calendar import EPOCH, WORKING_DAY_SLACK, day_number, in_calendar, shifted
from server.rules.facts import INPUT_FACTS
from server.rules.nodes import Arith, Cmp, Const, Field, walk

_DATE_FIELDS = {name: {f for f, t in ft.fields.items() if t == "date"} for name, ft in INPUT_FACTS.items()}
# Around a date the filing date reaches through months or working days: month ends clamp,
# so up to 4 filing dates (the 28th to the 31st) are carried onto one day.
_NEAR = 3


def candidates(versions, input_facts, start, end):
    """Sorted day numbers from `start` to `end` (both included) worth judging: `start`, each
    version boundary, each 1 January, and each day a date of the facts, moved as the rules of
    `versions` move dates, meets the filing date (and the day after)."""
    days = {start, *_boundaries(versions), *_new_years(start, end)}
    offsets, constants, filing_shifts = set(), set(), set()
    for v in versions:
        o, c, s = arithmetic(v)
        offsets |= o
        constants |= c
        filing_shifts |= s
    # A derived date may be moved once more (a date + n, + m): sums of two offsets.
    sums = {a + b for a in offsets | {0} for b in offsets | {0}}
    for d in set(fact_dates(input_facts)) | constants:
        for o in sums:
            days |= {d + o, d + o + 1}
        for shift in filing_shifts:
            days |= _reached_through(d, shift)
    return sorted(d for d in days if start <= d <= end)


def fact_dates(input_facts):
    """Every date in the engine facts (precomputed shifts included) except the filing date's own."""
    for f in input_facts:
        dates = _DATE_FIELDS.get(f["t"], ())
        for name, value in f.items():
            base = name.split("@", 1)[0]
            if base in dates and isinstance(value, int) and not (f["t"] == "application" and base == "submitted_on"):
                yield value


def arithmetic(version):
    """(day offsets, constant dates, shifts of the filing date) the version's conditions use.

    An offset is how far from a fact's date the filing date's comparison turns: +n for
    `fact.date + days(n)` compared with the filing date, -n for `submitted_on + days(n)`
    compared with a fact's date, both for `submitted_on - fact.date` compared with n.
    """
    offsets, constants, filing_shifts = set(), set(), set()
    for node in _conditions(version):
        for n in walk(node):
            if isinstance(n, Arith) and n.type == "date" and isinstance(n.right, Const):
                k = n.right.value if n.op == "+" else -n.right.value
                offsets.add(-k if _reads_filing(n.left) else k)
            elif isinstance(n, Cmp):
                offsets |= _difference_bound(n)
            elif isinstance(n, Const) and n.type == "date":
                constants.add(n.value)
            elif isinstance(n, Field) and _is_filing(n) and n.shift != (0, 0, False):
                filing_shifts.add(n.shift)
    return offsets, constants, filing_shifts


def _conditions(version):
    """What decides statuses: derived facts' `when`, `value` and `set:`, requirements' scope, condition
    and `without_registries:`."""
    for d in version.derivations:
        yield from (n for n in (d.when, d.value, *d.set.values()) if n is not None)
    for r in version.requirements:
        yield from (n for n in (r.scope, r.condition, *(node for _, node in r.without.values())) if n is not None)


def _difference_bound(cmp):
    """±n for `date - date` compared with a constant n."""
    out = set()
    for side, other in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
        if isinstance(side, Arith) and side.op == "-" and side.type == "number" and isinstance(other, Const) \
                and isinstance(other.value, (int, float)) and _is_date(side.left) and _is_date(side.right):
            out |= {int(other.value), -int(other.value)}
    return out


def _is_date(node):
    return getattr(node, "type", None) == "date"


def _is_filing(field):
    return field.fact == "application" and (field.base or field.name) == "submitted_on"


def _reads_filing(node):
    return any(isinstance(n, Field) and _is_filing(n) for n in walk(node))


def _reached_through(day, shift):
    """Filing dates near the ones that `shift` (months, days, working) carries onto `day`, and the day
    after the last of them (where a strict comparison with `day` turns)."""
    months, days, working = shift
    try:
        back = shifted(day, (-months, -days, False))
    except (ValueError, OverflowError):
        return set()
    before = _NEAR + (WORKING_DAY_SLACK if working else 0)
    return {back + k for k in range(-before, _NEAR + 2) if in_calendar(back + k)}


def _boundaries(versions):
    for v in versions:
        yield day_number(v.effective_from)
        if v.effective_to:
            yield day_number(v.effective_to) + 1


def _new_years(start, end):
    """1 January of every year after `start`'s, up to `end`: the quota consulted is the year's."""
    first, last = _date(start).year + 1, _date(end).year
    return (day_number(f"{year:04d}-01-01") for year in range(first, last + 1))


def _date(day):
    return dt.date.fromordinal(day + EPOCH)
