"""Compile a version's derived facts and requirements into durable_rules rule dicts.

Each boolean expression is brought to disjunctive normal form; each clause
becomes one engine rule whose patterns are the application, the variables it
quantifies over (`any`) and negated patterns (`all`, `not any`, absent facts).
Negation is stratified: every rule waits for a stage fact, asserted only after
all facts of lower stages exist, so a negated pattern sees everything it denies.
Nothing here imports durable_rules: the output is plain JSON-able dicts.
"""
from dataclasses import dataclass, field

from server.rules import expressions
from server.rules.source import Problem
from server.rules import interpret
from server.rules.expressions import And, Arith, Cmp, Const, Exists, ExpressionError, Field, In, Not, Or

_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEG = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}
STAGE = "stage_"


@dataclass
class Atom:
    node: object


@dataclass
class Ex:
    var: str
    fact: str
    conds: list = field(default_factory=list)


@dataclass
class NEx:
    var: str
    fact: str
    conds: list = field(default_factory=list)


@dataclass
class Action:
    """What to do when a compiled rule fires: assert a derived fact or conclude a finding."""

    kind: str            # derive | finding
    source_id: str       # the rule file's derive id or requirement id
    status: str = ""     # for findings
    fact: str = ""       # for derive: the fact type asserted
    foreach: str = ""    # the per-element variable, if any
    value: object = None  # for derive with value: True/False
    set: dict = field(default_factory=dict)


def _vars(node, out=None):
    out = set() if out is None else out
    if isinstance(node, Field):
        out.add(node.var)
    elif isinstance(node, (Arith, Cmp)):
        _vars(node.left, out)
        _vars(node.right, out)
    elif isinstance(node, In):
        _vars(node.left, out)
    return out


def negate_atom(node):
    if isinstance(node, Cmp):
        return Cmp(_NEG[node.op], node.left, node.right)
    return In(node.left, node.values, not node.negated)


class ClauseBuilder:
    """Brings an expression to DNF over atoms, quantified patterns and negated patterns."""

    def __init__(self, facts, bound):
        self.facts = facts          # fact name -> FactType
        self.bound = list(bound)    # always-present variables, in pattern order
        self.bound_facts = dict(bound) if isinstance(bound, dict) else {}

    def dnf(self, node, pos=True):
        if isinstance(node, Const):
            return [[]] if bool(node.value) == pos else []
        if isinstance(node, Not):
            return self.dnf(node.item, not pos)
        if isinstance(node, (And, Or)):
            conj = isinstance(node, And) == pos
            parts = [self.dnf(i, pos) for i in node.items]
            if conj:
                out = [[]]
                for p in parts:
                    out = [a + b for a in out for b in p]
                return out
            return [c for p in parts for c in p]
        if isinstance(node, (Cmp, In)):
            return self.atom(node, pos)
        if isinstance(node, Exists):
            return self.exists(node, pos)
        raise ExpressionError(f"cannot use {type(node).__name__} as a condition")

    def optional_vars(self, node):
        return [v for v in sorted(_vars(node)) if v not in self.bound]

    def atom(self, node, pos):
        opt = self.optional_vars(node)
        if not opt:
            return [[Atom(node if pos else negate_atom(node))]]
        for v in opt:
            if v not in self.facts or not self.facts[v].singleton:
                raise ExpressionError(f"'{v}' is not bound here")
        if pos:
            return [[*(Ex(v, v) for v in opt[:-1]), Ex(opt[-1], opt[-1], [node])]]
        if len(opt) > 1:
            raise ExpressionError(f"cannot negate a condition over two facts ({', '.join(opt)}); "
                                  "derive an intermediate fact first")
        return [[NEx(opt[0], opt[0], [node])]]

    def exists(self, node, pos):
        inner = ClauseBuilder(self.facts, self.bound + [node.var])
        result_pos, result_neg = [], [[]]
        for clause in inner.dnf(node.cond, True):
            own, foreign = [], []
            for lit in clause:
                if not isinstance(lit, Atom):
                    raise ExpressionError("any()/all() cannot be nested or name optional facts inside; "
                                          "derive an intermediate fact first")
                (own if node.var in _vars(lit.node) else foreign).append(lit)
            if pos:
                result_pos.append(foreign + [Ex(node.var, node.fact, [a.node for a in own])])
            else:
                alternatives = [[Atom(negate_atom(f.node))] for f in foreign]
                alternatives.append([NEx(node.var, node.fact, [a.node for a in own])])
                result_neg = [a + b for a in result_neg for b in alternatives]
        return result_pos if pos else result_neg


