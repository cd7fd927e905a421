"""A requirement's `without_registries:`: what the application alone decides when a registry it needs is missing.

`met:` and `unmet:` are expressions over the application's own facts (the application
and its workers): when a registry the requirement needs could not be read, the
finding is met if `met` holds, else unmet if `unmet` holds, else unknown. A ruling
chooses the registries to read before any derived fact exists, and a missing
registry must never decide a finding (CONTRACT 4.1), so nothing read from a
registry or derived may appear in them. docs/rule-files.md explains the key.
"""
from server.rules import interpret
from server.rules.nodes import And, ExpressionError, Not, Or, type_of
from server.rules.source import Problem

KEY = "without_registries"
STATUSES = ("met", "unmet")
OWN_FACTS = ("application", "worker")   # what a request gives before any registry is read


def elaborate(entry, known, problems):
    """{"met" | "unmet": (source text, node, parameters read)} of `entry`'s `without_registries:`."""
    who, written = f"requirement '{entry.id}' {KEY}", entry.data.get(KEY)
    if written is None:
        return {}
    if not isinstance(written, dict) or not written:
        problems.append(Problem.at(entry.where(KEY), f"{who}: give 'met:' and/or 'unmet:' expressions"))
        return {}
    out = {}
    for status, src in written.items():
        at = entry.located(KEY, status)
        if status not in STATUSES:
            problems.append(Problem.at(at, f"{who}: unknown key '{status}'; allowed: {', '.join(STATUSES)}"))
            continue
        scope = known.scope()
        try:
            node, params = known.parse(src, scope)
        except ExpressionError as e:
            known.fail(at, f"{who} {status}: ", src, e)
            continue
        if type_of(node) != "bool":
            problems.append(Problem.at(at, f"{who} {status}: expected a true/false condition, got a {type_of(node)}"))
            continue
        foreign = sorted(set(scope.used_facts) - set(OWN_FACTS))
        if foreign:
            problems.append(Problem.at(at, f"{who} {status}: may read only the application's own facts "
                                           f"(application, workers); {_why(foreign[0], known)}"))
            continue
        out[status] = (str(src), node, params)
    return out


def _why(fact, known):
    """Why `fact` may not be read where a registry is missing."""
    regs = sorted(known.regs_of.get(fact) or ())
    own = known.fact_types[fact].registry if fact in known.fact_types else None
    if own:
        return f"'{fact}' is read from the {own} registry, which may be the one that is missing"
    if regs:
        return (f"'{fact}' is derived from the {', '.join(regs)} registr{'y' if len(regs) == 1 else 'ies'}, "
                "which may be the one that is missing")
    return f"'{fact}' is a derived fact, and the registries to read are chosen before derived facts exist"


def status(requirement, by_type):
    """"met", "unmet" or None (unknown): the finding of `requirement` when a registry it needs is missing,
    by the plain-Python reading of its `without_registries:` over the application's own facts `by_type`."""
    for decided in STATUSES:
        if decided in requirement.without and interpret.evaluate(requirement.without[decided][1], {}, by_type):
            return decided
    return None


def reads_registries(requirement):
    """When a ruling must read `requirement`'s registries: in scope, and not decided by the application alone.
    (The expressions read only the application's own facts; the scope may read more, then it is read always.)"""
    if not requirement.without:
        return requirement.scope
    return And((requirement.scope, Not(Or(tuple(node for _, node in requirement.without.values())))))
