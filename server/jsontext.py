"""JSON text, fast: orjson where it can, the standard library where it cannot.

Every ruling is encoded several times (into the engine, into the decision log,
onto the wire); the standard encoder was a tenth of a request's time.
"""
import json

import orjson
from flask.json.provider import DefaultJSONProvider


loads = orjson.loads


def dumps(obj):
    """Compact JSON text, keys in insertion order."""
    try:
        return orjson.dumps(obj).decode()
    except TypeError:
        # Lone surrogates or integers past 64 bits: the standard library writes
        # them as escapes, so the text still round-trips.
        return json.dumps(obj, separators=(",", ":"))


class Provider(DefaultJSONProvider):
    """Flask's JSON with `dumps` above for compact responses."""

    sort_keys = False

    def dumps(self, obj, **kwargs):
        if kwargs.get("indent") or kwargs.get("sort_keys") or kwargs.get("default") not in (None, self.default):
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            return super().dumps(obj, **kwargs)