# --- clauses to durable_rules patterns ----------------------------------------

def _contains(node, var):
    return var in _vars(node)


def _term(node, own):
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        return {"$m": node.name} if node.var == own else {node.var: node.name}
    if isinstance(node, Arith):
        return {_ARITH[node.op]: {"$l": _term(node.left, own), "$r": _term(node.right, own)}}
    raise ExpressionError(f"cannot compile {type(node).__name__} into an engine condition")


def _isolate(op, left, right, own):
    """Rearrange `left op right` so that left is a plain field of `own`."""
    for _ in range(16):
        if isinstance(left, Field) and left.var == own:
            return op, left, right
        if not _contains(left, own) and _contains(right, own):
            op, left, right = _FLIP[op], right, left
            continue
        if isinstance(left, Arith) and left.op in "+-":
            a, b = left.left, left.right
            if _contains(a, own) and not _contains(b, own):
                left, right = a, Arith("-" if left.op == "+" else "+", right, b, "number")
                continue
            if _contains(b, own) and not _contains(a, own):
                if left.op == "+":
                    left, right = b, Arith("-", right, a, "number")
                else:  # a - b op r  <=>  b flip(op) a - r
                    op, left, right = _FLIP[op], b, Arith("-", a, right, "number")
                continue
        break
    raise ExpressionError("write this comparison with a field of the fact alone on one side "
                          "(e.g. quota.remaining >= application.workers_requested)")


def condition(nodes, own):
    """JSON condition for one pattern: the conjunction of `nodes` over variable `own`."""
    parts = []
    for node in nodes:
        if isinstance(node, In):
            op, left, _ = _isolate("==", node.left, Const(None, "any"), own)
            if not node.values:
                raise ExpressionError("'in' needs a non-empty list")
            if node.negated:
                parts.extend({"$neq": {left.name: v}} for v in node.values)
            else:
                alts = [{left.name: v} for v in node.values]
                parts.append(alts[0] if len(alts) == 1 else {"$or": alts})
            continue
        op, left, right = _isolate(node.op, node.left, node.right, own)
        rhs = _term(right, own)
        parts.append({left.name: rhs} if op == "==" else {_OPS[op]: {left.name: rhs}})
    return parts


def patterns(clause, fact_of_bound, stage):
    """The `all` list of one engine rule for one DNF clause."""
    bound_atoms = {v: [] for v in fact_of_bound}
    ex, nex = {}, []
    for lit in clause:
        if isinstance(lit, Atom):
            vs = _vars(lit.node)
            last = [v for v in fact_of_bound if v in vs]
            target = last[-1] if last else next(iter(fact_of_bound))
            bound_atoms[target].append(lit.node)
        elif isinstance(lit, Ex):
            ex.setdefault(lit.var, Ex(lit.var, lit.fact, []))
            ex[lit.var].conds.extend(lit.conds)
        else:
            nex.append(lit)
    out = [{STAGE: {"$and": [{"t": "$stage"}, {"n": stage}]}}]
    for var, fact in fact_of_bound.items():
        out.append({var: _pattern(fact, condition(bound_atoms[var], var))})
    for var, e in ex.items():
        out.append({var: _pattern(e.fact, condition(e.conds, var))})
    for i, n in enumerate(nex):
        out.append({f"not{i}$not": _pattern(n.fact, condition(n.conds, n.var))})
    return out


def _pattern(fact, conds):
    conds = [{"t": fact}] + conds
    return conds[0] if len(conds) == 1 else {"$and": conds}


# --- a whole version -----------------------------------------------------------------

