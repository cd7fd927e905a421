"""What changed between two versions of a regulation: requirements, parameters,
derived facts and readings, as the rule files state them (CONTRACT 4.4).

`diff(a, b)` works between any two versions, not only an amendment and the version
it amends: both are compared in their consolidated form.
"""
import json
import re

from server.documents import plain
from server.languages import text_in
from server.rules.nodes import referenced_facts

# Requirement fields compared, in the order a lawyer reads them.
_REQ_FIELDS = (("title", "title"), ("citation", "citation"), ("scope", "scope"),
               ("condition", "condition"), ("effect", "effect"), ("explain", "explain"),
               ("readings", "readings"))


def _requirement_summary(r, lang):
    return {"id": r.id, "title": text_in(r.title, lang), "citation": r.citation, "effect": r.effect,
            "scope": r.scope_src, "condition": r.condition_src, "readings": list(r.readings)}


def _requirement_view(r):
    raw = plain(r.raw)
    return {"title": raw.get("title", r.title), "citation": raw.get("citation", r.citation),
            "scope": raw.get("scope", r.scope_src), "condition": raw.get("condition", r.condition_src),
            "effect": raw.get("effect", r.effect), "explain": raw.get("explain"),
            "readings": raw.get("readings", r.readings)}


def _derived_view(d):
    return {k: plain(v) for k, v in d.raw.items() if k != "id"}


def _by_id(items, key):
    return {key(i): i for i in items}


def _reading(r, lang):
    out = {"id": r["id"], "text": text_in(r.get("text"), lang)}
    if r.get("strength"):
        out["strength"] = r["strength"]
    return out


def diff(a, b, lang="en"):
    """The differences from version `a` to version `b` (both rulebook.Version)."""
    ra, rb = _by_id(a.requirements, lambda r: r.id), _by_id(b.requirements, lambda r: r.id)
    changed = []
    for rid, r in rb.items():
        if rid not in ra:
            continue
        va, vb = _requirement_view(ra[rid]), _requirement_view(r)
        changes = {name: {"before": va[key], "after": vb[key]} for name, key in _REQ_FIELDS if va[key] != vb[key]}
        if changes:
            changed.append({"id": rid, "title": text_in(r.title, lang), "changes": changes})

    pa = plain(a.parameters)
    pb = plain(b.parameters)
    da = {d.id: _derived_view(d) for d in a.derivations}
    db = {d.id: _derived_view(d) for d in b.derivations}
    reads_a = [r["id"] for r in a.readings]
    reads_b = [r["id"] for r in b.readings]
    return {
        "regulation": b.regulation,
        "from": a.version,
        "to": b.version,
        "added": [_requirement_summary(r, lang) for rid, r in rb.items() if rid not in ra],
        "removed": [_requirement_summary(r, lang) for rid, r in ra.items() if rid not in rb],
        "changed": changed,
        "affected": _affected(a, b, ra, rb, {c["id"] for c in changed}, _section(pa, pb), _section(da, db), lang),
        "parameters": _section(pa, pb),
        "derived_facts": _section(da, db),
        "readings": {
            "from": [_reading(r, lang) for r in a.readings],
            "to": [_reading(r, lang) for r in b.readings],
            "added": [i for i in reads_b if i not in reads_a],
            "removed": [i for i in reads_a if i not in reads_b],
        },
    }


def _depends(version, r):
    """Derivation ids and parameter names a requirement reads, directly or through derived facts."""
    by_fact = {}
    for d in version.derivations:
        by_fact.setdefault(d.fact, []).append(d)
    texts = [r.scope_src, r.condition_src]
    seen_facts, todo, derivations = set(), list(r.facts), set()
    while todo:
        f = todo.pop()
        if f in seen_facts:
            continue
        seen_facts.add(f)
        for d in by_fact.get(f, ()):
            derivations.add(d.id)
            texts.append(json.dumps(_derived_view(d), ensure_ascii=False))
            todo.extend(referenced_facts(d.when if d.when is not None else d.value))
    words = set(re.findall(r"[a-z_][a-z0-9_]*", " ".join(texts)))
    return derivations, {p for p in version.parameters if p in words}


