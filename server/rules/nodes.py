"""The intermediate form of rule expressions: typed nodes, one walker, and what a tree reads.

`expressions` parses rule text into these nodes; `interpret` reads them in plain
Python, `server.engine` compiles them for durable_rules. Every function that
looks through a whole tree goes through `walk`.
"""
from dataclasses import dataclass


class ExpressionError(Exception):
    """A rule expression is malformed, names something unknown, or mixes types."""

    def __init__(self, message, col=None):
        super().__init__(message)
        self.col = col


@dataclass(frozen=True)
class Const:
    value: object
    type: str          # number | string | bool | date | days | months | list


@dataclass(frozen=True)
class Field:
    var: str           # the variable: a fact name or a loop variable
    fact: str          # the fact type
    name: str          # field name as stored in the engine fact (shifts included)
    type: str
    base: str = ""     # field before a calendar shift
    shift: tuple = (0, 0, False)


@dataclass(frozen=True)
class Arith:
    op: str            # + - * /
    left: object
    right: object
    type: str


@dataclass(frozen=True)
class Cmp:
    op: str            # == != < <= > >=
    left: object
    right: object


@dataclass(frozen=True)
class In:
    left: object
    values: tuple
    negated: bool = False


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Exists:
    var: str
    fact: str
    cond: object


@dataclass(frozen=True)
class IfElse:          # only in `set:` values and templates, evaluated in Python
    test: object
    then: object
    other: object
    type: str


@dataclass(frozen=True)
class Join:            # only in texts: join(x.field for x in list if cond) -> "a, b"
    var: str
    fact: str
    cond: object
    item: object
    type: str = "string"


@dataclass(frozen=True)
class Apply:           # only in texts and set: values: ceil, max, min, plural, percent of arguments
    fn: str
    args: tuple
    forms: tuple = ()  # plural: ((category, text), ...)
    type: str = "number"


@dataclass(frozen=True)
class Aggregate:       # only in texts and set: values: max/min(x.field for x in list if cond)
    fn: str
    var: str
    fact: str
    cond: object
    item: object
    type: str


TRUE = Const(True, "bool")
FALSE = Const(False, "bool")


def type_of(node):
    if isinstance(node, (Cmp, In, And, Or, Not, Exists)):
        return "bool"
    return node.type


def children(node):
    """A node's sub-expressions, in reading order."""
    t = type(node)
    if t is Arith or t is Cmp:
        return (node.left, node.right)
    if t is In:
        return (node.left,)
    if t is And or t is Or:
        return node.items
    if t is Not:
        return (node.item,)
    if t is Exists:
        return (node.cond,)
    if t is Join or t is Aggregate:
        return (node.cond, node.item)
    if t is Apply:
        return node.args
    if t is IfElse:
        return (node.test, node.then, node.other)
    return ()


def walk(node, into=None):
    """Every node of a tree, each before its sub-expressions.

    With `into` (a tuple of node types), only the sub-expressions of those types are entered.
    """
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if into is None or isinstance(n, into):
            stack.extend(reversed(children(n)))


def referenced_facts(node):
    """Fact types a node reads (including quantified ones)."""
    return set(fields_used(node))


def fields_used(node, out=None):
    """{fact type: {field names as stored, shifted ones included}} read by a node, added to `out`."""
    out = {} if out is None else out
    for n in walk(node):
        if isinstance(n, Field):
            names = out.setdefault(n.fact, set())
            names.add(n.name)
            if n.base:
                names.add(n.base)
        elif isinstance(n, (Exists, Join, Aggregate)):
            out.setdefault(n.fact, set())
    return out


def fold_number(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise ExpressionError("division by zero")
    return a / b


def compare(op, a, b):
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b
