"""Entries with an id (requirements, derived facts, readings) and how an amendment changes a list of them.

In a version that amends none, a section is a list of entries. In an amendment it
is a mapping of changes: `add` (new ids, optionally `after: <id>`), `replace`
(whole entries), `change` (only the keys given; a key set to null is dropped) and
`remove` (ids). Each change must name an entry of the amended version.
"""
import re
from dataclasses import dataclass, field, replace

from server.documents import plain
from server.rules import checks
from server.rules.source import Entry, Location, Problem, line_of

OPS = ("add", "replace", "change", "remove")


@dataclass(frozen=True)
class Written(Entry):
    """An Entry that keeps each key's value as loaded, so nested keys keep their lines."""

    written: dict = field(default_factory=dict)

    @classmethod
    def of(cls, item, file):
        return replace(Entry.of.__func__(cls, item, file), written=dict(item))

    def located(self, key, sub):
        """Where `sub` inside the value of `key` is written (the key's line when it has none)."""
        at = self.where(key)
        return Location(at.file, line_of(self.written.get(key), sub, at.line))


def section(rel, doc, key, allowed, base, amended, problems):
    """The entries of section `key`: the whole list (no `base`) or `base` with the amendment's changes."""
    val = doc.get(key)
    line = line_of(doc, key)
    if base is None or isinstance(val, list) and key == "readings":
        # A list of readings in an amendment adds them, as a whole version would list them.
        return listed(rel, [] if val is None else val, allowed, key, problems, base or [])
    if val is None:
        return list(base)
    if not isinstance(val, dict):
        problems.append(Problem(rel, line, f"in an amendment, '{key}' must have {', '.join(OPS)}"))
        return list(base)
    checks.keys(problems, rel, val, set(OPS), key)
    out = _removed(rel, val, key, base, amended, problems)
    for item in listed(rel, val.get("replace") or [], allowed, key, problems):
        if _known(item, out, key, "replace", amended, problems):
            out = [item if e.id == item.id else e for e in out]
    for item in listed(rel, val.get("change") or [], allowed - {"after"}, key, problems):
        if _known(item, out, key, "change", amended, problems):
            out = [_merged(e, item, rel) if e.id == item.id else e for e in out]
    return _added(rel, val, allowed, key, out, problems)


def _known(item, entries, key, op, amended, problems):
    ids = [e.id for e in entries]
    if item.id in ids:
        return True
    problems.append(Problem.at(item.at, f"{key}: cannot {op} '{item.id}': {amended} has no such id"
                                        f"{checks.did_you_mean(item.id, ids)} (a new entry goes under 'add:')"))
    return False


def _merged(old, change, rel):
    """`old` with the keys `change` gives; a key given as null is dropped."""
    data, key_at, written = dict(old.data), dict(old.key_at), dict(old.written)
    for key, value in change.written.items():
        if key == "id":
            continue
        if value is None:
            for d in (data, key_at, written):
                d.pop(key, None)
        else:
            data[key], key_at[key], written[key] = plain(value), change.where(key), value
    return Written(old.id, data, change.at, key_at, written)


def _added(rel, val, allowed, key, out, problems):
    ids = [e.id for e in out]
    for entry in listed(rel, val.get("add") or [], allowed, key, problems):
        if entry.id in ids:
            problems.append(Problem.at(entry.at, f"{key}: cannot add '{entry.id}': it already exists (use change or replace)"))
            continue
        after = entry.data.get("after")
        pos = ids.index(after) + 1 if after in ids else len(out)
        if after and after not in ids:
            problems.append(Problem.at(entry.where("after"), f"{key}: '{entry.id}' is to follow '{after}', which does not exist"))
        out.insert(pos, entry)
        ids.insert(pos, entry.id)
    return out


def _removed(rel, val, key, base, amended, problems):
    """`base` without the entries the amendment's `remove:` names."""
    out = list(base)
    items = val.get("remove") or []
    if not isinstance(items, list):
        problems.append(Problem(rel, line_of(val, "remove"), f"{key}: 'remove' must be a list of ids"))
        return out
    for i, rid in enumerate(items):
        ids = [e.id for e in out]
        if rid not in ids:
            line = items.line + i if items.line != line_of(val, "remove") else items.line
            problems.append(Problem(rel, line, f"{key}: cannot remove '{rid}': {amended} has no such id"
                                               f"{checks.did_you_mean(rid, ids)}"))
        else:
            out = [e for e in out if e.id != rid]
    return out


def listed(rel, items, allowed, key, problems, before=()):
    """Entries of a list as written, their keys and ids checked; `before`: entries already there."""
    out, seen = list(before), {e.id for e in before}
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
        out.append(Written.of(item, rel))
    return out
