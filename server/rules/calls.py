"""The functions rule text may call: days, months, date, next_working_day, and any/all/join over a list."""
import ast
import datetime as dt

from server.rules.calendar import day_number
from server.rules.nodes import TRUE, And, Arith, Const, Exists, Field, Join, Not, type_of

FUNCTIONS = ("days", "months", "any", "all", "next_working_day", "date", "join")


def call(p, n):
    """The node for call `n`, parsed by parser `p`."""
    if not isinstance(n.func, ast.Name) or n.func.id not in FUNCTIONS:
        p.err(n, f"unknown function; allowed: {', '.join(FUNCTIONS)}")
    if n.keywords:
        p.err(n, "keyword arguments are not allowed")
    fn = n.func.id
    if fn == "join":
        if not p.s.allow_ifelse or len(n.args) != 1 or not isinstance(n.args[0], ast.GeneratorExp):
            p.err(n, "join(x.field for x in list) is allowed in texts only")
        return quantifier(p, fn, n.args[0])
    if fn == "any" and len(n.args) == 1 and isinstance(n.args[0], ast.Name):
        # any(unregistered_workers): the list has at least one element
        ft = p.s.collections.get(n.args[0].id)
        if ft is None:
            p.err(n, f"unknown list '{n.args[0].id}'; lists: {', '.join(sorted(p.s.collections))}")
        p.s.used_facts.add(ft.name)
        return Exists(f"_{ft.name}", ft.name, TRUE)
    if fn in ("any", "all"):
        if len(n.args) != 1 or not isinstance(n.args[0], ast.GeneratorExp):
            p.err(n, f"{fn}() takes one 'condition for x in list' argument")
        return quantifier(p, fn, n.args[0])
    if len(n.args) != 1:
        p.err(n, f"{fn}() takes one argument")
    arg = p.node(n.args[0])
    if fn in ("days", "months"):
        if not (isinstance(arg, Const) and arg.type == "number" and float(arg.value).is_integer()):
            p.err(n, f"{fn}() takes a whole number (a constant or parameter)")
        value = int(arg.value)
        p.bound_shift(n, *((0, value) if fn == "days" else (value, 0)))
        return Const(value, fn)
    if fn == "date":
        if not (isinstance(arg, Const) and arg.type == "string"):
            p.err(n, "date() takes a 'YYYY-MM-DD' string")
        try:
            dt.date.fromisoformat(arg.value)
            return Const(day_number(arg.value), "date")
        except ValueError:
            p.err(n, f"date() got {arg.value!r}, not a YYYY-MM-DD date")
    # next_working_day
    if type_of(arg) != "date":
        p.err(n, "next_working_day() takes a date")
    if isinstance(arg, Arith) and isinstance(arg.left, Field) and arg.op == "+" and isinstance(arg.right, Const):
        return p.shift(n, arg.left, (0, arg.right.value, True))
    if isinstance(arg, Arith) and isinstance(arg.left, Field) and arg.op == "-" and isinstance(arg.right, Const):
        return p.shift(n, arg.left, (0, -arg.right.value, True))
    if isinstance(arg, Field):
        return p.shift(n, arg, (0, 0, True))
    p.err(n, "next_working_day() takes a fact's date field plus or minus days")


def quantifier(p, fn, gen):
    """any/all/join(... for var in list if ...), the body parsed with `var` bound."""
    if len(gen.generators) != 1 or gen.generators[0].is_async:
        p.err(gen, "one 'for x in list' per any()/all()")
    comp = gen.generators[0]
    if not isinstance(comp.target, ast.Name) or not isinstance(comp.iter, ast.Name):
        p.err(gen, "write 'for x in list' with simple names")
    coll, var = comp.iter.id, comp.target.id
    ft = p.s.collections.get(coll)
    if ft is None and fn == "join" and coll in p.s.facts:
        ft = p.s.facts[coll]   # join() over a singleton: its value, or nothing
    if ft is None:
        p.err(comp.iter, f"unknown list '{coll}'; lists: {', '.join(sorted(p.s.collections))}")
    if var in p.s.facts or var in p.s.variables or var in p.s.params:
        p.err(comp.target, f"loop variable '{var}' hides a fact or parameter; choose another name")
    p.s.used_facts.add(ft.name)
    inner = p.within(var, ft.name)
    conds = [inner.bool(c) for c in comp.ifs]
    if fn == "join":
        return Join(var, ft.name, And(tuple(conds)) if conds else TRUE, inner.node(gen.elt))
    body = inner.bool(gen.elt)
    if fn == "any":
        return Exists(var, ft.name, And(tuple(conds + [body])) if conds else body)
    # all(P for x in X if Q) == not any(Q and not P for x in X)
    neg = Not(body)
    return Not(Exists(var, ft.name, And(tuple(conds + [neg])) if conds else neg))
