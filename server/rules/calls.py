"""The functions rule text may call: days, months, date, next_working_day, and any/all/join over a list.

Texts and `set:` values may also call ceil, max and min (of numbers or dates, or over a
list); texts alone plural and percent, which are written in the text's language.
"""
import ast
import datetime as dt

from server.rules import wording
from server.rules.calendar import day_number
from server.rules.nodes import TRUE, Aggregate, And, Apply, Arith, Const, Exists, Field, Join, Not, type_of

FUNCTIONS = ("days", "months", "any", "all", "next_working_day", "date", "join", "ceil", "max", "min", "count",
             "plural", "percent", "text")
# Evaluated in Python only, never by the engine: allowed where `x if c else y` is.
COMPUTED = ("join", "ceil", "max", "min", "count", "plural", "percent", "text")
WORDED = ("plural", "percent", "text")       # need the language of a text


def call(p, n):
    """The node for call `n`, parsed by parser `p`."""
    if not isinstance(n.func, ast.Name) or n.func.id not in FUNCTIONS:
        p.err(n, f"unknown function; allowed: {', '.join(FUNCTIONS)}")
    fn = n.func.id
    if n.keywords and fn != "plural":
        p.err(n, "keyword arguments are not allowed")
    if fn in COMPUTED and fn != "join":
        return computed(p, fn, n)
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


def computed(p, fn, n):
    """ceil(x), max/min(a, b, ...) or over a list, count(list), plural(n, one=..., ...), percent(x), text(x)."""
    lang = p.s.lang
    if fn in WORDED and lang is None:
        p.err(n, f"{fn}() is allowed in texts only: it writes in the text's language")
    if fn not in WORDED and not p.s.allow_ifelse:
        p.err(n, f"{fn}() is allowed in texts and set: values only")
    if fn in ("max", "min", "count") and len(n.args) == 1 and isinstance(n.args[0], ast.GeneratorExp):
        return quantifier(p, fn, n.args[0])
    if fn == "count":
        if len(n.args) != 1 or not isinstance(n.args[0], ast.Name) or n.args[0].id not in p.s.collections:
            p.err(n, f"count() takes a list, or 'x for x in list if condition'; lists: {', '.join(sorted(p.s.collections))}")
        ft = p.s.collections[n.args[0].id]
        p.s.used_facts.add(ft.name)
        return Aggregate("count", f"_{ft.name}", ft.name, TRUE, Const(1, "number"), "number")
    args = tuple(p.node(a) for a in n.args)
    if fn == "text":
        if len(args) != 1:
            p.err(n, "text() takes one value")
        return Apply(fn, args, type="string")
    types = {type_of(a) for a in args}
    if fn in ("max", "min"):
        if len(args) < 2 or len(types) != 1 or not types <= {"number", "date"}:
            p.err(n, f"{fn}() takes two or more numbers or dates, or 'x.field for x in list'")
        return Apply(fn, args, type=types.pop())
    if len(args) != 1 or types != {"number"}:
        p.err(n, f"{fn}() takes one number")
    if fn == "ceil":
        return Const(wording.ceil(args[0].value), "number") if isinstance(args[0], Const) else Apply(fn, args)
    if fn == "percent":
        return Apply(fn, args, type="string")
    return Apply(fn, args, forms=_forms(p, n, lang), type="string")


def _forms(p, n, lang):
    """The ((category, text), ...) of plural(n, one="...", ...): every form the language needs."""
    forms = {}
    for kw in n.keywords:
        if kw.arg not in wording.CATEGORIES:
            p.err(n, f"plural() takes the CLDR forms {', '.join(wording.CATEGORIES)} as keywords, got {kw.arg!r}")
        if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
            p.err(kw.value, f"plural() form '{kw.arg}' must be a text in quotes")
        forms[kw.arg] = kw.value.value
    lacking = [c for c in wording.needed_forms(lang) if c not in forms]
    if lacking:
        p.err(n, f"plural() in a '{lang}' text needs the forms {', '.join(wording.needed_forms(lang))}; "
                 f"missing {', '.join(lacking)}")
    return tuple(forms.items())


def quantifier(p, fn, gen):
    """any/all/join(... for var in list if ...), the body parsed with `var` bound."""
    if len(gen.generators) != 1 or gen.generators[0].is_async:
        p.err(gen, f"one 'for x in list' per {fn}()")
    comp = gen.generators[0]
    if not isinstance(comp.target, ast.Name) or not isinstance(comp.iter, ast.Name):
        p.err(gen, "write 'for x in list' with simple names")
    coll, var = comp.iter.id, comp.target.id
    ft = p.s.collections.get(coll)
    if ft is None and fn in COMPUTED and coll in p.s.facts:
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
    if fn == "count":
        # count(x for x in list if c) counts the elements; count(c for x in list) those where c holds
        if not (isinstance(gen.elt, ast.Name) and gen.elt.id == var):
            conds.append(inner.bool(gen.elt))
        return Aggregate(fn, var, ft.name, And(tuple(conds)) if conds else TRUE, Const(1, "number"), "number")
    if fn in ("max", "min"):
        item = inner.node(gen.elt)
        if type_of(item) not in ("number", "date"):
            p.err(gen, f"{fn}() over a list takes numbers or dates")
        return Aggregate(fn, var, ft.name, And(tuple(conds)) if conds else TRUE, item, type_of(item))
    body = inner.bool(gen.elt)
    if fn == "any":
        return Exists(var, ft.name, And(tuple(conds + [body])) if conds else body)
    # all(P for x in X if Q) == not any(Q and not P for x in X)
    neg = Not(body)
    return Not(Exists(var, ft.name, And(tuple(conds + [neg])) if conds else neg))
