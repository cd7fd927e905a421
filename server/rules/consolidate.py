"""Consolidate one rule file, on top of the version it amends, into one version's raw content.

A version may be written whole, or as an amendment of an earlier one (`amends:`)
that adds, replaces and removes requirements, derived facts and parameters. Here
each is checked for its keys, ids and texts; `elaborate` then types its expressions.
"""
import hashlib
import re
from dataclasses import dataclass

from server.documents import plain
from server.rules import checks
from server.rules.source import Entry, Location, Problem, line_of

TOP_KEYS = {"regulation", "version", "effective_from", "effective_to", "title", "act", "amends",
            "readings", "parameters", "derive", "requirements", "sources", "open_questions", "notes"}
REQ_KEYS = {"id", "title", "citation", "scope", "condition", "effect", "explain", "readings", "note", "after"}
DERIVE_KEYS = {"id", "fact", "collection", "for_each", "when", "value", "set", "readings", "note", "after"}
ACT_KEYS = {"title", "number", "date", "registration", "url", "in_force", "note"}
READING_KEYS = {"id", "text", "source", "strength"}
PARAM_KEYS = {"value", "unit", "description", "readings"}
CHANGE_KEYS = {"add", "replace", "remove"}


@dataclass(frozen=True)
class Head:
    """What a rule file says of itself: its period, title and legal act."""

    effective_from: str | None
    effective_to: str | None
    title: dict
    act: dict | None


@dataclass(frozen=True)
class Consolidated:
    """A version's content with its amendments applied: checked keys, ids and texts; expressions still text."""

    regulation: str
    version: str
    head: Head
    acts: list
    readings: list           # plain dicts
    parameters: dict         # name -> plain {"value", ...}
    derive: list             # [Entry]
    requirements: list       # [Entry]
    files: list              # [(path, bytes)]: the amended versions' files, then this one
    amends: str | None = None

    @property
    def digest(self):
        digest = hashlib.sha256()
        for _, text in self.files:
            digest.update(hashlib.sha256(text).digest())
        return "sha256:" + digest.hexdigest()


def head(rel, doc, problems):
    """Check a file's own keys, dates, title and act."""
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(Problem(rel, line_of(doc, key), f"unknown key '{key}'; allowed: {', '.join(sorted(TOP_KEYS))}"))
    eff_from = checks.date(problems, rel, doc, "effective_from", required=True)
    eff_to = checks.date(problems, rel, doc, "effective_to")
    title = checks.texts(problems, doc.get("title"), _at(rel, doc, "title"), "title", required=True)
    return Head(eff_from, eff_to, title, _act(rel, doc, problems))


def consolidate(reg_id, name, file, head, base, problems):
    """Version `name` from `file` (path, loaded document, bytes) and its checked `head`, on top of
    `base` (the Consolidated version it amends, or None)."""
    rel, doc, text = file
    return Consolidated(
        regulation=reg_id, version=name, head=head,
        acts=(base.acts if base else []) + ([head.act] if head.act else []),
        readings=_readings(rel, doc, base.readings if base else [], problems),
        parameters=_parameters(rel, doc, base.parameters if base else {}, problems),
        derive=_changes(rel, doc, "derive", DERIVE_KEYS, base.derive if base else None, problems),
        requirements=_changes(rel, doc, "requirements", REQ_KEYS, base.requirements if base else None, problems),
        files=(base.files if base else []) + [(rel, text)],
        amends=base.version if base else None)


def _at(rel, obj, key):
    return Location(rel, line_of(obj, key))


def _act(rel, doc, problems):
    act = doc.get("act")
    if act is None:
        problems.append(Problem(rel, doc.line, "missing 'act': the legal act this version encodes (title, number, date, url)"))
        return None
    if not isinstance(act, dict):
        problems.append(Problem(rel, line_of(doc, "act"), "'act' must be a mapping"))
        return None
    checks.keys(problems, rel, act, ACT_KEYS, "act")
    checks.texts(problems, act.get("title"), _at(rel, act, "title"), "title", where="act: ", required=True)
    for k in ("number", "date", "url"):
        if not act.get(k):
            problems.append(Problem(rel, act.line, f"act: missing '{k}'"))
    return plain(act)


