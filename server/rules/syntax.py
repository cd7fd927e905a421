"""Rule text to a Python syntax tree, whitelisted and bounded before anything reads it.

The bounds keep every recursive reader of a tree (the parser in `expressions`, the
DNF in `server.engine.clauses`, `interpret`, JSON encoding) far from Python's stack.
The shipped rule files nest at most 11 levels and their longest expression has 255
characters.
"""
import ast

from server.rules.nodes import ExpressionError

MAX_DEPTH = 40
MAX_LENGTH = 10_000


def tree(source, allowed):
    """The `ast` of expression `source`, every node an instance of `allowed`; else ExpressionError."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"an expression may be at most {MAX_LENGTH} characters long; "
                              "split it into derived facts")
    try:
        parsed = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"syntax error in expression: {e.msg}", e.offset) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"nested more than {MAX_DEPTH} levels deep; split it into derived facts") from None
    stack = [(parsed, 1)]     # walked without recursion
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, allowed):
            raise ExpressionError(f"'{type(node).__name__}' is not allowed in rule expressions",
                                  getattr(node, "col_offset", None))
        if depth > MAX_DEPTH:
            raise ExpressionError(f"nested more than {MAX_DEPTH} levels deep; split it into derived facts")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return parsed
