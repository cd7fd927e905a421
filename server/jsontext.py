"""JSON text, fast: orjson where it can, the standard library where it cannot.

Every ruling is encoded several times (into the engine, into the decision log,
onto the wire); the standard encoder was a tenth of a request's time.
"""
import json

import orjson


loads = orjson.loads


def dumps(obj):
    """Compact JSON text, keys in insertion order."""
    try:
        return orjson.dumps(obj).decode()
    except TypeError:
        # Lone surrogates or integers past 64 bits: the standard library writes
        # them as escapes, so the text still round-trips.
        return json.dumps(obj, separators=(",", ":"))
