"""The plain-Python reading of the rule expression language's intermediate form.

`evaluate` walks the tree: it is the reference the engine is tested against.
`compile_py` turns a tree into closures that read exactly as `evaluate` does; texts
and derived values use them, since they are read for every ruling.
"""
from server.rules import wording
from server.rules.nodes import (Aggregate, And, Apply, Arith, Cmp, Const, Exists, Field, IfElse, In, Join, Not, Or,
                                compare, fold_number, type_of)


class Missing(Exception):
    """A singleton fact named by an atom is absent: the atom is false."""


def evaluate(node, env, facts_by_type):
    """Evaluate the intermediate form over plain fact dicts.

    `env` binds variables to facts; a singleton fact not in `env` is looked up in
    `facts_by_type`. An atom over an absent singleton is false, as in the engine.
    """
    t = type(node)
    if t is Const:
        return node.value
    if t is Field:
        fact = env.get(node.var)
        if fact is None:
            found = facts_by_type.get(node.fact)
            if not found:
                raise Missing(node.fact)
            fact = found[0]
        return fact[node.name]
    if t is Cmp:
        try:
            return compare(node.op, evaluate(node.left, env, facts_by_type), evaluate(node.right, env, facts_by_type))
        except Missing:
            return False
    if t is In:
        try:
            found = evaluate(node.left, env, facts_by_type) in node.values
        except Missing:
            return False
        return found != node.negated
    if t is And:
        return all(evaluate(i, env, facts_by_type) for i in node.items)
    if t is Or:
        return any(evaluate(i, env, facts_by_type) for i in node.items)
    if t is Not:
        return not evaluate(node.item, env, facts_by_type)
    if t is Exists:
        return any(evaluate(node.cond, {**env, node.var: f}, facts_by_type) for f in facts_by_type.get(node.fact, ()))
    if t is Arith:
        a, b = evaluate(node.left, env, facts_by_type), evaluate(node.right, env, facts_by_type)
        if node.op == "/" and b == 0:
            raise ZeroDivisionError("division by zero in a rule expression")
        return fold_number(node.op, a, b)
    if t is Join:
        return ", ".join(format_value(evaluate(node.item, {**env, node.var: f}, facts_by_type), type_of(node.item))
                         for f in facts_by_type.get(node.fact, ()) if evaluate(node.cond, {**env, node.var: f}, facts_by_type))
    if t is IfElse:
        if evaluate(node.test, env, facts_by_type):
            return evaluate(node.then, env, facts_by_type)
        return evaluate(node.other, env, facts_by_type)
    if t is Apply:
        return apply(node, [evaluate(a, env, facts_by_type) for a in node.args], None)
    if t is Aggregate:
        return aggregate(node.fn, [evaluate(node.item, {**env, node.var: f}, facts_by_type)
                                   for f in facts_by_type.get(node.fact, ())
                                   if evaluate(node.cond, {**env, node.var: f}, facts_by_type)], node.fact)
    raise TypeError(f"cannot evaluate {node!r}")


def apply(node, args, lang):
    """The value of ceil/max/min/plural/percent of evaluated `args`, written in `lang` where it writes."""
    fn = node.fn
    if fn == "ceil":
        return wording.ceil(args[0])
    if fn == "max":
        return max(args)
    if fn == "min":
        return min(args)
    if fn == "percent":
        return wording.percent(args[0], lang)
    if fn == "text":
        return format_value(args[0], type_of(node.args[0]), lang)
    return wording.plural(args[0], dict(node.forms), lang)


def aggregate(fn, values, fact):
    """count, max or min over a list; an empty list has no max or min, as an absent fact has no field."""
    if fn == "count":
        return len(values)
    if not values:
        raise Missing(fact)
    return max(values) if fn == "max" else min(values)


def format_value(value, kind, lang=None):
    """A value as a person reads it in `lang`: dates 17 September 2025 / 17.09.2025, 2.5 / 2,5;
    without a language dates are ISO (YYYY-MM-DD) and 70.0 is 70."""
    if kind == "date" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return wording.date(value, lang)
    if isinstance(value, bool):
        return wording.yes_no(value, lang)
    if isinstance(value, (int, float)):
        return wording.number(value, lang)
    return str(value)


# --- the same reading, compiled to closures ----------------------------------------
# Texts and derived-fact values are evaluated for every ruling; walking the tree
# each time cost more than the engine. `compile_py(node)` returns a function
# (env, facts_by_type) -> value that reads exactly as `evaluate` does.

_CMP_FN = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
           "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def compile_py(node, lang=None):
    """A function (env, facts_by_type) -> value that reads `node` as `evaluate` does; what it writes
    (joined values, plural forms, percentages) is written in `lang`."""
    make = _COMPILE.get(type(node))
    if make is None:
        raise TypeError(f"cannot evaluate {node!r}")
    return make(node, lang)


def _const(node, lang):
    value = node.value
    return lambda env, bt: value