def _readings(rel, doc, base, problems):
    out = list(base)
    items = doc.get("readings") or []
    if not isinstance(items, list):
        problems.append(Problem(rel, line_of(doc, "readings"), "'readings' must be a list"))
        return out
    ids = {r["id"] for r in out}
    for r in items:
        if not isinstance(r, dict) or not r.get("id"):
            problems.append(Problem(rel, line_of(r) if isinstance(r, dict) else items.line, "each reading needs an id and a text"))
            continue
        checks.keys(problems, rel, r, READING_KEYS, f"reading {r['id']}")
        checks.texts(problems, r.get("text"), _at(rel, r, "text"), "text", where=f"reading {r['id']}: ", required=True)
        if r["id"] in ids:
            problems.append(Problem(rel, r.line, f"duplicate reading id '{r['id']}'"))
        ids.add(r["id"])
        out.append(plain(r))
    return out


def _parameters(rel, doc, base, problems):
    out = dict(base)
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        problems.append(Problem(rel, line_of(doc, "parameters"), "'parameters' must be a mapping of name: {value: ...}"))
        return out
    for name, spec in params.items():
        line = line_of(params, name)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
            problems.append(Problem(rel, line, f"parameter name '{name}' must be lower_case_with_underscores"))
        if not isinstance(spec, dict) or "value" not in spec:
            problems.append(Problem(rel, line, f"parameter '{name}' must be a mapping with a 'value'"))
            continue
        checks.keys(problems, rel, spec, PARAM_KEYS, f"parameter {name}")
        v = spec["value"]
        if not isinstance(v, (bool, int, float, str, list)):
            problems.append(Problem(rel, line, f"parameter '{name}': value must be a number, text, true/false or a list"))
        was = base[name]["value"] if name in base else None
        if name in base and type(was) is not type(v) and not (isinstance(v, (int, float)) and isinstance(was, (int, float))):
            problems.append(Problem(rel, line, f"parameter '{name}' was a {type(was).__name__}, "
                                               f"the amendment makes it a {type(v).__name__}"))
        out[name] = plain(spec)
    return out


def _changes(rel, doc, key, allowed, base, problems):
    """A whole list (base file) or add/replace/remove (amendment), consolidated into Entries."""
    val = doc.get(key)
    line = line_of(doc, key)
    if base is None:
        if val is None:
            val = []
        if not isinstance(val, list):
            problems.append(Problem(rel, line, f"'{key}' must be a list (or, in an amendment, add/replace/remove)"))
            return []
        return _entries(rel, val, allowed, key, problems)
    if val is None:
        return list(base)
    if not isinstance(val, dict):
        problems.append(Problem(rel, line, f"in an amendment, '{key}' must have add, replace and/or remove"))
        return list(base)
    checks.keys(problems, rel, val, CHANGE_KEYS, key)
    out = _removed(rel, val, key, base, problems)
    ids = [e.id for e in out]
    for entry in _entries(rel, val.get("replace") or [], allowed, key, problems):
        if entry.id not in ids:
            problems.append(Problem.at(entry.at, f"{key}: cannot replace '{entry.id}': the amended version has no such id (use add)"))
        else:
            out = [entry if e.id == entry.id else e for e in out]
    for entry in _entries(rel, val.get("add") or [], allowed, key, problems):
        if entry.id in ids:
            problems.append(Problem.at(entry.at, f"{key}: cannot add '{entry.id}': it already exists (use replace)"))
            continue
        after = entry.data.get("after")
        pos = ids.index(after) + 1 if after in ids else len(out)
        if after and after not in ids:
            problems.append(Problem.at(entry.at, f"{key}: '{entry.id}' is to follow '{after}', which does not exist"))
        out.insert(pos, entry)
        ids.insert(pos, entry.id)
    return out


def _removed(rel, val, key, base, problems):
    """`base` without the entries the amendment's `remove:` names."""
    out = list(base)
    for rid in val.get("remove") or []:
        if rid not in [e.id for e in out]:
            problems.append(Problem(rel, line_of(val, "remove"), f"{key}: cannot remove '{rid}': the amended version has no such id"))
        else:
            out = [e for e in out if e.id != rid]
    return out


def _entries(rel, items, allowed, key, problems):
    out, seen = [], set()
    if not isinstance(items, list):
        problems.append(Problem(rel, getattr(items, "line", 1), f"'{key}' entries must be a list"))
        return out
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(Problem(rel, getattr(item, "line", getattr(items, "line", 1)), f"each entry of '{key}' needs an 'id'"))
            continue
        checks.keys(problems, rel, item, allowed, f"{key[:-1] if key.endswith('s') else key} {item['id']}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", item["id"]):
            problems.append(Problem(rel, item.line, f"id '{item['id']}' must be lower-case words joined by hyphens"))
        if item["id"] in seen:
            problems.append(Problem(rel, item.line, f"duplicate id '{item['id']}' in '{key}'"))
        seen.add(item["id"])
        out.append(Entry.of(item, rel))
    return out
