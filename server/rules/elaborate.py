"""Type a consolidated version: its expressions and texts become requirements and derived facts.

Every expression is parsed against the fact model and the version's parameters;
each derived fact gets its fields' types, its registries and the stage at which
the engine may conclude it; texts become templates. `server.engine.compile` then
turns the whole into engine rules.
"""
import re
from dataclasses import dataclass, replace

from server.rules import checks, expressions, facts, interpret
from server.rules.model import Derivation, Requirement, Template
from server.rules.nodes import TRUE, ExpressionError, fields_used, referenced_facts, type_of
from server.rules.source import Location, Problem, line_of

EFFECTS = ("refuse", "warn")
STATUSES = ("met", "unmet", "unknown", "not_applicable")


@dataclass(frozen=True)
class Elaborated:
    """A version's typed content, from which `model.Version` is made."""

    derivations: list
    requirements: list
    fact_types: dict
    shifts: dict
    stages: int


class _Known:
    """What expressions may name so far: it grows with each derived fact, in file order."""

    def __init__(self, raw):
        self.values = {k: p["value"] for k, p in raw.parameters.items()}
        self.reading_ids = {r["id"] for r in raw.readings}
        self.fact_types = {k: replace(ft, fields=dict(ft.fields))
                           for k, ft in facts.INPUT_FACTS.items()}
        self.shifts = {}     # fact -> {(field, shift)}: calendar shifts the parser asks for
        self.stage_of = {k: 0 for k in self.fact_types}
        self.regs_of = {k: ({ft.registry} if ft.registry else set()) for k, ft in self.fact_types.items()}

    def scope(self, variables=None, allow_ifelse=False):
        return expressions.Scope(self.fact_types, self.values, variables, self.shifts, allow_ifelse=allow_ifelse)

    def registries(self, refs):
        return set().union(*(self.regs_of.get(r, set()) for r in refs))


def elaborate(raw, problems):
    """The typed content of `raw` (a consolidate.Consolidated); what is wrong goes to `problems`."""
    known = _Known(raw)
    derivations = [d for d in (_derivation(e, known, problems) for e in raw.derive) if d is not None]
    final = 1 + max([d.stage for d in derivations] + [0])
    requirements = [r for r in (_requirement(e, known, problems) for e in raw.requirements) if r is not None]
    return Elaborated(derivations=derivations, requirements=requirements, fact_types=known.fact_types,
                      shifts=known.shifts, stages=final)


def _expr(entry, key, scope, problems, required=True):
    """(node, source text) of `entry`'s expression `key`; node None when missing or wrong."""
    src = entry.data.get(key)
    if src is None:
        if required:
            problems.append(Problem.at(entry.at, f"'{entry.id}': missing '{key}'"))
        return None, ""
    try:
        node = expressions.parse(src, scope)
    except ExpressionError as e:
        problems.append(Problem.at(entry.where(key), f"'{entry.id}' {key}: {e}"))
        return None, str(src)
    return node, str(src)


# --- derived facts -------------------------------------------------------------------

def _target(entry, known, problems):
    """(fact name, (var, fact type) or None, scope) of a derivation, or None when it cannot be read."""
    d, at = entry.data, entry.at
    name = d.get("fact")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        problems.append(Problem.at(at, f"derive '{entry.id}': 'fact' must name the fact it asserts (lower_case)"))
        return None
    if name in facts.INPUT_FACTS:
        problems.append(Problem.at(at, f"derive '{entry.id}': '{name}' is an input fact; derive a new name"))
        return None
    foreach, scope = None, known.scope()
    if d.get("for_each") is not None:
        m = re.fullmatch(r"\s*([a-z_][a-z0-9_]*)\s+in\s+([a-z_][a-z0-9_]*)\s*", str(d["for_each"]))
        types = known.fact_types.values()
        coll = m and next((ft for ft in types if ft.collection == m.group(2)), None)
        if not coll:
            problems.append(Problem.at(entry.where("for_each"),
                                       f"derive '{entry.id}': for_each must read 'x in <list>'; lists: "
                                       + ", ".join(sorted(ft.collection for ft in types if ft.collection))))
            return None
        foreach = (m.group(1), coll.name)
        scope = scope.bind(*foreach)
    if ("when" in d) == ("value" in d):
        problems.append(Problem.at(at, f"derive '{entry.id}': give exactly one of 'when' (assert if true) or 'value' (assert per element with value true/false)"))
        return None
    if "value" in d and not foreach:
        problems.append(Problem.at(at, f"derive '{entry.id}': 'value' needs 'for_each'"))
        return None
    return name, foreach, scope


def _sets(entry, known, scope, foreach, problems):
    """The `set:` values of a derivation: ({field: node}, {field: type}, facts they read)."""
    set_scope = known.scope(scope.variables, allow_ifelse=True)
    sets, types = {}, {}
    for fname, src in (entry.data.get("set") or {}).items():
        try:
            node = expressions.parse(src, set_scope)
        except ExpressionError as e:
            problems.append(Problem.at(entry.where("set"), f"derive '{entry.id}' set {fname}: {e}"))
            continue
        sets[fname], types[fname] = node, type_of(node)
    for other in set_scope.used_facts - scope.used_facts - {"application"} - ({foreach[1]} if foreach else set()):
        problems.append(Problem.at(entry.where("set"),
                                   f"derive '{entry.id}': set may only read facts its condition names; '{other}' is not in it"))
    return sets, types, set_scope.used_facts


