"""JSON bodies as the contract reads them: a key named twice in one object is refused.

Parsers differ on `{"kind": "issue", "kind": "extension"}` (most keep the last, some
the first), so a request that means two things is not judged as either. The standard
library's parser calls a hook per object with its pairs, which finds a repeated key for
about 4 us a request (orjson alone parses it in 2 us but cannot tell).
"""
import json

from server import errors


class DuplicateKey(ValueError):
    """A key given twice in one object; `path` is the dotted path of the second one."""

    def __init__(self, key, where):
        self.key = key
        self.where = where
        self.path = f"{where}.{key}" if where else key
        super().__init__(f"key {key!r} appears more than once in {where or 'the top-level object'}")


def loads(text):
    """Like json.loads (str or bytes), but a repeated key raises DuplicateKey (a ValueError)."""
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except _Repeated:
        # Rare: parse again keeping every pair, to say where the repeated key is.
        raise _first_repeat(json.loads(text, object_pairs_hook=_Pairs)) from None


def parse_body(raw):
    """A request body's JSON value; errors.NotJSON (400) if it is not JSON or repeats a key."""
    try:
        return loads(raw)
    except DuplicateKey as err:
        raise errors.NotJSON(f"The body is not valid JSON here: {err}; give each key once.",
                             fields={err.path: ["Given more than once."]}) from None
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8 and over-long integers; RecursionError, absurd nesting.
        raise errors.NotJSON("The body is not valid JSON.") from None


class _Repeated(Exception):
    pass


def _unique(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Repeated
    return obj


class _Pairs(list):
    """An object's (key, value) pairs in the order written."""


def _first_repeat(document):
    """The first repeated key in document order, found without recursion (depth is the client's)."""
    stack = [(document, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Pairs):
            seen = set()
            for key, _ in node:
                if key in seen:
                    return DuplicateKey(key, path)
                seen.add(key)
            children = [(value, f"{path}.{key}" if path else key) for key, value in node]
        elif isinstance(node, list):
            children = [(value, f"{path}.{i}" if path else str(i)) for i, value in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))
    return DuplicateKey("?", "")  # unreachable: the strict parse found one
