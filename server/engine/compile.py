"""Compile a version's derived facts and requirements into durable_rules rule dicts.

Each boolean expression is brought to disjunctive normal form; each clause
becomes one engine rule whose patterns are the application, the variables it
quantifies over (`any`) and negated patterns (`all`, `not any`, absent facts).
Negation is stratified: every rule waits for a stage fact, asserted only after
all facts of lower stages exist, so a negated pattern sees everything it denies.
Nothing here imports durable_rules: the output is plain JSON-able dicts.
"""
from dataclasses import dataclass, field, replace

from server.engine import limits
from server.engine.clauses import STAGE, ClauseBuilder, patterns
from server.rules import interpret
from server.rules.decided import KEY
from server.rules.model import Derivation
from server.rules.nodes import FALSE, And, Cmp, Const, ExpressionError, Field, Not, Or, fields_used
from server.rules.source import Problem


@dataclass(frozen=True)
class Action:
    """What to do when a compiled rule fires: assert a derived fact or conclude a finding."""

    kind: str            # derive | finding
    source_id: str       # the rule file's derive id or requirement id
    status: str = ""     # for findings
    fact: str = ""       # for derive: the fact type asserted
    foreach: str = ""    # the per-element variable, if any
    value: object = None  # for derive with value: True/False
    set: dict = field(default_factory=dict)
    dates: frozenset = frozenset()   # for derive: the fields of the fact that hold dates (day numbers)


# --- a whole version -----------------------------------------------------------------

def _ok(registry, value):
    field = Field("application", "application", f"ok_{registry}", "bool", base=f"ok_{registry}")
    return Cmp("==", field, Const(value, "bool"))


@dataclass(frozen=True)
class Compiled:
    """A version as the engine runs it: rule dicts, their actions, the fields sent in, the stages."""

    name: str            # the engine's ruleset name: <regulation>@<version>#<digest prefix>
    rules: dict
    actions: dict        # rule name -> Action
    fields: dict         # fact type -> fields some rule reads
    stages: int
    reusable: bool = True   # a session can be emptied by retraction (see _reusable)


def multi(compiled):
    """The multi-application form of a compiled version: every pattern but the stage's and the
    application's joined on the application's number (`app`, which every engine fact of a
    multi-application session carries), so many applications can be judged in one session.

    The join is an equality: durable indexes it, where an unjoined pattern would pair every
    fact with every application."""
    rules = {name: {**rule, "all": [_safe(_joined(p)) for p in rule["all"]]} for name, rule in compiled.rules.items()}
    return replace(compiled, name=f"{compiled.name}*multi", rules=rules)


def _joined(pattern):
    (var, body), = pattern.items()
    if var in (STAGE, "application"):
        return pattern
    conds = body["$and"] if "$and" in body else [body]
    return {var: {"$and": [conds[0], _APP_JOIN, *conds[1:]]}}


_APP_JOIN = {"app": {"application": "app"}}
# durable_rules 2.0.28 (events.c, reduceExpressionSequence) tests the conditions of a pattern that
# read another fact one by one; one found false makes it look for the end of the `$and` starting two
# places past it, so when the last such condition is false it reads past the list into whatever
# memory follows: the process crashes or not depending on the heap (a join judged after another
# version's rulings crashed). A last condition that always holds keeps that search inside the list.
# An `$or` (from `in [...]`) before them ends the list early and they are never tested: they go first.
_HOLDS = {"$neq": {"t": {STAGE: "t"}}}   # no fact a pattern matches is a stage fact


def _safe(pattern):
    """`pattern` with its conditions on other facts first and ending with `_HOLDS` (if it has any)."""
    (var, body), = pattern.items()
    conds = body["$and"] if "$and" in body else [body]
    joins = [c for c in conds[1:] if limits.reads_other(c) and c != _HOLDS]
    if not joins:
        return pattern
    return {var: {"$and": [conds[0], *joins, _HOLDS, *(c for c in conds[1:] if not limits.reads_other(c))]}}


def engine_name(v):
    return f"{v.key}#{v.digest[7:19]}"


def from_model(v):
    """Compile a checked version: (Compiled, []) or (None, problems at their file and line)."""
    problems = []
    rules, actions = {}, {}
    entries, fields = [], {}
    for item, add in [(d, _derivation_rules) for d in v.derivations] + [(r, _requirement_rules) for r in v.requirements]:
        own = {}
        add(v, item, own, actions, problems)
        rules.update(own)
        _fields_of(item, fields)
        entries.append((item, own, {k: set(names) for k, names in fields.items()}))
    if not problems:
        problems = [Problem.at(item.at, f"'{item.id}' cannot be compiled for the engine: {problem}")
                    for item, problem in limits.check(entries)]
    if problems:
        return None, problems
    # After the limits: they count the conditions a rule file wrote, not `_HOLDS`.
    rules = {name: {**rule, "all": [_safe(p) for p in rule["all"]]} for name, rule in rules.items()}
    return Compiled(name=engine_name(v), rules=rules, actions=actions, fields=_fields(v), stages=v.stages,
                    reusable=_reusable(v, rules)), []


