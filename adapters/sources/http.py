"""Registry facts read over HTTP, in the protocol of CONTRACT section 5."""

import threading
import time
from urllib.parse import quote, urlencode

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from adapters.base import RegistryUnavailable, Source, utc_now
from adapters.registries import MODULES

DEFAULT_TIMEOUT_S = 3.0
# A registry answers one employer's records in kilobytes: a bigger answer is refused
# unread beyond the cap, so a broken or hostile gateway cannot fill a worker's memory.
DEFAULT_MAX_BYTES = 1 << 20
# Records nest three levels; deeper JSON is refused before anything walks it.
MAX_DEPTH = 64
_CHUNK = 64 << 10

_session = None
_session_lock = threading.Lock()


def session():
    """The process's one Session: pooled connections shared by every ruling's threads."""
    global _session
    with _session_lock:
        if _session is None:
            _session = _new_session()
        return _session


def _new_session():
    retry = Retry(
        total=2,
        connect=2,
        # A read timeout means the registry is slow: asking again would only
        # multiply the wait, so only refused connections and gateway errors retry
        # (False, not 0: the timeout is then raised as itself, not as a retry error).
        read=False,
        status=2,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.1,
        # A Retry-After of minutes would outlast every ruling's deadline.
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=retry)
    s = requests.Session()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["Accept"] = "application/json"
    return s


class HttpSource(Source):
    """Asks the registries' HTTP gateway at `base_url`, each read bounded by `timeout`."""

    name = "http"

    def __init__(self, base_url, timeout=DEFAULT_TIMEOUT_S, max_bytes=DEFAULT_MAX_BYTES):
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.max_bytes = int(max_bytes)
        # Long enough for a slow answer after a retried connection, short enough
        # that a dead registry costs a ruling seconds, not minutes.
        self.deadline_s = 2 * self.timeout + 1

    def fetch(self, registry, query):
        reader = _Reader(registry, self.base_url, self.timeout, self.max_bytes)
        try:
            data = MODULES[registry].over_http(reader, query)
        except RegistryUnavailable as err:
            err.provenance = {**reader.provenance(), **err.provenance}
            raise
        return data, reader.provenance()


class _Reader:
    """One registry's reads for one ruling; remembers what it asked for provenance."""

    def __init__(self, registry, base_url, timeout, max_bytes=DEFAULT_MAX_BYTES):
        self.registry = registry
        self.base_url = base_url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.fetched_at = utc_now()
        self.started = time.monotonic()
        self.calls = []  # [{"url", "status"}]

    def get(self, segments, params=None, absent_ok=False):
        """GET base/segments: the JSON object answered, or None on 404 if `absent_ok`."""
        url = "/".join([self.base_url, *(quote(s, safe="") for s in segments)])
        if params:
            url += "?" + urlencode(params)
        call = {"url": url}
        self.calls.append(call)
        try:
            # stream: the body is read below, within the cap, never whole first.
            response = session().get(url, timeout=(self.timeout, self.timeout), stream=True)
        # ConnectTimeout is also a ConnectionError: the timeouts come first.
        except requests.ConnectTimeout:
            raise self._unavailable(f"no connection within {self.timeout:g} s") from None
        except requests.ReadTimeout:
            raise self._unavailable(f"no answer within {self.timeout:g} s") from None
        except requests.ConnectionError as err:
            raise self._unavailable(f"connection failed: {_root_cause(err)}") from None
        except requests.RequestException as err:
            raise self._unavailable(f"request failed: {_root_cause(err)}") from None
        with response:  # closing returns a fully read connection to the pool, else drops it
            call["status"] = response.status_code
            if response.status_code == 404 and absent_ok:
                self._drain(response)
                return None
            if response.status_code != 200:
                raise self._unavailable(f"answered HTTP {response.status_code}")
            content_type = response.headers.get("Content-Type", "")
            mimetype = content_type.split(";")[0].strip().lower()
            if mimetype != "application/json" and not mimetype.endswith("+json"):
                raise self._unavailable(f"answered {content_type or 'no content type'}, not JSON")
            return self._json_object(_utf8(self._read(response), response.encoding))

    def _read(self, response):
        """The body's bytes, or unavailable once it passes max_bytes (the rest is never read)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._unavailable(f"answer of {declared} bytes is over the limit of {self.max_bytes}")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._unavailable(f"answer is over the limit of {self.max_bytes} bytes")
                chunks.append(chunk)
        except requests.RequestException as err:
            raise self._unavailable(f"answer broke off: {_root_cause(err)}") from None
        return b"".join(chunks)

    def _drain(self, response):
        # An answer read to its end lets the connection serve the next request.
        try:
            self._read(response)
        except RegistryUnavailable:
            pass  # too big or broken: closing drops the connection instead

    def _json_object(self, raw):
        # orjson, not the standard library: it refuses nesting past 1024 levels with a
        # ValueError where json would raise RecursionError.
        try:
            body = orjson.loads(raw)
        except ValueError:
            raise self._unavailable("answer is not valid JSON") from None
        if not isinstance(body, dict):
            raise self._unavailable("answer is not a JSON object")
        if nested_deeper(body, MAX_DEPTH):
            raise self._unavailable(f"answer nests deeper than {MAX_DEPTH} levels")
        return body

    def provenance(self):
        """Source, when, what was asked: url and status (`requests` when several)."""
        prov = {
            "source": "http",
            "fetched_at": self.fetched_at,
            "duration_ms": round((time.monotonic() - self.started) * 1000, 1),
        }
        if len(self.calls) == 1:
            prov.update(self.calls[0])
        elif self.calls:
            prov["requests"] = [dict(c) for c in self.calls]
        return prov

    def _unavailable(self, reason):
        return RegistryUnavailable(self.registry, reason)


def _utf8(raw, charset):
    """The body as UTF-8 without a byte-order mark: JSON's own encoding, which orjson
    reads; a registry declaring another charset is read in it, as requests' json() did."""
    charset = (charset or "utf-8").lower().replace("_", "-")
    if charset not in ("utf-8", "utf8"):
        try:
            raw = raw.decode(charset).encode("utf-8")
        except (LookupError, UnicodeError):
            return b""   # not text in the charset it declares: not JSON either
    return raw.removeprefix(b"\xef\xbb\xbf")


def nested_deeper(value, limit):
    """True when `value` (parsed JSON) nests objects and arrays more than `limit` deep.

    A loop, not recursion: the depth is the registry's to choose.
    """
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def _root_cause(err):
    # requests wraps urllib3's MaxRetryError, whose `reason` says what went wrong.
    inner = err.args[0] if err.args else err
    return str(getattr(inner, "reason", inner))
