"""Flask's JSON provider with orjson: compact responses, keys in the order written."""
import orjson
from flask.json.provider import DefaultJSONProvider


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