def _derivation(entry, known, problems):
    target = _target(entry, known, problems)
    if target is None:
        return None
    name, foreach, scope = target
    when, _ = _expr(entry, "when", scope, problems, required=False)
    value, _ = _expr(entry, "value", scope, problems, required=False)
    cond = when if when is not None else value
    if cond is None:
        return None
    sets, fields, set_facts = _sets(entry, known, scope, foreach, problems)
    refs = referenced_facts(cond) | set_facts
    for r in refs:
        if r not in known.stage_of:
            problems.append(Problem.at(entry.at, f"derive '{entry.id}' names '{r}' before it is derived"))
    stage = 1 + max([known.stage_of.get(r, 0) for r in refs] + [0])
    if value is not None:
        fields["value"] = "bool"
    if foreach:
        fields["of"] = "string"
    ft = known.fact_types.get(name)
    if ft is None:
        collection = entry.data.get("collection") or (name + "s" if foreach else None)
        known.fact_types[name] = facts.FactType(name, fields, collection=collection, singleton=not foreach)
    elif ft.fields != fields or ft.singleton != (not foreach):
        problems.append(Problem.at(entry.at, f"derive '{entry.id}': '{name}' is also derived elsewhere with other fields"))
        return None
    known.stage_of[name] = max(known.stage_of.get(name, 0), stage)
    regs = known.registries(refs)
    known.regs_of[name] = known.regs_of.get(name, set()) | regs
    return Derivation(id=entry.id, fact=name, foreach=foreach, when=when, value=value, set=sets,
                      raw=entry.data, at=entry.at, stage=stage, registries=regs)


# --- requirements --------------------------------------------------------------------

def _heading(entry, known, problems):
    """Check a requirement's title, citation, effect and readings; return its title texts."""
    r, who = entry.data, f"requirement '{entry.id}'"
    title = checks.texts(problems, r.get("title"), entry.where("title"), "title", where=f"{who}: ", required=True)
    citation = r.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        problems.append(Problem.at(entry.at, f"{who}: missing 'citation' (the article or paragraph it encodes)"))
    effect = r.get("effect")
    if effect not in EFFECTS:
        problems.append(Problem.at(entry.where("effect"), f"{who}: effect must be one of {', '.join(EFFECTS)}, got {effect!r}"))
    for rid in r.get("readings") or []:
        if rid not in known.reading_ids:
            problems.append(Problem.at(entry.where("readings"), f"{who}: unknown reading '{rid}'"))
    return title


def _requirement(entry, known, problems):
    r = entry.data
    title = _heading(entry, known, problems)
    sc, sc_src = _expr(entry, "scope", known.scope(), problems, required=False) if "scope" in r else (TRUE, "true")
    cond, cond_src = _expr(entry, "condition", known.scope(), problems)
    explain = _explain(entry, known, problems)
    if sc is None or cond is None:
        return None
    refs = referenced_facts(sc) | referenced_facts(cond)
    reads = fields_used(cond, fields_used(sc))
    for templates in explain.values():
        for tpl in templates.values():
            for part in tpl.parts:
                if not isinstance(part, str):
                    fields_used(part[1], reads)
    citation, effect = r.get("citation"), r.get("effect")
    return Requirement(
        id=entry.id, title=title, citation=citation or "", effect=effect or "refuse",
        scope_src=sc_src, condition_src=cond_src, scope=sc, condition=cond, explain=explain,
        readings=list(r.get("readings") or []), facts=refs, registries=known.registries(refs),
        raw=r, at=entry.at, reads=reads, scope_facts=frozenset(referenced_facts(sc)),
        shown=_shown(refs, reads, known.fact_types))


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


def _explain(entry, known, problems):
    """{status: {language: Template}} of a requirement's `explain:`."""
    who, out = f"requirement '{entry.id}'", {}
    ex = entry.data.get("explain")
    if not isinstance(ex, dict):
        problems.append(Problem.at(entry.at, f"{who}: missing 'explain' with texts for {', '.join(STATUSES)}"))
        return out
    for status in ex:
        if status not in STATUSES:
            problems.append(Problem.at(entry.at, f"{who}: explain has unknown status '{status}'; use {', '.join(STATUSES)}"))
    for status in ("met", "unmet", "unknown"):
        if status not in ex:
            problems.append(Problem.at(entry.at, f"{who}: explain has no text for '{status}'"))
    for status, texts in ex.items():
        if status not in STATUSES or not isinstance(texts, dict):
            continue
        # The entry's data is plain: a status has no line of its own (line_of gives 1).
        at = Location(entry.at.file, line_of(ex, status))
        checked = checks.texts(problems, texts, at, status, where=f"{who} explain ", required=True)
        out[status] = {}
        for lang, text in checked.items():
            try:
                out[status][lang] = parse_template(text, known.scope(allow_ifelse=True))
            except ExpressionError as e:
                problems.append(Problem.at(entry.at, f"{who} explain.{status}.{lang}: {e}"))
    return out


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def parse_template(text, scope):
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append(text[pos:m.start()])
        node = expressions.parse(m.group(1), scope)
        parts.append((m.group(1), node, interpret.compile_py(node), type_of(node)))
        pos = m.end()
    parts.append(text[pos:])
    return Template(text=text, parts=tuple(parts))
