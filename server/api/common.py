"""Request plumbing shared by every view: body, language, auth, connections, errors."""

import hmac
import threading
import uuid

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from server import errors, fieldwords, messages, store
from server.contract.jsonbody import parse_body
from server.contract.request import load, load_json
from server.languages import content_language, negotiate, track

# Werkzeug's own exceptions (routing, body limit) mapped to the contract's error kinds.
_HTTP_ERRORS = {
    404: errors.NotFound,
    405: errors.MethodNotAllowed,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
}


def book():
    """The rulebook this request judges under: one for the whole request, even if a
    newly published set is switched to meanwhile (server/api/live.py)."""
    found = g.get("ereje_book")
    if found is None:
        found = g.ereje_book = current_app.extensions["ereje.rules"].book()
    return found


def source():
    """The registry source rulings fetch from."""
    return current_app.config["REGISTRY_SOURCE"]


def db():
    """This thread's decision-log connection (sqlite3 connections must not cross threads).

    Kept for the thread's life: opening a connection per request cost more than
    the ruling itself, and gunicorn's gthread workers reuse a fixed set of threads.
    """
    local = current_app.extensions["ereje.db_local"]
    conn = getattr(local, "db", None)
    if conn is None:
        conn = local.db = store.open_db(current_app.config["DB"], current_app.config["CHECKPOINTS"])
        # The served book, for rows that leave findings' texts to the rule files (server/storedrow.py).
        conn.ereje_book = book
    return conn


def language():
    """The language to answer in, negotiated from Accept-Language (server.languages.negotiate); else en.
    Negotiated once a request (a view and the Content-Language both ask)."""
    found = g.get("ereje_language")
    if found is None:
        found = g.ereje_language = negotiate(request.accept_languages)
    return found


def json_body(optional=False):
    """The request body parsed as JSON; `optional` lets an empty body stand for {}."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if optional and not raw.strip():
        return {}
    if not request.is_json:
        raise errors.UnsupportedMediaType(
            f"Send the body as application/json, not {request.mimetype or 'no content type'}."
        )
    return parse_body(raw)  # 400: not JSON, or a key given twice


def load_body(schema, optional=False):
    """The JSON body loaded with request schema class `schema`: parsed by json_body (400, 415),
    then straight from its bytes by the fast path when it fits, else by marshmallow (422)."""
    if not request.is_json:  # the content type is judged first, as json_body does
        return load(schema, json_body(optional))
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH; read once, kept for json_body
    return load_json(schema, raw, lambda: json_body(optional))


def install(app):
    """Register the hooks and the error handler on `app`."""
    app.before_request(_start)
    app.before_request(_require_token)
    app.after_request(_finish)
    app.extensions["ereje.db_local"] = threading.local()
    app.register_error_handler(Exception, _handle)


def _start():
    g.request_id = uuid.uuid4().hex
    g.languages_used = track()


def _require_token():
    tokens = current_app.config["TOKENS"]
    if not tokens or not (request.path == "/v1" or request.path.startswith("/v1/")):
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip().encode()
    # Compare against every token, whatever matches, so timing reveals nothing.
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(given, token.encode())
    if scheme.lower() != "bearer" or not matched:
        raise errors.Unauthorized("A valid bearer token is required: Authorization: Bearer <token>.")


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.path.startswith("/v1/") and response.is_json:
        response.headers.setdefault("Content-Language", content_language(language(), g.get("languages_used", ())))
    return response


def _handle(exc):
    headers = {}
    if isinstance(exc, HTTPException):
        if exc.code is None or exc.code < 400:
            return exc  # routing redirects are answers, not errors
        if exc.code == 405:
            headers["Allow"] = ", ".join(exc.valid_methods or ())
        exc = _from_http(exc)
    if not isinstance(exc, errors.EREJEError) or exc.status >= 500:
        return _internal(exc)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="ereje"'
    body = exc.body()
    lang = language()
    body["error"]["message"] = messages.error(exc.code, lang, exc.message)
    body["error"]["fields"] = fieldwords.field_messages(body["error"]["fields"], lang)
    return body, exc.status, headers


def _from_http(exc):
    kind = _HTTP_ERRORS.get(exc.code)
    if kind is errors.NotFound:
        return kind(f"No such resource: {request.path}")
    if kind is errors.MethodNotAllowed:
        return kind(f"{request.method} is not allowed on {request.path}.")
    if kind is errors.PayloadTooLarge:
        return kind(f"The body is over the limit of {current_app.config['MAX_CONTENT_LENGTH']} bytes.")
    if kind is not None:
        return kind(exc.description)
    error = errors.EREJEError(exc.description, code=exc.name.lower().replace(" ", "_"))
    error.status = exc.code
    return error


def _internal(exc):
    request_id = g.get("request_id", "")
    current_app.logger.error("request %s failed: %s %s", request_id, request.method, request.path, exc_info=exc)
    message = messages.error("internal_error", language(), f"Internal error; quote request id {request_id} when reporting it.",
                             request_id=request_id)
    return {"error": {"code": "internal_error", "message": message, "fields": {}}}, 500
