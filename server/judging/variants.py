"""Generated applications: the legal team's cases with one or two facts changed, seeded and deterministic.

A mutant no case kills needs a case that tells it from the rule. The search starts
from the cases' own requests (valid and realistic) and changes a fact or two to
values near what the rules compare them with: a date moved by a day or by a
parameter's number of days or months from another date of the application, a
number next to a parameter or constant, a code the rules name, an identifier with
its type or unit digit changed (and its check digit recomputed, CONTRACT s.2), a
list entry left out. `diff` writes a variant back as the `set:`/`remove:` of a case.
"""
import copy
import datetime as dt
import re

from adapters.fields import valid_kz_id
from server.rules.nodes import Const, In, walk

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"\d{12}")


def vocabulary(version):
    """(numbers, texts) that the rules of `version` compare facts with: parameters and constants."""
    numbers, texts = {0, 1}, set()
    for p in version.parameters.values():
        value = p.get("value")
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, bool):
                continue
            (numbers if isinstance(v, (int, float)) else texts).add(v)
    nodes = [n for r in version.requirements for n in (r.scope, r.condition) if n is not None]
    nodes += [n for d in version.derivations for n in (d.when, d.value, *d.set.values()) if n is not None]
    for node in nodes:
        for n in walk(node):
            values = n.values if isinstance(n, In) else (n.value,) if isinstance(n, Const) else ()
            for v in values:
                if isinstance(v, str):
                    texts.add(v)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    numbers.add(v)
    return sorted(numbers), sorted(texts)


def leaves(doc, path=()):
    """(path, value) of every scalar and list in a request, in order."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaves(v, path + (k,))
    elif isinstance(doc, list):
        yield path, doc
        for i, v in enumerate(doc):
            yield from leaves(v, path + (i,))
    else:
        yield path, doc


def changes(request, numbers, texts, seen_texts):
    """Every one-fact change of `request`, by fact: [[(path or None for a value replaced everywhere, old, new)]]."""
    dates = sorted({v for _, v in leaves(request) if isinstance(v, str) and _DATE.fullmatch(v)})
    by_fact = []
    for path, value in leaves(request):
        out = []
        by_fact.append(out)
        if isinstance(value, bool):
            out.append((path, value, not value))
        elif isinstance(value, (int, float)):
            near = {value + 1, value - 1, 0} | {n + k for n in numbers for k in (-1, 0, 1)}
            out += [(path, value, n) for n in sorted(near) if n >= 0 and n != value]
        elif isinstance(value, list):
            out += [(path, value, value[:i] + value[i + 1:]) for i in range(len(value))]
        elif isinstance(value, str) and _DATE.fullmatch(value):
            out += [(path, value, d) for d in _near_dates(dates, numbers) if d != value]
        elif isinstance(value, str) and _ID.fullmatch(value):
            out += [(None, value, new) for new in _other_ids(value)]
        elif isinstance(value, str):
            shape = _shape(value)
            out += [(None, value, t) for t in sorted(texts | seen_texts.get(path[-1:], set()))
                    if t != value and _shape(t) == shape]
    return [out for out in by_fact if out]


def changed(request, change):
    """`request` with one change applied (a value replaced everywhere when the path is None)."""
    path, old, new = change
    if path is None:
        return _replace_all(request, old, new)
    out = copy.deepcopy(request)
    target = out
    try:
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = new
    except (KeyError, IndexError, TypeError):
        return request      # a second change whose fact the first one took away
    return out


def diff(defaults, request, path=()):
    """(set, remove) that make `defaults` into `request`: {dotted path: value}, [dotted path]."""
    if isinstance(defaults, dict) and isinstance(request, dict):
        sets, removes = {}, []
        for k in list(defaults) + [k for k in request if k not in defaults]:
            if k not in request:
                removes.append(".".join(map(str, path + (k,))))
            elif k not in defaults:
                sets[".".join(map(str, path + (k,)))] = request[k]
            else:
                s, r = diff(defaults[k], request[k], path + (k,))
                sets.update(s)
                removes += r
        return sets, removes
    if isinstance(defaults, list) and isinstance(request, list) and len(defaults) == len(request):
        sets, removes = {}, []
        for i, (a, b) in enumerate(zip(defaults, request)):
            s, r = diff(a, b, path + (i,))
            sets.update(s)
            removes += r
        return sets, removes
    return ({} if defaults == request else {".".join(map(str, path)): request}), []


def _near_dates(dates, numbers):
    """Dates at, or a day either side of, another date of the application moved by a number of days or months."""
    out = set()
    for text in dates:
        day = dt.date.fromisoformat(text)
        for n in numbers:
            if not float(n).is_integer() or n > 400:
                continue
            for base in {day + dt.timedelta(days=int(n)), day - dt.timedelta(days=int(n)),
                         _add_months(day, int(n)), _add_months(day, -int(n))}:
                out |= {(base + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)}
    return sorted(out)


def _add_months(day, n):
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue


def _other_ids(value):
    """`value` (a BIN or IIN) with its type digit (5th) or unit digit (6th) changed and a valid check digit."""
    out = []
    for pos in (4, 5):
        for digit in "0123456789":
            if digit == value[pos]:
                continue
            stem = value[:pos] + digit + value[pos + 1:11]
            out += [stem + c for c in "0123456789" if valid_kz_id(stem + c)][:1]
    return out


def _shape(text):
    return re.sub(r"[A-Z]", "A", re.sub(r"[a-z]", "a", re.sub(r"\d", "9", text)))


def _replace_all(doc, old, new):
    if isinstance(doc, dict):
        return {k: _replace_all(v, old, new) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_replace_all(v, old, new) for v in doc]
    return new if doc == old and type(doc) is type(old) else doc
