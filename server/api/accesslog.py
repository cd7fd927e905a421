"""The access log of `ereje serve`: one line per request, and nothing that identifies anyone.

    2025-09-20T10:00:00Z POST /v1/rulings 201 3ms ruling=0199... request=5f2c...

Method, path (the query string dropped, identifiers masked), status, duration and,
when a ruling was stored, its id. Never a body, a query string or a header. The
worker logs the requests it answers itself (408, 413, 414, 431) through `request`.
"""
import time

from gunicorn import glogging

from adapters import masking


class AccessLog(glogging.Logger):
    """gunicorn's logger with the access line above instead of its configurable format."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers or ()}
        self.request(environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), status,
                     request_time.total_seconds() * 1000, ruling=_ruling(status, headers.get("location")),
                     request_id=headers.get("x-request-id"))

    def request(self, method, path, status, ms, ruling=None, request_id=None):
        """Log one line; what is not known is `-`."""
        if not self.access_log_enabled:
            return
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        line = f"{when} {method or '-'} {masking.mask(path) or '-'} {status} {ms:.0f}ms"
        if ruling:
            line += f" ruling={ruling}"
        if request_id:
            line += f" request={request_id}"
        self.access_log.info("%s", line)


def _ruling(status, location):
    """The id of the ruling a 201 stored: the last segment of its Location."""
    if str(status) != "201" or not location or "/rulings/" not in location:
        return None
    return location.rstrip("/").rsplit("/", 1)[-1]
