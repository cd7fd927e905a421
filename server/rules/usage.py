"""Parameters, derived facts and readings that a version defines but never uses.

Something unused is almost always a mistake: a misspelt name, or a requirement
removed while what only it read stayed. It is reported where it is defined when
that is in the file of the version checked, else (it was used in the version this
one amends) at this file's `amends:`, saying how to remove it. Run only on a
version with no other problem, so one mistake gives one message.
"""
from server.rules.source import Problem


def unused(raw, elaborated, problems):
    """Report what version `raw` (Consolidated) with `elaborated` defines and never uses."""
    for name in raw.parameters.values:
        if name not in elaborated.params_read:
            _report(raw, raw.parameters.defined_at[name], f"parameter '{name}'", "parameters", name, problems)
    read = elaborated.facts_read
    for d in raw.derive:
        fact = d.data.get("fact")
        if fact not in read:
            _report(raw, d.at, f"derived fact '{fact}' (derive {d.id})", "derive", d.id, problems)
    cited = _cited_readings(raw)
    for r in raw.readings:
        if r.id not in cited:
            _report(raw, r.at, f"reading '{r.id}'", "readings", r.id, problems)


def _cited_readings(raw):
    """Reading ids that requirements, derived facts, parameters and acts name."""
    cited = set()
    for holder in ([e.data for e in raw.requirements + raw.derive] + list(raw.parameters.values.values())
                   + [a for a in raw.acts if a]):
        names = holder.get("readings") or []
        cited |= set(names if isinstance(names, list) else [names])
    return cited


def _report(raw, defined_at, what, section, name, problems):
    if defined_at.file == raw.file or raw.amends_at is None:
        problems.append(Problem.at(defined_at, f"{what} is never used: remove it, or name it where it applies"))
        return
    problems.append(Problem.at(raw.amends_at, f"{what} is no longer used in this version (it is defined at "
                                              f"{defined_at.file}:{defined_at.line}): remove it with "
                                              f"'{section}: remove: [{name}]'"))
