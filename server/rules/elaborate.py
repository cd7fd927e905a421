"""Parse a consolidated version into typed requirements and derived facts.

Every expression is parsed against the fact model and the version's parameters;
each derived fact gets its fields' types, its registries and the stage at which
the engine may conclude it; texts become templates. Then `compiler` turns the
whole into engine rules.
"""
import re

from server.rules import expressions
from server.rules import facts
from server.rules import interpret
from server.rules import source
from server.rules.expressions import ExpressionError
from server.rules.model import Derivation, Requirement, Template

EFFECTS = ("refuse", "warn")
STATUSES = ("met", "unmet", "unknown", "not_applicable")


def build(check, v, derive, reqs, readings, params):
    """Parse every expression and text of a consolidated version into `v`, then compile it.

    `check` reports problems (`err`) and checks texts by language (`texts`).
    """
    values = {k: p["value"] for k, p in params.items()}
    reading_ids = {r["id"] for r in readings}
    ftypes = {k: facts.FactType(ft.name, dict(ft.fields), ft.collection, ft.registry, ft.singleton)
              for k, ft in facts.INPUT_FACTS.items()}
    shifts = {}
    stage_of = {k: 0 for k in ftypes}
    regs_of = {k: ({ft.registry} if ft.registry else set()) for k, ft in ftypes.items()}

    def expr(item, key, scope, required=True):
        src = item.get(key)
        if src is None:
            if required:
                check.err(item["__file"], item["__line"], f"'{item['id']}': missing '{key}'")
            return None, ""
        try:
            node = expressions.parse(src, scope)
        except ExpressionError as e:
            check.err(item["__file"], item["__lines"].get(key, item["__line"]), f"'{item['id']}' {key}: {e}")
            return None, str(src)
        return node, str(src)

    for d in derive:
        rel, line = d["__file"], d["__line"]
        name = d.get("fact")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            check.err(rel, line, f"derive '{d['id']}': 'fact' must name the fact it asserts (lower_case)")
            continue
        if name in facts.INPUT_FACTS:
            check.err(rel, line, f"derive '{d['id']}': '{name}' is an input fact; derive a new name")
            continue
        foreach = None
        scope = expressions.Scope(ftypes, values, shifts=shifts)
        if d.get("for_each") is not None:
            m = re.fullmatch(r"\s*([a-z_][a-z0-9_]*)\s+in\s+([a-z_][a-z0-9_]*)\s*", str(d["for_each"]))
            coll = m and next((ft for ft in ftypes.values() if ft.collection == m.group(2)), None)
            if not coll:
                check.err(rel, d["__lines"].get("for_each", line),
                         f"derive '{d['id']}': for_each must read 'x in <list>'; lists: "
                         + ", ".join(sorted(ft.collection for ft in ftypes.values() if ft.collection)))
                continue
            foreach = (m.group(1), coll.name)
            scope = scope.bind(*foreach)
        if ("when" in d) == ("value" in d):
            check.err(rel, line, f"derive '{d['id']}': give exactly one of 'when' (assert if true) or 'value' (assert per element with value true/false)")
            continue
        if "value" in d and not foreach:
            check.err(rel, line, f"derive '{d['id']}': 'value' needs 'for_each'")
            continue
        when, _ = expr(d, "when", scope, required=False)
        value, _ = expr(d, "value", scope, required=False)
        cond = when if when is not None else value
        if cond is None:
            continue
        set_scope = expressions.Scope(ftypes, values, scope.variables, shifts, allow_ifelse=True)
        sets, set_types = {}, {}
        for fname, src in (d.get("set") or {}).items():
            try:
                node = expressions.parse(src, set_scope)
            except ExpressionError as e:
                check.err(rel, d["__lines"].get("set", line), f"derive '{d['id']}' set {fname}: {e}")
                continue
            sets[fname], set_types[fname] = node, expressions.type_of(node)
        for other in set_scope.used_facts - scope.used_facts - {"application"} - ({foreach[1]} if foreach else set()):
            check.err(rel, d["__lines"].get("set", line),
                     f"derive '{d['id']}': set may only read facts its condition names; '{other}' is not in it")
        refs = expressions.referenced_facts(cond) | set_scope.used_facts
        for r in refs:
            if r not in stage_of:
                check.err(rel, line, f"derive '{d['id']}' names '{r}' before it is derived")
        stage = 1 + max([stage_of.get(r, 0) for r in refs] + [0])
        fields = dict(set_types)
        if value is not None:
            fields["value"] = "bool"
        if foreach:
            fields["of"] = "string"
        ft = ftypes.get(name)
        if ft is None:
            ft = ftypes[name] = facts.FactType(name, fields, d.get("collection") or (name + "s" if foreach else None),
                                               None, singleton=not foreach)
        elif ft.fields != fields or ft.singleton != (not foreach):
            check.err(rel, line, f"derive '{d['id']}': '{name}' is also derived elsewhere with other fields")
            continue
        stage_of[name] = max(stage_of.get(name, 0), stage)
        regs = set().union(*(regs_of.get(r, set()) for r in refs))
        regs_of[name] = regs_of.get(name, set()) | regs
        v.derivations.append(Derivation(d["id"], name, foreach, when, value, sets, d, stage, regs))

    final = 1 + max([dv.stage for dv in v.derivations] + [0])
    for r in reqs:
        rel, line = r["__file"], r["__line"]
        title = check.texts(rel, r, "title", required=True, where=f"requirement '{r['id']}': ")
        citation = r.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            check.err(rel, line, f"requirement '{r['id']}': missing 'citation' (the article or paragraph it encodes)")
        effect = r.get("effect")
        if effect not in EFFECTS:
            check.err(rel, r["__lines"].get("effect", line), f"requirement '{r['id']}': effect must be one of {', '.join(EFFECTS)}, got {effect!r}")
        for rid in r.get("readings") or []:
            if rid not in reading_ids:
                check.err(rel, r["__lines"].get("readings", line), f"requirement '{r['id']}': unknown reading '{rid}'")
        scope = expressions.Scope(ftypes, values, shifts=shifts)
        sc, sc_src = expr(r, "scope", scope, required=False) if "scope" in r else (expressions.TRUE, "true")
        cscope = expressions.Scope(ftypes, values, shifts=shifts)
        cond, cond_src = expr(r, "condition", cscope)
        explain = _explain(check, r, ftypes, values, shifts)
        if sc is None or cond is None:
            continue
        refs = expressions.referenced_facts(sc) | expressions.referenced_facts(cond)
        regs = set().union(*(regs_of.get(x, set()) for x in refs))
        reads = expressions.fields_used(cond, expressions.fields_used(sc))
        for templates in explain.values():
            for tpl in templates.values():
                for part in tpl.parts:
                    if not isinstance(part, str):
                        expressions.fields_used(part[1], reads)
        v.requirements.append(Requirement(
            r["id"], title, citation or "", effect or "refuse", sc_src, cond_src, sc, cond, explain,
            list(r.get("readings") or []), refs, regs, r, line, reads,
            frozenset(expressions.referenced_facts(sc)), _shown(refs, reads, ftypes)))
    v.fact_types, v.shifts, v.stages = ftypes, shifts, final

