"""The rule expression language: parsed with a whitelist into a typed tree, never eval'd.

Rule text such as
    application.submitted_on >= matched_vacancy.published_on + days(waiting_days + 1)
is parsed by Python's `ast` (parsing only; nothing is executed), every node is
checked against an explicit whitelist, names are resolved against the fact model
and the version's parameters, types are checked, and parameters are folded into
constants. The result is a tree of `nodes` (the intermediate form) that two back
ends read: `server.engine.compile` turns it into durable_rules conditions, and
`interpret` reads it in plain Python (the reference for golden tests, texts and
derived values). The functions rule text may call are parsed in `calls`.
"""
import ast

from server.rules import calls, syntax
from server.rules.calendar import LAST_DAY, MAX_SHIFT_DAYS, MAX_SHIFT_MONTHS, in_calendar, iso_date, shift_field_name
from server.rules.facts import CLOSED_VALUES
from server.rules.nodes import (FALSE, TRUE, And, Arith, Cmp, Const, ExpressionError, Field, IfElse, In, Not, Or,
                                compare, fold_number, type_of)


_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
            ast.Compare, ast.BinOp, ast.Constant, ast.Name, ast.Attribute, ast.Load, ast.Store,
            ast.List, ast.Tuple, ast.Call, ast.GeneratorExp, ast.comprehension, ast.IfExp,
            ast.In, ast.NotIn, ast.keyword, *_CMP, *_ARITH)
ALIASES = {"true": True, "false": False, "True": True, "False": False}
# durable_rules hangs loading an `in` list of 511 values; the shipped files' longest has 3.
MAX_LIST_VALUES = 256


class Scope:
    """What names an expression may use: facts, collections, parameters, variables."""

    def __init__(self, facts, params, variables=None, shifts=None, allow_ifelse=False, lang=None):
        self.facts = facts                      # name -> FactType
        self.collections = {ft.collection: ft for ft in facts.values() if ft.collection}
        self.params = params                    # name -> python value
        self.variables = dict(variables or {})  # loop variable -> fact name
        self.shifts = shifts if shifts is not None else {}
        self.allow_ifelse = allow_ifelse
        self.lang = lang                        # the language of the text being parsed, if a text
        self.used_facts = set()

    def bind(self, var, fact):
        inner = Scope(self.facts, self.params, {**self.variables, var: fact},
                      shifts=self.shifts, allow_ifelse=self.allow_ifelse, lang=self.lang)
        inner.used_facts = self.used_facts
        return inner


def parse(text, scope):
    """Parse rule text into the intermediate form, or raise ExpressionError."""
    if not isinstance(text, (str, bool, int, float)):
        raise ExpressionError(f"expected an expression, got {type(text).__name__}")
    if isinstance(text, bool):
        return TRUE if text else FALSE
    # Rule text spans lines in YAML; lines are joined so layout never changes meaning.
    tree = syntax.tree(" ".join(str(text).split("\n")).strip(), _ALLOWED)
    node = _Parser(scope).node(tree.body)
    if isinstance(node, Field) and node.type == "bool":
        return Cmp("==", node, TRUE)
    return node


