"""Expressions in disjunctive normal form, and each clause as the patterns of one durable_rules rule.

A clause is a list of literals: atoms over always-present facts, `Ex` (some fact
of a type matches) and `NEx` (no fact of a type matches). Nothing here imports
durable_rules: patterns are plain JSON-able dicts.
"""
from dataclasses import dataclass, field

from server.rules.nodes import And, Arith, Cmp, Const, Exists, ExpressionError, Field, In, Not, Or, walk

_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEG = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}
STAGE = "stage_"
# Clauses one condition may expand to. Each becomes an engine rule (a version has
# at most limits.MAX_RULES); the bound is checked before each product is built, so
# 16 `(a or b)` joined by `and` (65,536 clauses) is refused at once instead of
# taking a minute and gigabytes. The shipped rule files need at most 4.
MAX_CLAUSES = 64


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


def _vars(node):
    """The variables an atom reads (its arithmetic and comparisons, not what it quantifies)."""
    return {n.var for n in walk(node, into=(Arith, Cmp, In)) if isinstance(n, Field)}


def negate_atom(node):
    if isinstance(node, Cmp):
        return Cmp(_NEG[node.op], node.left, node.right)
    return In(node.left, node.values, not node.negated)


def _bound(n):
    if n > MAX_CLAUSES:
        raise ExpressionError(f"it holds in more than {MAX_CLAUSES} different ways once 'and' is distributed "
                              f"over 'or' (at most {MAX_CLAUSES}); split it into derived facts")


def _product(clauses, others):
    """Every clause of `clauses` joined with every one of `others`, refused before it grows past the bound."""
    _bound(len(clauses) * len(others))
    return [a + b for a in clauses for b in others]


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
            if isinstance(node, And) == pos:
                out = [[]]
                for i in node.items:
                    out = _product(out, self.dnf(i, pos))
                return out
            out = []
            for i in node.items:
                out.extend(self.dnf(i, pos))
                _bound(len(out))
            return out
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
                result_neg = _product(result_neg, alternatives)
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
        left, right = _term(node.left, own), _term(node.right, own)
        # The engine matches nothing against arithmetic of two constants, which _isolate makes of
        # `date - days(15) >= date(...)`: that side is worked out here.
        if node.op in "+-" and not isinstance(left, dict) and not isinstance(right, dict):
            return left + right if node.op == "+" else left - right
        return {_ARITH[node.op]: {"$l": left, "$r": right}}
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
