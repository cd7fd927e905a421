"""The one-change edits of mutation testing: of a rule expression, and of a parameter's value.

An expression is parsed with Python's `ast` (parsing only) and written back with
`ast.unparse` after one edit: a comparison operator to its neighbour, a number by
one (never below 0: a rule's numbers count days, months, people or percent), a
date("...") by a day, a list member dropped, `and`/`or` swapped, a `not` removed.
`server.rules.mutations` decides where they apply.
"""
import ast
import datetime as dt

NEIGHBOURS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
STEPPED = ("days", "months", "count", "percent", "number")


def value_changes(kind, value):
    """(operator, new value) of each mutant of a parameter value of type `kind`."""
    if kind in STEPPED and isinstance(value, (int, float)) and not isinstance(value, bool):
        return [("number", value + 1), ("number", value - 1)]
    if kind == "date" and isinstance(value, str):
        day = dt.date.fromisoformat(value)
        return [("date", (day + dt.timedelta(days=k)).isoformat()) for k in (1, -1)]
    if kind == "bool" and isinstance(value, bool):
        return [("bool", not value)]
    if kind == "list" and isinstance(value, list):
        return [("list-member", value[:i] + value[i + 1:]) for i in range(len(value))]
    return []


def expression_changes(text):
    """(operator, before, after, new text, offset of the change) of each mutant of expression `text`."""
    src = " ".join(str(text).split("\n")).strip()
    try:
        count = sum(1 for _ in ast.walk(_parsed(src)))
    except SyntaxError:
        return []
    out = []
    for i in range(count):
        for op, mutate in _MUTATORS:
            tree = _parsed(src)
            node = list(ast.walk(tree))[i]
            # A mutator changes the node, yields, and undoes the change before the next one.
            for before, after, offset in mutate(node, src):
                out.append((op, before, after, ast.unparse(tree), offset))
    return out


def _parsed(src):
    """The tree of `src`, its list members marked (a member is dropped, not changed by one)."""
    tree = ast.parse(src, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple)):
            for e in node.elts:
                e.in_list = True
    return tree


def _comparison(node, src):
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in NEIGHBOURS:
        before = ast.get_source_segment(src, node)
        node.ops[0] = NEIGHBOURS[type(node.ops[0])]()
        yield _short(before), _short(ast.unparse(node)), node.col_offset


def _number(node, src):
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) \
            and not getattr(node, "in_list", False):
        old = node.value
        # A number in a rule counts days, months, people or percent: never stepped below 0.
        for k in (1, -1) if old > 0 else (1,):
            node.value = old + k
            yield str(old), str(old + k), node.col_offset
        node.value = old


def _date(node, src):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "date" \
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        arg, old = node.args[0], node.args[0].value
        try:
            day = dt.date.fromisoformat(old)
        except ValueError:
            return
        for k in (1, -1):
            arg.value = (day + dt.timedelta(days=k)).isoformat()
            yield f'date("{old}")', f'date("{arg.value}")', node.col_offset
        arg.value = old


def _list_member(node, src):
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        before, elts = ast.get_source_segment(src, node), list(node.elts)
        for i in range(len(elts)):
            node.elts = elts[:i] + elts[i + 1:]
            yield before, ast.unparse(node), node.col_offset
        node.elts = elts


def _and_or(node, src):
    if isinstance(node, ast.BoolOp):
        before = ast.get_source_segment(src, node)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield _short(before), _short(ast.unparse(node)), node.col_offset


def _not(node, src):
    for name, child in ast.iter_fields(node):
        values = child if isinstance(child, list) else [child]
        for i, v in enumerate(values):
            if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not):
                before = ast.get_source_segment(src, v)
                if isinstance(child, list):
                    child[i] = v.operand
                else:
                    setattr(node, name, v.operand)
                yield _short(before), _short(ast.unparse(v.operand)), v.col_offset
                if isinstance(child, list):
                    child[i] = v
                else:
                    setattr(node, name, v)


_MUTATORS = (("comparison", _comparison), ("number", _number), ("date", _date), ("list-member", _list_member),
             ("and-or", _and_or), ("not", _not))


def _short(text, width=90):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width // 2 - 2] + " ... " + text[-(width // 2 - 3):]