def _field(node, lang):
    var, fact, name = node.var, node.fact, node.name

    def field(env, bt):
        f = env.get(var)
        if f is None:
            found = bt.get(fact)
            if not found:
                raise Missing(fact)
            f = found[0]
        return f[name]
    return field


def _cmp(node, lang):
    left, right, op = compile_py(node.left, lang), compile_py(node.right, lang), _CMP_FN[node.op]

    def cmp(env, bt):
        try:
            return op(left(env, bt), right(env, bt))
        except Missing:
            return False
    return cmp


def _in(node, lang):
    left, values, negated = compile_py(node.left, lang), node.values, node.negated

    def member(env, bt):
        try:
            found = left(env, bt) in values
        except Missing:
            return False
        return found != negated
    return member


def _and(node, lang):
    items = [compile_py(i, lang) for i in node.items]
    return lambda env, bt: all(i(env, bt) for i in items)


def _or(node, lang):
    items = [compile_py(i, lang) for i in node.items]
    return lambda env, bt: any(i(env, bt) for i in items)


def _not(node, lang):
    item = compile_py(node.item, lang)
    return lambda env, bt: not item(env, bt)


def _exists(node, lang):
    var, fact, cond = node.var, node.fact, compile_py(node.cond, lang)
    return lambda env, bt: any(cond({**env, var: f}, bt) for f in bt.get(fact, ()))


def _arith(node, lang):
    left, right, op = compile_py(node.left, lang), compile_py(node.right, lang), node.op
    # fold_number's +, - and * inlined: texts join their words with + in every ruling
    if op == "+" and node.type == "string":
        return _concat(node, lang)
    if op == "+":
        return lambda env, bt: left(env, bt) + right(env, bt)
    if op == "-":
        return lambda env, bt: left(env, bt) - right(env, bt)
    if op == "*":
        return lambda env, bt: left(env, bt) * right(env, bt)

    def arith(env, bt):
        a, b = left(env, bt), right(env, bt)
        if op == "/" and b == 0:
            raise ZeroDivisionError("division by zero in a rule expression")
        return fold_number(op, a, b)
    return arith


def _concat(node, lang):
    """A chain of strings a + b + c, read ((a + b) + c) as written, by one function instead of one per +."""
    leaves = []
    while type(node) is Arith and node.op == "+" and node.type == "string":
        leaves.append(node.right)
        node = node.left
    leaves.append(node)
    first, *rest = [leaf.value if type(leaf) is Const and type(leaf.value) is str else compile_py(leaf, lang)
                    for leaf in reversed(leaves)]

    def concat(env, bt):
        text = first if first.__class__ is str else first(env, bt)
        for part in rest:
            text = text + (part if part.__class__ is str else part(env, bt))
        return text
    return concat


def _join(node, lang):
    var, fact, cond, item, kind = node.var, node.fact, compile_py(node.cond, lang), compile_py(node.item, lang), type_of(node.item)

    def join(env, bt):
        out = []
        for f in bt.get(fact, ()):
            inner = {**env, var: f}
            if cond(inner, bt):
                out.append(format_value(item(inner, bt), kind, lang))
        return ", ".join(out)
    return join


def _ifelse(node, lang):
    test, then, other = compile_py(node.test, lang), compile_py(node.then, lang), compile_py(node.other, lang)
    return lambda env, bt: then(env, bt) if test(env, bt) else other(env, bt)


def _apply(node, lang):
    args = [compile_py(a, lang) for a in node.args]
    # plural, percent, ceil and text of one argument, bound now (as `apply` reads them, without its dispatch)
    if node.fn == "plural" and len(args) == 1:
        arg, forms = args[0], dict(node.forms)
        return lambda env, bt: wording.plural(arg(env, bt), forms, lang)
    if node.fn == "percent" and len(args) == 1:
        arg = args[0]
        return lambda env, bt: wording.percent(arg(env, bt), lang)
    if node.fn == "ceil" and len(args) == 1:
        arg = args[0]
        return lambda env, bt: wording.ceil(arg(env, bt))
    if node.fn == "text" and len(args) == 1:
        arg, kind = args[0], type_of(node.args[0])
        return lambda env, bt: format_value(arg(env, bt), kind, lang)
    return lambda env, bt: apply(node, [a(env, bt) for a in args], lang)


def _aggregate(node, lang):
    var, fact, fn, cond, item = node.var, node.fact, node.fn, compile_py(node.cond, lang), compile_py(node.item, lang)

    def values(env, bt):
        return aggregate(fn, [item({**env, var: f}, bt) for f in bt.get(fact, ()) if cond({**env, var: f}, bt)], fact)
    return values


_COMPILE = {Const: _const, Field: _field, Cmp: _cmp, In: _in, And: _and, Or: _or, Not: _not,
            Exists: _exists, Arith: _arith, Join: _join, IfElse: _ifelse, Apply: _apply, Aggregate: _aggregate}