def _reusable(v, rules):
    """Whether retracting a ruling's facts stays cheap: not when a rule pairs two lists of facts
    with no equality between them (every pair is a match the engine holds, and retracting them
    took minutes for six `any(...)` over one list, where deleting the session is instant)."""
    for rule in rules.values():
        loose = 0
        for pattern in rule["all"]:
            (var, body), = pattern.items()
            conds = body["$and"] if "$and" in body else [body]
            ft = v.fact_types.get(conds[0].get("t"))
            if var.endswith("$not") or var in (STAGE, "application") or ft is None or ft.singleton:
                continue
            if not any(isinstance(val, dict) and len(val) == 1 and not next(iter(val)).startswith("$")
                       for c in conds[1:] for key, val in c.items() if not key.startswith("$")):
                loose += 1
        if loose > 1:
            return False
    return True


def problems(book):
    """What the engine cannot run in any version of `book`, as file:line problems."""
    return [p for reg in book.regulations.values() for v in reg.versions for p in from_model(v)[1]]


def _derivation_rules(v, d, rules, actions, problems):
    """Rules asserting derived fact `d` (for `value:`, one set for true and one for false)."""
    bound = {"application": "application"}
    if d.foreach:
        bound[d.foreach[0]] = d.foreach[1]
    cb = ClauseBuilder(v.fact_types, bound)
    variants = [(d.when, True, None)] if d.when is not None else [(d.value, True, True), (d.value, False, False)]
    where = d.where("when" if d.when is not None else "value")
    for node, pos, value in variants:
        for i, clause in enumerate(_clauses(cb, node, pos, d, problems, where) or ()):
            name = f"derive.{d.id}.{'when' if value is None else value}.{i}"
            rules[name] = {"all": patterns(clause, bound, d.stage), "dist": 0}
            actions[name] = Action("derive", d.id, fact=d.fact, foreach=d.foreach[0] if d.foreach else "",
                                   value=value, set={k: interpret.compile_py(n) for k, n in d.set.items()},
                                   dates=_date_fields(v, d.fact))


def _date_fields(v, fact):
    ft = v.fact_types.get(fact)
    return frozenset(k for k, kind in ft.fields.items() if kind == "date") if ft is not None else frozenset()


def _requirement_rules(v, r, rules, actions, problems):
    """Rules concluding requirement `r`, for each status: not_applicable when the scope is false,
    met or unmet by its condition when every registry it needs answered; when one is missing,
    met or unmet by its `without_registries:` (server.rules.decided), else unknown."""
    bound = {"application": "application"}
    cb = ClauseBuilder(v.fact_types, bound)
    needs = sorted(r.registries)
    answered, missing = And(tuple(_ok(g, True) for g in needs)), Or(tuple(_ok(g, False) for g in needs))
    met_w, unmet_w = (r.without[s][1] if s in r.without else FALSE for s in ("met", "unmet"))
    forms = {
        "not_applicable": Not(r.scope),
        "unknown": And((r.scope, missing, Not(met_w), Not(unmet_w))) if needs else FALSE,
        "met": And((r.scope, Or((And((answered, r.condition)), And((missing, met_w)))))),
        "unmet": And((r.scope, Or((And((answered, Not(r.condition))), And((missing, Not(met_w), unmet_w)))))),
    }
    written = [("scope", r.scope), ("condition", r.condition), *((KEY, node) for _, node in r.without.values())]
    if not all(_clauses(cb, node, pos, r, problems, r.where(key)) is not None
               for key, node in written for pos in (True, False)):
        return   # reported once, at the key written wrong, rather than once per status at the requirement
    for status, node in forms.items():
        for i, clause in enumerate(_clauses(cb, node, True, r, problems) or ()):
            name = f"req.{r.id}.{status}.{i}"
            rules[name] = {"all": patterns(clause, bound, v.stages), "dist": 0}
            actions[name] = Action("finding", r.id, status=status)


def _fields(v):
    """Only the fields some rule reads are sent to the engine: every fact is
    JSON-encoded on the way in and every match on the way out."""
    used = {}
    for d in v.derivations:
        for node in (d.when, d.value, *d.set.values()):
            if node is not None:
                fields_used(node, used)
    for r in v.requirements:
        for node in (r.scope, r.condition, *(node for _, node in r.without.values())):
            fields_used(node, used)
    used.setdefault("application", set()).update(f"ok_{g}" for r in v.requirements for g in r.registries)
    return {k: tuple(sorted(fs)) for k, fs in used.items()}


def _fields_of(item, fields):
    """Add to `fields` what one entry reads, and for a derived fact the fields it is given."""
    if isinstance(item, Derivation):
        for node in (item.when, item.value, *item.set.values()):
            if node is not None:
                fields_used(node, fields)
        fields.setdefault(item.fact, set()).update(item.set, ("value", "of") if item.foreach else ())
    else:
        for node in (item.scope, item.condition, *(node for _, node in item.without.values())):
            fields_used(node, fields)


def _clauses(builder, node, pos, item, problems, where=None):
    """DNF clauses turned into patterns right away, so a problem is reported at its rule (or `where`);
    None when there was one."""
    try:
        out = builder.dnf(node, pos)
        for clause in out:
            patterns(clause, builder.bound_facts, 1)
        return out
    except ExpressionError as e:
        problems.append(Problem.at(where or item.at, f"'{item.id}' cannot be compiled for the engine: {e}"))
        return None
