"""Type a consolidated version: its expressions and texts become requirements and derived facts.

Every expression is parsed against the fact model and the version's parameters;
each derived fact gets its fields' types, its registries and the stage at which
the engine may conclude it; texts become templates. `server.engine.compile` then
turns the whole into engine rules.
"""
import re
from dataclasses import dataclass

from server.rules import checks, decided, facts, quotes
from server.rules.known import Known
from server.rules.model import Derivation, Requirement
from server.rules.nodes import TRUE, ExpressionError, fields_used, referenced_facts, type_of
from server.rules.source import Problem

EFFECTS = ("refuse", "warn")


@dataclass(frozen=True)
class Elaborated:
    """A version's typed content, from which `model.Version` is made."""

    derivations: list
    requirements: list
    fact_types: dict
    shifts: dict
    stages: int
    reading_texts: dict      # reading id -> {language: text}, parameters quoted
    reading_citations: dict  # reading id -> {language: citation}, parameters quoted
    facts_by: dict           # ("requirement" | "derive" | "reading", id) -> facts its expressions and texts read
    params_by: dict          # the same -> parameters they read


def elaborate(raw, problems):
    """The typed content of `raw` (a consolidate.Consolidated); what is wrong goes to `problems`."""
    known = Known(raw, problems)
    derivations = [d for d in (_derivation(e, known, problems) for e in raw.derive) if d is not None]
    final = 1 + max([d.stage for d in derivations] + [0])
    requirements = [r for r in (_requirement(e, known, problems) for e in raw.requirements) if r is not None]
    return Elaborated(derivations=derivations, requirements=requirements, fact_types=known.fact_types,
                      shifts=known.shifts, stages=final, reading_texts=quotes.readings(raw, known),
                      reading_citations=quotes.readings(raw, known, "citation"),
                      facts_by=known.facts_by, params_by=known.params_by)


def _expr(entry, key, scope, known, problems, required=True):
    """(node, source text, parameters read) of `entry`'s expression `key`; node None when missing or wrong."""
    src = entry.data.get(key)
    if src is None:
        if required:
            problems.append(Problem.at(entry.at, f"'{entry.id}': missing '{key}'"))
        return None, "", frozenset()
    try:
        node, params = known.parse(src, scope)
    except ExpressionError as e:
        known.fail(entry.where(key), f"'{entry.id}' {key}: ", src, e)
        return None, str(src), frozenset()
    return node, str(src), params


def _readings(entry, who, known, problems):
    """Report the readings `entry` names that the version does not have."""
    names = entry.data.get("readings") or []
    for rid in names if isinstance(names, list) else [names]:
        if rid not in known.reading_ids:
            problems.append(Problem.at(entry.where("readings"), f"{who}: unknown reading '{rid}'"
                                                              f"{checks.did_you_mean(rid, known.reading_ids)}"))


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
    """The `set:` values of a derivation: ({field: node}, {field: type}, facts they read, {field: parameters})."""
    set_scope = known.scope(scope.variables, allow_ifelse=True)
    sets, types, params = {}, {}, {}
    written = entry.data.get("set") or {}
    if not isinstance(written, dict):
        problems.append(Problem.at(entry.where("set"), f"derive '{entry.id}': 'set' must be a mapping of field: expression"))
        return None
    for fname, src in written.items():
        try:
            sets[fname], params[fname] = known.parse(src, set_scope)
        except ExpressionError as e:
            known.fail(entry.located("set", fname), f"derive '{entry.id}' set {fname}: ", src, e)
            return None
        types[fname] = type_of(sets[fname])
    for other in set_scope.used_facts - scope.used_facts - {"application"} - ({foreach[1]} if foreach else set()):
        problems.append(Problem.at(entry.where("set"),
                                   f"derive '{entry.id}': set may only read facts its condition names; '{other}' is not in it"))
    return sets, types, set_scope.used_facts, params


def _derivation(entry, known, problems):
    """The Derivation of `entry`, or None; a fact whose derivation is wrong is `broken`, so what reads it is not reported."""
    before = len(problems)
    known.owner = ("derive", entry.id)
    made = _derived(entry, known, problems)
    if made is None or len(problems) > before:
        name = entry.data.get("fact")
        if isinstance(name, str):
            known.broken |= {name, entry.data.get("collection") or name + "s"}
        return None
    return made


def _derived(entry, known, problems):
    _readings(entry, f"derive '{entry.id}'", known, problems)
    target = _target(entry, known, problems)
    if target is None:
        return None
    name, foreach, scope = target
    when, _, when_params = _expr(entry, "when", scope, known, problems, required=False)
    value, _, value_params = _expr(entry, "value", scope, known, problems, required=False)
    cond = when if when is not None else value
    made = None if cond is None else _sets(entry, known, scope, foreach, problems)
    if made is None:
        return None
    sets, fields, set_facts, set_params = made
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
                      raw=entry.data, at=entry.at, stage=stage, registries=regs,
                      params=when_params | value_params, set_params=set_params, key_at=entry.key_at)


# --- requirements --------------------------------------------------------------------

def _requirement(entry, known, problems):
    r, who = entry.data, f"requirement '{entry.id}'"
    known.owner = ("requirement", entry.id)
    title, citation = quotes.heading(entry, known, problems)
    effect = r.get("effect")
    if effect not in EFFECTS:
        problems.append(Problem.at(entry.where("effect"), f"{who}: effect must be one of {', '.join(EFFECTS)}, got {effect!r}"))
    _readings(entry, who, known, problems)
    sc, sc_src, sc_params = _expr(entry, "scope", known.scope(), known, problems, required=False) \
        if "scope" in r else (TRUE, "true", frozenset())
    cond, cond_src, cond_params = _expr(entry, "condition", known.scope(), known, problems)
    without = decided.elaborate(entry, known, problems)
    explain = quotes.explain(entry, known, problems)
    if sc is None or cond is None:
        return None
    refs = referenced_facts(sc) | referenced_facts(cond)
    reads = fields_used(cond, fields_used(sc))
    for _, node, _ in without.values():
        fields_used(node, reads)
    for templates in explain.values():
        for tpl in templates.values():
            for part in tpl.parts:
                if not isinstance(part, str):
                    fields_used(part[1], reads)
    return Requirement(
        id=entry.id, title=title, citation=citation, effect=effect or "refuse",
        scope_src=sc_src, condition_src=cond_src, scope=sc, condition=cond, explain=explain,
        readings=list(r.get("readings") or []), facts=refs, registries=known.registries(refs),
        raw=r, at=entry.at, reads=reads, scope_facts=frozenset(referenced_facts(sc)),
        shown=_shown(refs, reads, known.fact_types),
        params=sc_params | cond_params | frozenset().union(*(p for _, _, p in without.values())),
        without={status: (src, node) for status, (src, node, _) in without.items()}, key_at=entry.key_at)


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