def _ok(registry, value):
    field = Field("application", "application", f"ok_{registry}", "bool", f"ok_{registry}")
    return Cmp("==", field, Const(value, "bool"))


@dataclass(frozen=True)
class Compiled:
    """A version as the engine runs it: rule dicts, their actions, the fields sent in, the stages."""

    name: str            # the engine's ruleset name: <regulation>@<version>#<digest prefix>
    rules: dict
    actions: dict        # rule name -> Action
    fields: dict         # fact type -> fields some rule reads
    stages: int


def engine_name(v):
    return f"{v.key}#{v.digest[7:19]}"


def from_model(v):
    """Compile a checked version: (Compiled, []) or (None, problems at their file and line)."""
    problems = []
    report = lambda item, line, msg: problems.append(Problem(item.raw["__file"], line, msg))  # noqa: E731
    rules, actions, fields = _compile(v, v.stages, report)
    if problems:
        return None, problems
    return Compiled(engine_name(v), rules, actions, fields, v.stages), []


def problems(book):
    """What the engine cannot run in any version of `book`, as file:line problems."""
    return [p for reg in book.regulations.values() for v in reg.versions for p in from_model(v)[1]]


def _compile(v, final_stage, report):
    """Rule dicts, actions and engine fields of a version; problems go to report(item, line, message).

    A derivation becomes rules asserting its fact (for `value:`, one rule set for
    true and one for false); a requirement becomes rules for each status:
    not_applicable when the scope is false, unknown when a registry it needs is
    missing, met or unmet by its condition.
    """
    rules, actions = {}, {}
    for d in v.derivations:
        bound = {"application": "application"}
        if d.foreach:
            bound[d.foreach[0]] = d.foreach[1]
        cb = ClauseBuilder(v.fact_types, bound)
        variants = [(d.when, True, None)] if d.when is not None else [(d.value, True, True), (d.value, False, False)]
        for node, pos, value in variants:
            for i, clause in enumerate(_clauses(cb, node, pos, d, d.raw["__line"], report)):
                name = f"derive.{d.id}.{'when' if value is None else value}.{i}"
                rules[name] = {"all": patterns(clause, bound, d.stage)}
                actions[name] = Action("derive", d.id, fact=d.fact, foreach=d.foreach[0] if d.foreach else "",
                                       value=value, set={k: interpret.compile_py(n) for k, n in d.set.items()})
    bound = {"application": "application"}
    cb = ClauseBuilder(v.fact_types, bound)
    for r in v.requirements:
        needs = sorted(r.registries)
        forms = {
            "not_applicable": Not(r.scope),
            "unknown": And((r.scope, Or(tuple(_ok(g, False) for g in needs)))) if needs else expressions.FALSE,
            "met": And((r.scope, *(_ok(g, True) for g in needs), r.condition)),
            "unmet": And((r.scope, *(_ok(g, True) for g in needs), Not(r.condition))),
        }
        for status, node in forms.items():
            for i, clause in enumerate(_clauses(cb, node, True, r, r.line, report)):
                name = f"req.{r.id}.{status}.{i}"
                rules[name] = {"all": patterns(clause, bound, final_stage)}
                actions[name] = Action("finding", r.id, status=status)
    # Only the fields some rule reads are sent to the engine: every fact is
    # JSON-encoded on the way in and every match on the way out.
    used = {}
    for d in v.derivations:
        for node in (d.when, d.value, *d.set.values()):
            if node is not None:
                expressions.fields_used(node, used)
    for r in v.requirements:
        expressions.fields_used(r.condition, expressions.fields_used(r.scope, used))
    used.setdefault("application", set()).update(f"ok_{g}" for r in v.requirements for g in r.registries)
    return rules, actions, {k: tuple(sorted(fs)) for k, fs in used.items()}


def _clauses(builder, node, pos, item, line, report):
    """DNF clauses turned into patterns right away, so a problem is reported at its rule."""
    try:
        out = builder.dnf(node, pos)
        for clause in out:
            patterns(clause, builder.bound_facts, 1)
        return out
    except ExpressionError as e:
        report(item, line, f"'{item.id}' cannot be compiled for the engine: {e}")
        return []
