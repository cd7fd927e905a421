"""How every view answers, the way flask-smorest's `@blp.response` does: the view
returns a value, which is sent dumped through its response schema with the view's
one success status. The OpenAPI description (openapi.py) reads the same pair from
the view, so it describes what is sent.
"""
import functools

from server.contract.response import dump


def responds(status, schema):
    """Decorate a view: its value goes out as `dump(schema, value)` with `status`.

    A view may return (value, headers); or (value, status) for another status the
    description lists with the same schema (healthz's 503).
    """

    def decorate(view):
        @functools.wraps(view)
        def answer(*args, **kwargs):
            value, extra = _split(view(*args, **kwargs))
            if isinstance(extra, int):
                return dump(schema, value), extra
            return dump(schema, value), status, extra

        answer.response = (status, schema)
        return answer

    return decorate


def _split(returned):
    if isinstance(returned, tuple):
        return returned
    return returned, {}
