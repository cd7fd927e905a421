"""Parameters: named values with a declared type, listed in a version and changed by amendments.

A version that amends none lists `name: {value, type, unit, description, readings}`.
An amendment writes `add:` (new parameters, whole), `change:` (`name: 20` sets the
value and keeps the rest; `name: {key: ...}` sets those keys) and `remove:` (names);
a bare `name: ...` in an amendment is a change and must name an existing parameter.
Every value is checked against its type in the file that sets it.
"""
import datetime as dt
import json
import re
from dataclasses import dataclass

from server.documents import plain
from server.languages import LANGUAGES
from server.rules import checks
from server.rules.source import Location, Problem, line_of

KEYS = {"value", "type", "unit", "description", "readings"}
OPS = ("add", "change", "remove")
WHOLE = "a whole number, 0 or more"
TYPES = {
    "days": WHOLE, "months": WHOLE, "count": WHOLE,
    "percent": "a percent from 0 to 100 (70 for 70%)",
    "number": "a number", "bool": "true or false", "date": "a date YYYY-MM-DD",
    "text": "a text", "list": "a list of texts or of numbers",
}


@dataclass(frozen=True)
class Parameters:
    values: dict          # name -> plain {"value", "type", ...}
    value_at: dict        # name -> Location where its value was last set
    defined_at: dict      # name -> Location where it was added


EMPTY = Parameters({}, {}, {})


def read(rel, doc, base, amended, reading_ids, problems, langs=LANGUAGES):
    """The parameters of a version: `base` (None for a version that amends none) with this file's."""
    params = doc.get("parameters")
    if params is None:
        return base or EMPTY
    if not isinstance(params, dict):
        problems.append(Problem(rel, line_of(doc, "parameters"), "'parameters' must be a mapping of name: {value: ...}"))
        return base or EMPTY
    ctx = (rel, reading_ids, problems, langs)
    ops = set(params) & set(OPS)
    if base is None:
        if ops:
            problems.append(Problem(rel, line_of(params, sorted(ops)[0]),
                                    f"parameters: {', '.join(OPS)} are for amendments; list each parameter by name"))
            return EMPTY
        return _add(params, EMPTY, None, ctx)
    if not ops:
        return _change(params, base, amended, ctx)
    checks.keys(problems, rel, params, set(OPS), "parameters")
    out = _remove(params, base, amended, ctx)
    if isinstance(params.get("change"), dict):
        out = _change(params["change"], out, amended, ctx)
    elif "change" in params:
        problems.append(Problem(rel, line_of(params, "change"), "parameters: 'change' must be a mapping of name: value"))
    if isinstance(params.get("add"), dict):
        out = _add(params["add"], out, amended, ctx)
    elif "add" in params:
        problems.append(Problem(rel, line_of(params, "add"), "parameters: 'add' must be a mapping of name: {value: ...}"))
    return out


def _add(params, base, amended, ctx):
    rel, _, problems, _ = ctx
    values, value_at, defined_at = dict(base.values), dict(base.value_at), dict(base.defined_at)
    for name, spec in params.items():
        at = Location(rel, line_of(params, name))
        if name in values:
            problems.append(Problem.at(at, f"parameters: cannot add '{name}': {amended} has it already (use change)"))
            continue
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
            problems.append(Problem.at(at, f"parameter name '{name}' must be lower_case_with_underscores"))
            continue
        if not isinstance(spec, dict) or "value" not in spec:
            problems.append(Problem.at(at, f"parameter '{name}' must be a mapping with a 'value', a 'type' and a 'description'"))
            continue
        if _checked(name, spec, spec, at, ctx):
            values[name], value_at[name], defined_at[name] = plain(spec), _value_at(spec, at), at
    return Parameters(values, value_at, defined_at)


def _change(params, base, amended, ctx):
    rel, _, problems, _ = ctx
    values, value_at = dict(base.values), dict(base.value_at)
    for name, spec in params.items():
        at = Location(rel, line_of(params, name))
        if name not in values:
            problems.append(Problem.at(at, f"parameters: '{name}' is not a parameter of {amended}"
                                           f"{checks.did_you_mean(name, values)}; a new parameter goes under 'add:'"))
            continue
        given = spec if isinstance(spec, dict) else {"value": spec}
        merged = {**values[name], **plain(given)}
        if _checked(name, merged, given, at, ctx):
            values[name] = merged
            if "value" in given:
                value_at[name] = _value_at(given, at)
    return Parameters(values, value_at, base.defined_at)


def _remove(params, base, amended, ctx):
    rel, _, problems, _ = ctx
    names = params.get("remove") or []
    values = dict(base.values)
    for name in names if isinstance(names, list) else [names]:
        if name not in values:
            problems.append(Problem(rel, line_of(params, "remove"), f"parameters: cannot remove '{name}': {amended} has no such "
                                                                    f"parameter{checks.did_you_mean(name, values)}"))
        values.pop(name, None)
    return Parameters(values, {k: v for k, v in base.value_at.items() if k in values},
                      {k: v for k, v in base.defined_at.items() if k in values})


def _value_at(given, at):
    return Location(at.file, line_of(given, "value", at.line))


def _checked(name, spec, given, at, ctx):
    """Check parameter `name`: `spec` whole, `given` the keys this file writes; True when it is fine."""
    rel, reading_ids, problems, langs = ctx
    before = len(problems)
    who = f"parameter '{name}'"
    checks.keys(problems, rel, given, KEYS, f"parameter {name}")
    kind = spec.get("type")
    if kind not in TYPES:
        where = Location(rel, line_of(given, "type", at.line)) if "type" in given else at
        problems.append(Problem.at(where, f"{who}: " + (f"unknown type '{kind}'{checks.did_you_mean(kind, TYPES)}; " if kind else "missing 'type': ")
                                   + f"one of {', '.join(sorted(TYPES))}"))
    elif "value" in given or "type" in given:
        wrong = _wrong(kind, spec.get("value"))
        if wrong:
            problems.append(Problem.at(_value_at(given, at), f"{who} must be {wrong}; got {_shown(spec.get('value'))}"))
    if given is spec or "description" in given:
        checks.texts(problems, spec.get("description"), Location(rel, line_of(given, "description", at.line)),
                     "description", where=f"{who}: ", required=True, langs=langs)
    readings = given.get("readings") or []
    for rid in readings if isinstance(readings, list) else [readings]:
        if rid not in reading_ids:
            problems.append(Problem(rel, line_of(given, "readings"), f"{who}: unknown reading '{rid}'"
                                                                   f"{checks.did_you_mean(rid, reading_ids)}"))
    return len(problems) == before


def _wrong(kind, v):
    """What value `v` should be for type `kind`, or None when it fits."""
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind in ("days", "months", "count"):
        fits = number and float(v).is_integer() and v >= 0
    elif kind == "percent":
        if number and 0 < v < 1:
            return f"{TYPES[kind]}, not a fraction"
        fits = number and 0 <= v <= 100
    elif kind == "number":
        fits = number
    elif kind == "bool":
        fits = isinstance(v, bool)
    elif kind == "date":
        fits = isinstance(v, str) and _is_date(v)
    elif kind == "text":
        fits = isinstance(v, str) and bool(v.strip())
    else:
        fits = isinstance(v, list) and len({isinstance(x, str) for x in v}) <= 1 \
            and all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in v)
    return None if fits else TYPES[kind]


def _is_date(v):
    try:
        dt.date.fromisoformat(v)
        return True
    except ValueError:
        return False


def _shown(v):
    """A value as a rule file writes it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "nothing"
    return json.dumps(plain(v), ensure_ascii=False)
