"""JSON bodies as the contract reads them: a key named twice in one object is refused.

Parsers differ on `{"kind": "issue", "kind": "extension"}` (most keep the last, some
the first), so a request that means two things is not judged as either.

Finding a repeated key costs little: msgspec parses the body (last key wins) and writes
it back; every ':' outside a string separates a key from its value, so the body has a
repeated key exactly when it holds more ':' than the rewrite (a dropped value's colons
only add to the difference), unless a colon is written as an escape (\\u003a) in a
string. Only then, or when msgspec refuses the body, does the standard library parse it
with a hook per object (1.6-2.7x slower here), which also says where the key is.
"""
import json

import msgspec

from server import errors


_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


class DuplicateKey(ValueError):
    """A key given twice in one object; `path` is the dotted path of the second one."""

    def __init__(self, key, where):
        self.key = key
        self.where = where
        self.path = f"{where}.{key}" if where else key
        super().__init__(f"key {key!r} appears more than once in {where or 'the top-level object'}")


def loads(text):
    """Like json.loads (str or bytes), but a repeated key raises DuplicateKey (a ValueError)."""
    if isinstance(text, bytes) and b"\\u003a" not in text and b"\\u003A" not in text:
        # msgspec, not orjson: orjson reads integers past 64 bits as floats.
        try:
            value = _decode(text)
        except (msgspec.DecodeError, RecursionError):
            pass  # the standard library decides: it reads some bodies msgspec refuses (1e400)
        else:
            if text.count(b":") == _encode(value).count(b":"):
                return value
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
