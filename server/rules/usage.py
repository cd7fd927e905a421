"""Parameters, derived facts and readings that a version defines but never uses.

Something unused is almost always a mistake: a misspelt name, or a requirement
removed while what only it read stayed. What is used is what the requirements
and acts reach: the facts, parameters and readings they name, the derived facts
of those facts, and so on. Unused definitions of the checked version's own file
are reported each at its line; inherited ones (used in the version this one
amends) in one message at this file's `amends:`, saying what to remove. Run only
on a version with no other problem, so one mistake gives one message.
"""
from server.rules.source import Problem


def unused(raw, elaborated, problems):
    """Report what version `raw` (Consolidated) with `elaborated` defines and never uses."""
    reached = _reached(raw, elaborated)
    found = [("parameters", "parameter", name, raw.parameters.defined_at[name])
             for name in raw.parameters.values if ("parameter", name) not in reached]
    found += [("derive", "derived fact", d.id, d.at) for d in raw.derive if ("derive", d.id) not in reached]
    found += [("readings", "reading", r.id, r.at) for r in raw.readings if ("reading", r.id) not in reached]
    inherited = []
    for section, what, name, at in found:
        if at.file == raw.file or raw.amends_at is None:
            problems.append(Problem.at(at, f"{what} '{name}' is never used: remove it, or name it where it applies"))
        else:
            inherited.append((section, what, name, at))
    if inherited:
        listed = ", ".join(f"{what} '{name}' ({at.file}:{at.line})" for _, what, name, at in inherited)
        removes = "; ".join(f"{section}: remove: [{', '.join(n for s, _, n, _ in inherited if s == section)}]"
                            for section in dict.fromkeys(s for s, _, _, _ in inherited))
        problems.append(Problem.at(raw.amends_at, f"no longer used in this version: {listed}; remove with {removes}"))


def _reached(raw, elaborated):
    """Every ("parameter" | "derive" | "reading" | "fact", name) the requirements and acts reach."""
    by_fact = {}
    for d in raw.derive:
        by_fact.setdefault(d.data.get("fact"), []).append(d.id)
    cites = {("requirement", e.id): e.data.get("readings") for e in raw.requirements}
    cites.update({("derive", e.id): e.data.get("readings") for e in raw.derive})
    cites.update({("parameter", k): p.get("readings") for k, p in raw.parameters.values.items()})
    todo = [("requirement", e.id) for e in raw.requirements]
    todo += [("reading", rid) for act in raw.acts if act for rid in _ids(act.get("readings"))]
    reached = set()
    while todo:
        node = todo.pop()
        if node in reached:
            continue
        reached.add(node)
        kind, name = node
        if kind == "fact":
            todo += [("derive", i) for i in by_fact.get(name, ())]
            continue
        todo += [("fact", f) for f in elaborated.facts_by.get(node, ())]
        todo += [("parameter", p) for p in elaborated.params_by.get(node, ())]
        todo += [("reading", rid) for rid in _ids(cites.get(node))]
    return reached


def _ids(names):
    return names if isinstance(names, list) else [names] if names else []