class _Parser:
    def __init__(self, scope):
        self.s = scope

    def err(self, node, msg):
        raise ExpressionError(msg, getattr(node, "col_offset", None))

    def node(self, n):
        meth = getattr(self, "n_" + type(n).__name__, None)
        if meth is None:
            self.err(n, f"'{type(n).__name__}' is not allowed here")
        return meth(n)

    def n_Constant(self, n):
        v = n.value
        if isinstance(v, bool):
            return Const(v, "bool")
        if isinstance(v, (int, float)):
            return Const(v, "number")
        if isinstance(v, str):
            return Const(v, "string")
        self.err(n, f"constant {v!r} is not allowed")

    def n_Name(self, n):
        name = n.id
        if name in ALIASES:
            return Const(ALIASES[name], "bool")
        if name in self.s.params:
            return _param_const(name, self.s.params[name], self, n)
        if name in self.s.variables or name in self.s.facts:
            self.err(n, f"'{name}' is a fact: name one of its fields, e.g. {name}.<field>")
        if name in self.s.collections:
            self.err(n, f"'{name}' is a list: use any(... for x in {name}) or all(...)")
        self.err(n, f"unknown name '{name}' (not a parameter, fact or variable)")

    def n_Attribute(self, n):
        if not isinstance(n.value, ast.Name):
            self.err(n, "only fact.field is allowed")
        var = n.value.id
        if var in self.s.variables:
            fact = self.s.variables[var]
        elif var in self.s.facts and self.s.facts[var].singleton:
            fact = var
        elif var in self.s.facts:
            self.err(n, f"'{var}' is one of many: use any(... for {var} in {self.s.facts[var].collection})")
        else:
            self.err(n, f"unknown fact '{var}'; known facts: {', '.join(sorted(f for f in self.s.facts if self.s.facts[f].singleton))}")
        ft = self.s.facts[fact]
        if n.attr not in ft.fields:
            self.err(n, f"'{fact}' has no field '{n.attr}'; its fields: {', '.join(sorted(ft.fields))}")
        self.s.used_facts.add(fact)
        return Field(var, fact, n.attr, ft.fields[n.attr], base=n.attr)

    def n_List(self, n):
        items = [self.node(e) for e in n.elts]
        if not all(isinstance(i, Const) for i in items):
            self.err(n, "a list may hold constants only")
        types = {i.type for i in items}
        if len(types) > 1:
            self.err(n, "a list must hold values of one type")
        return Const(tuple(i.value for i in items), "list:" + (types.pop() if types else "any"))

    n_Tuple = n_List

    def n_BoolOp(self, n):
        items = tuple(self.bool(v) for v in n.values)
        return And(items) if isinstance(n.op, ast.And) else Or(items)

    def bool(self, n):
        x = self.node(n)
        if type_of(x) != "bool":
            self.err(n, f"expected a true/false condition, got a {type_of(x)}")
        if isinstance(x, Field):
            return Cmp("==", x, TRUE)
        return x

    def n_UnaryOp(self, n):
        if isinstance(n.op, ast.Not):
            x = self.bool(n.operand)
            if isinstance(x, Const):
                return Const(not x.value, "bool")
            return Not(x)
        x = self.node(n.operand)
        if isinstance(x, Const) and x.type == "number":
            return Const(-x.value, "number")
        self.err(n, "minus applies to numbers only")

    def n_Compare(self, n):
        if len(n.ops) != 1:
            self.err(n, "chained comparisons are not allowed: join them with 'and'")
        left, right = self.node(n.left), self.node(n.comparators[0])
        op = n.ops[0]
        if isinstance(op, (ast.In, ast.NotIn)):
            if not (isinstance(right, Const) and right.type.startswith("list:")):
                self.err(n, "'in' needs a list of constants on its right, e.g. [\"general\", \"seasonal\"]")
            lt, rt = type_of(left), right.type[5:]
            if rt != "any" and lt != rt:
                self.err(n, f"cannot look for a {lt} in a list of {rt}s")
            if len(right.value) > MAX_LIST_VALUES:
                self.err(n, f"a list after 'in' may hold at most {MAX_LIST_VALUES} values")
            for value in right.value:
                self.closed(n, left, value)
            return In(left, right.value, isinstance(op, ast.NotIn))
        lt, rt = type_of(left), type_of(right)
        if lt != rt:
            self.err(n, f"cannot compare a {lt} with a {rt}")
        if lt in ("bool", "string") and _CMP[type(op)] not in ("==", "!="):
            self.err(n, f"a {lt} can only be compared with == or !=")
        if isinstance(left, Const) and isinstance(right, Const):
            return Const(compare(_CMP[type(op)], left.value, right.value), "bool")
        if isinstance(right, Const):
            self.closed(n, left, right.value)
        if isinstance(left, Const):
            self.closed(n, right, left.value)
        return Cmp(_CMP[type(op)], left, right)

    def closed(self, n, field, value):
        """A text compared with a field that has a closed set of values must be one of them."""
        allowed = CLOSED_VALUES.get((field.fact, field.name)) if isinstance(field, Field) else None
        if allowed is not None and value not in allowed:
            self.err(n, f"{field.var}.{field.name} is never {_quoted(value)}: "
                        f"it is one of {', '.join(_quoted(v) for v in allowed)}")

    def n_BinOp(self, n):
        op = _ARITH[type(n.op)]
        a, b = self.node(n.left), self.node(n.right)
        ta, tb = type_of(a), type_of(b)
        if ta == "number" and tb == "number":
            if isinstance(a, Const) and isinstance(b, Const):
                return Const(fold_number(op, a.value, b.value), "number")
            return Arith(op, a, b, "number")
        if ta == "string" and tb == "string" and op == "+":
            if isinstance(a, Const) and isinstance(b, Const):
                return Const(a.value + b.value, "string")
            return Arith("+", a, b, "string")
        if ta == "days" and tb == "days" and op in "+-":
            total = fold_number(op, a.value, b.value)
            self.bound_shift(n, 0, total)
            return Const(total, "days")
        if ta == "date" and tb in ("days", "months") and op in "+-":
            k = b.value if op == "+" else -b.value
            if tb == "months":
                return self.shift(n, a, (k, 0, False))
            if isinstance(a, Field) and a.shift != (0, 0, False) and not a.shift[2]:
                return self.shift(n, a, (0, k, False))
            if isinstance(a, Const):
                return self.calendar_day(n, a.value + k)
            return Arith(op, a, Const(b.value, "number"), "date")
        if ta == "days" and tb == "date" and op == "+":
            if isinstance(b, Const):
                return self.calendar_day(n, b.value + a.value)
            return Arith("+", b, Const(a.value, "number"), "date")
        if ta == "date" and tb == "date" and op == "-":
            if isinstance(a, Const) and isinstance(b, Const):
                return Const(a.value - b.value, "number")
            return Arith("-", a, b, "number")
        self.err(n, f"cannot apply '{op}' to a {ta} and a {tb}")

    def bound_shift(self, n, months, days):
        """days(n) and months(n), alone or added up, reach at most a century (see calendar)."""
        if abs(days) > MAX_SHIFT_DAYS:
            self.err(n, f"days({days}) leaves the calendar: a shift may be at most {MAX_SHIFT_DAYS} days (a century)")
        if abs(months) > MAX_SHIFT_MONTHS:
            self.err(n, f"months({months}) leaves the calendar: a shift may be at most "
                        f"{MAX_SHIFT_MONTHS} months (a century)")

    def calendar_day(self, n, day):
        """A constant date computed from constants, which must stay in the calendar."""
        if not in_calendar(day):
            self.err(n, f"this date is {'after ' + iso_date(LAST_DAY) if day > LAST_DAY else 'before 0001-01-01'}: "
                        "it leaves the calendar")
        return Const(day, "date")

    def shift(self, n, field, shift):
        """Calendar arithmetic the engine cannot do becomes a precomputed field."""
        if not isinstance(field, Field):
            self.err(n, "months and working days can be added to a fact's date field only")
        m0, d0, w0 = field.shift
        if w0:
            self.err(n, "add days or months inside next_working_day(...), not after it")
        total = (m0 + shift[0], d0 + shift[1], shift[2])
        self.bound_shift(n, total[0], total[1])
        if total[1] and not total[2] and total[0] == 0:
            return Arith("+", Field(field.var, field.fact, field.base, "date", base=field.base), Const(total[1], "number"), "date")
        self.s.shifts.setdefault(field.fact, set()).add((field.base, total))
        return Field(field.var, field.fact, shift_field_name(field.base, total), "date", base=field.base, shift=total)

    def n_IfExp(self, n):
        test = self.bool(n.test)
        if isinstance(test, Const):
            # A branch a parameter switches off is still checked, but its calendar
            # shifts are not precomputed for every ruling.
            kept = self.s.shifts
            self.s.shifts = kept if test.value else {}
            a = self.node(n.body)
            self.s.shifts = {} if test.value else kept
            b = self.node(n.orelse)
            self.s.shifts = kept
        else:
            a, b = self.node(n.body), self.node(n.orelse)
        if type_of(a) != type_of(b):
            self.err(n, "both branches of 'x if c else y' must have the same type")
        if isinstance(test, Const):
            return a if test.value else b
        if not self.s.allow_ifelse:
            self.err(n, "'x if c else y' with a fact in c is allowed only in set: values and texts; "
                        "write it with 'and'/'or' in conditions")
        return IfElse(test, a, b, type_of(a))

    def n_Call(self, n):
        return calls.call(self, n)

    def within(self, var, fact):
        """A parser for the body of `for var in <list of fact>`."""
        return _Parser(self.s.bind(var, fact))


def _quoted(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _param_const(name, value, parser, n):
    if isinstance(value, bool):
        return Const(value, "bool")
    if isinstance(value, (int, float)):
        return Const(value, "number")
    if isinstance(value, str):
        return Const(value, "string")
    if isinstance(value, (list, tuple)):
        types = {type(v).__name__ for v in value}
        t = {"str": "string", "int": "number", "float": "number"}.get(types.pop() if len(types) == 1 else "", "any")
        return Const(tuple(value), "list:" + t)
    parser.err(n, f"parameter '{name}' has a value of unsupported type {type(value).__name__}")
