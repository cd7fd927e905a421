"""What changed between two versions of a regulation: requirements, parameters,
derived facts and readings, as the rule files state them (CONTRACT 4.4).

`diff(a, b)` works between any two versions, not only an amendment and the version
it amends: both are compared in their consolidated form. A requirement's meaning
moves with a parameter or derived fact only if its scope or condition reads it,
directly or through the derived facts' fields it reads.
"""
from server.documents import plain
from server.languages import text_in
from server.rules.describe import reading, without_registries
from server.rules.nodes import fields_used

# Requirement fields compared, in the order a lawyer reads them.
_REQ_FIELDS = ("title", "citation", "scope", "condition", "without_registries", "effect", "explain", "readings")
# Keys of a derived fact that decide whether it holds (every field it sets depends on them).
_WHEN_KEYS = ("fact", "collection", "for_each", "when", "value")


def _requirement_summary(r, lang):
    return {"id": r.id, "title": text_in(r.title, lang), "citation": text_in(r.citation, lang), "effect": r.effect,
            "scope": r.scope_src, "condition": r.condition_src, **without_registries(r), "readings": list(r.readings)}


def _requirement_view(r):
    raw = plain(r.raw)
    return {"title": raw.get("title", r.title), "citation": raw.get("citation", r.citation),
            "scope": raw.get("scope", r.scope_src), "condition": raw.get("condition", r.condition_src),
            "without_registries": raw.get("without_registries"),
            "effect": raw.get("effect", r.effect), "explain": raw.get("explain"),
            "readings": raw.get("readings", r.readings)}


def _derived_view(d):
    return {k: plain(v) for k, v in d.raw.items() if k != "id"}




def diff(a, b, lang="en"):
    """The differences from version `a` to version `b` (both rulebook.Version)."""
    ra, rb = {r.id: r for r in a.requirements}, {r.id: r for r in b.requirements}
    changed = []
    for rid, r in rb.items():
        if rid in ra:
            va, vb = _requirement_view(ra[rid]), _requirement_view(r)
            changes = {k: {"before": va[k], "after": vb[k]} for k in _REQ_FIELDS if va[k] != vb[k]}
            if changes:
                changed.append({"id": rid, "title": text_in(r.title, lang), "changes": changes})
    params = _section(plain(a.parameters), plain(b.parameters))
    derived = _section({d.id: _derived_view(d) for d in a.derivations}, {d.id: _derived_view(d) for d in b.derivations})
    moved = _moved(params, derived)
    affected = []
    for rid, r in rb.items():
        through = _through(a, b, ra[rid], r, moved) if rid in ra else []
        change = next((c for c in changed if c["id"] == rid), None)
        if through and change:
            change["through"] = through
        elif through:
            affected.append({"id": rid, "title": text_in(r.title, lang), "through": through})
    return {
        "regulation": b.regulation, "from": a.version, "to": b.version,
        "added": [_requirement_summary(r, lang) for rid, r in rb.items() if rid not in ra],
        "removed": [_requirement_summary(r, lang) for rid, r in ra.items() if rid not in rb],
        "changed": changed,
        "affected": affected,
        "parameters": params,
        "derived_facts": derived,
        "readings": _readings(a, b, lang),
    }


def _readings(a, b, lang):
    """Readings of both versions, and which ids were added, removed, or kept with another text."""
    ta, tb = {r["id"]: r for r in a.readings}, {r["id"]: r for r in b.readings}
    return {
        "from": [reading(a, r, lang) for r in a.readings],
        "to": [reading(b, r, lang) for r in b.readings],
        "added": [i for i in tb if i not in ta],
        "removed": [i for i in ta if i not in tb],
        "changed": {i: _reading_change(a, b, ta[i], r, lang) for i, r in tb.items()
                    if i in ta and any(plain(ta[i].get(k)) != plain(r.get(k)) for k in ("text", "citation", "strength"))},
    }


def _reading_change(a, b, before, after, lang):
    """A reading kept with another text, citation or strength: the text before and after, and what else moved."""
    ra, rb = reading(a, before, lang), reading(b, after, lang)
    out = {"before": ra["text"], "after": rb["text"]}
    for key in ("citation", "strength"):
        if ra.get(key) != rb.get(key):
            out[key] = {"before": ra.get(key), "after": rb.get(key)}
    return out


def _moved(params, derived):
    """(parameters whose value or type changed, {(derivation id, part)} whose meaning changed).

    A part is "when" (whether the fact holds, and so every field) or a field its `set:` gives.
    """
    names = set(params["added"]) | set(params["removed"])
    names |= {k for k, ba in params["changed"].items()
              if any(ba["before"].get(x) != ba["after"].get(x) for x in ("value", "type"))}
    parts = {(i, "when") for i in set(derived["added"]) | set(derived["removed"])}
    for i, ba in derived["changed"].items():
        before, after = ba["before"], ba["after"]
        if any(before.get(k) != after.get(k) for k in _WHEN_KEYS):
            parts.add((i, "when"))
        sa, sb = before.get("set") or {}, after.get("set") or {}
        parts |= {(i, f) for f in set(sa) | set(sb) if sa.get(f) != sb.get(f)}
    return names, parts


def _through(a, b, ra, rb, moved):
    """How requirement `rb` (`ra` in version `a`) reads what moved: ["derived fact x", "parameter y"]."""
    names, parts = moved
    pa, da = reads(a, ra)
    pb, db = reads(b, rb)
    return (sorted({f"derived fact {i}" for i, part in (da | db) & parts})
            + sorted(f"parameter {p}" for p in (pa | pb) & names))


def reads(version, r):
    """(parameters, {(derivation id, part)}) that requirement `r`'s scope and condition read, transitively.

    The diff's "affected through" and `ereje test --coverage`'s "exercised" both rest on it.
    """
    by_fact = {}
    for d in version.derivations:
        by_fact.setdefault(d.fact, []).append(d)
    params, parts, seen = set(r.params), set(), set()
    todo = _pairs(fields_used(r.condition, fields_used(r.scope)))
    while todo:
        fact, name = todo.pop()
        if (fact, name) in seen:
            continue
        seen.add((fact, name))
        for d in by_fact.get(fact, ()):
            parts.add((d.id, "when"))
            params |= d.params
            todo += _pairs(fields_used(d.when if d.when is not None else d.value))
            if name in d.set:
                parts.add((d.id, name))
                params |= d.set_params.get(name, frozenset())
                todo += _pairs(fields_used(d.set[name]))
    return params, parts


def _pairs(used):
    """[(fact, field)] of fields_used(), a fact read only for being there given field None."""
    return [(fact, name) for fact, names in used.items() for name in (names or {None})]


def _section(before, after):
    return {
        "added": {k: v for k, v in after.items() if k not in before},
        "removed": {k: v for k, v in before.items() if k not in after},
        "changed": {k: {"before": before[k], "after": v} for k, v in after.items() if k in before and before[k] != v},
    }


def between(book, regulation, from_version, to_version, lang="en"):
    """The diff between two versions of one regulation in `book`, by name."""
    return diff(book.version(regulation, from_version, "from"), book.version(regulation, to_version, "to"), lang)