def _affected(a, b, ra, rb, changed_ids, params, derived, lang):
    """Requirements whose text is unchanged but whose meaning moves with a changed derived fact or parameter."""
    moved_params = set(params["added"]) | set(params["removed"]) | set(params["changed"])
    moved_derived = set(derived["added"]) | set(derived["removed"]) | set(derived["changed"])
    out = []
    for rid, r in rb.items():
        if rid not in ra or rid in changed_ids:
            continue
        da, pa_ = _depends(a, ra[rid])
        db, pb_ = _depends(b, r)
        through = sorted(f"derived fact {d}" for d in (da | db) & moved_derived)
        through += sorted(f"parameter {p}" for p in (pa_ | pb_) & moved_params)
        if through:
            out.append({"id": rid, "title": text_in(r.title, lang), "through": through})
    return out


def _section(before, after):
    return {
        "added": {k: v for k, v in after.items() if k not in before},
        "removed": {k: v for k, v in before.items() if k not in after},
        "changed": {k: {"before": before[k], "after": v} for k, v in after.items() if k in before and before[k] != v},
    }


# --- text for people --------------------------------------------------------------

def _show(value, lang):
    if isinstance(value, dict) and value and set(value) <= {"en", "ru", "kk"}:
        return text_in(value, lang)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _param_value(p):
    if isinstance(p, dict) and "value" in p:
        unit = f" {p['unit']}" if p.get("unit") else ""
        return f"{json.dumps(p['value'], ensure_ascii=False)}{unit}"
    return json.dumps(p, ensure_ascii=False)


def _derived_value(v):
    """A derived fact's rule on indented lines: fact, for_each, when, value, set."""
    parts = []
    for key in ("fact", "for_each", "when", "value", "set", "readings"):
        if key in v:
            val = v[key]
            val = " ".join(str(val).split()) if isinstance(val, str) else json.dumps(val, ensure_ascii=False)
            parts.append(f"\n          {key}: {val}")
    return "".join(parts) or json.dumps(v, ensure_ascii=False)


def text_diff(d, lang="en"):
    lines = [f"{d['regulation']}: changes from {d['from']} to {d['to']}", ""]
    lines.append(f"Requirements added ({len(d['added'])}):")
    for r in d["added"]:
        lines += [f"  + {r['id']}: {r['title']}", f"      citation:  {r['citation']}",
                  f"      applies:   {r['scope'] or 'always'}", f"      met when:  {r['condition']}",
                  f"      if unmet:  {r['effect']}"]
    if not d["added"]:
        lines.append("  (none)")
    lines.append(f"Requirements removed ({len(d['removed'])}):")
    for r in d["removed"]:
        lines += [f"  - {r['id']}: {r['title']}", f"      citation:  {r['citation']}"]
    if not d["removed"]:
        lines.append("  (none)")
    lines.append(f"Requirements changed ({len(d['changed'])}):")
    for c in d["changed"]:
        lines.append(f"  ~ {c['id']}: {c['title']}")
        for field_name, ba in c["changes"].items():
            lines += [f"      {field_name}:", f"        before: {_show(ba['before'], lang)}",
                      f"        after:  {_show(ba['after'], lang)}"]
    if not d["changed"]:
        lines.append("  (none)")
    if d.get("affected"):
        lines.append(f"Requirements whose text is unchanged but whose meaning changes ({len(d['affected'])}):")
        for a in d["affected"]:
            lines.append(f"  ~ {a['id']}: {a['title']}")
            lines.append(f"      through: {', '.join(a['through'])}")
    for title, sec, fmt in (("Parameters", d["parameters"], _param_value),
                            ("Derived facts", d["derived_facts"], _derived_value)):
        lines += ["", f"{title}:"]
        for k, v in sec["added"].items():
            lines.append(f"  + {k} = {fmt(v)}")
        for k, v in sec["removed"].items():
            lines.append(f"  - {k} = {fmt(v)}")
        for k, ba in sec["changed"].items():
            lines += [f"  ~ {k}", f"      before: {fmt(ba['before'])}", f"      after:  {fmt(ba['after'])}"]
        if not any(sec.values()):
            lines.append("  (no change)")
    rd = {r["id"]: r for r in d["readings"]["to"] + d["readings"]["from"]}
    lines += ["", "Readings (how open points of law are read):"]
    for i in d["readings"]["added"]:
        lines.append(f"  + {i}: {rd[i]['text']}")
    for i in d["readings"]["removed"]:
        lines.append(f"  - {i}: {rd[i]['text']}")
    if not d["readings"]["added"] and not d["readings"]["removed"]:
        lines.append("  (no change)")
    return "\n".join(lines)


def between(book, regulation, from_version, to_version, lang="en"):
    """The diff between two versions of one regulation in `book`, by name."""
    return diff(book.version(regulation, from_version, "from"), book.version(regulation, to_version, "to"), lang)