def _shown(refs, reads, ftypes):
    """Which facts a finding shows: every fact the requirement names or its texts read,
    of the application only the fields they read."""
    shown = []
    for fact in sorted(refs | set(reads), key=lambda f: (f != "application", f)):
        ft = ftypes[fact]
        only = tuple(sorted(k for k in reads.get(fact, ()) if "@" not in k and not k.startswith("ok_"))) \
            if fact == "application" else None
        dates = frozenset(k for k, t in ft.fields.items() if t == "date")
        shown.append((fact, ft.singleton, only, dates))
    return tuple(shown)


def _explain(check, r, ftypes, values, shifts):
    rel, line = r["__file"], r["__line"]
    out = {}
    ex = r.get("explain")
    if not isinstance(ex, dict):
        check.err(rel, line, f"requirement '{r['id']}': missing 'explain' with texts for {', '.join(STATUSES)}")
        return out
    for status in ex:
        if status not in STATUSES:
            check.err(rel, line, f"requirement '{r['id']}': explain has unknown status '{status}'; use {', '.join(STATUSES)}")
    for status in ("met", "unmet", "unknown"):
        if status not in ex:
            check.err(rel, line, f"requirement '{r['id']}': explain has no text for '{status}'")
    for status, texts in ex.items():
        if status not in STATUSES or not isinstance(texts, dict):
            continue
        checked = check.texts(rel, ex, status, required=True, where=f"requirement '{r['id']}' explain ")
        out[status] = {}
        for lang, text in checked.items():
            try:
                out[status][lang] = parse_template(text, expressions.Scope(ftypes, values, shifts=shifts, allow_ifelse=True))
            except ExpressionError as e:
                check.err(rel, source.line_of(texts, lang, line), f"requirement '{r['id']}' explain.{status}.{lang}: {e}")
    return out


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def parse_template(text, scope):
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append(text[pos:m.start()])
        node = expressions.parse(m.group(1), scope)
        parts.append((m.group(1), node, interpret.compile_py(node), expressions.type_of(node)))
        pos = m.end()
    parts.append(text[pos:])
    return Template(text, parts)
