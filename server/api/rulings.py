"""/v1/rulings: judge and store, read back a page at a time, replay under another version.

Both posts take an `Idempotency-Key` header: a client that lost the answer sends
the same request with the same key again and gets the ruling stored the first
time (201, `Idempotent-Replayed: true`) instead of a second ruling.
"""
import base64
import binascii
import hashlib
import json
import re

from flask import Blueprint, request

from server import errors
from server.judging import history, rulings, texts
from server import store
from server.api.common import book, db, language, load_body, source
from server.api.respond import responds
from server.contract.queries import ReferenceQuerySchema
from server.contract.request import ReplayRequestSchema, RulingRequestSchema, load
from server.contract.response import ReplaySchema, RulingListSchema, RulingSchema

bp = Blueprint("rulings", __name__, url_prefix="/rulings")
# Said once when the app is built: whether the log keeps IINs and passports in clear.
bp.record_once(lambda state: store.announce_protection(state.app.logger))

IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")   # printable ASCII without spaces, as most clients send (UUIDs)


@bp.post("")
@responds(201, RulingSchema)
def create():
    """Judge one ruling request; store and return the ruling."""
    key = _idempotency_key()
    facts = load_body(RulingRequestSchema)
    lang = language()
    if key is None:
        ruling = rulings.judge(book(), facts, source=source(), lang=lang)
        return _stored(store.save_ruling(db(), ruling, facts, lang))
    asked = _asked("POST /v1/rulings", facts)
    kept = store.stored_under_key(db(), key)   # a retry is answered without judging again
    if kept is None:
        ruling = rulings.judge(book(), facts, source=source(), lang=lang)
        kept = store.save_ruling_once(db(), key, asked, ruling, facts, lang)
    return _kept(kept, asked)


@bp.get("")
@responds(200, RulingListSchema)
def index():
    """Stored rulings (replays included) for one application reference, oldest first, a page at a time."""
    query = load(ReferenceQuerySchema, request.args.to_dict())
    after = 0 if query["cursor"] is None else _position(query["cursor"])
    found, end = store.page_by_reference(db(), query["reference"], query["limit"], after)
    return {"rulings": found, "next": None if end is None else _cursor(end)}


@bp.get("/<ruling_id>")
@responds(200, RulingSchema)
def show(ruling_id):
    """A stored ruling, its texts in the negotiated language, from the rule files that judged it."""
    ruling = _find(ruling_id)[0]
    conn = db()
    version = history.version_of(ruling, book(), lambda digest: store.rule_files(conn, digest))
    # A ruling whose version is known nowhere comes back as it was written.
    return ruling if version is None else texts.localize_under(ruling, version, language())


@bp.post("/<ruling_id>/replay")
@responds(201, ReplaySchema)
def replay(ruling_id):
    """Judge a stored ruling's facts again, with the registry data it recorded."""
    key = _idempotency_key()
    original, facts = _find(ruling_id)
    choice = load_body(ReplayRequestSchema, optional=True)
    asked = _asked(f"POST /v1/rulings/{ruling_id}/replay", choice)
    kept = None if key is None else store.stored_under_key(db(), key)
    if kept is None:
        if choice["version"] or choice["as_of"]:
            facts = {**facts, **choice}  # both replace the stored choice: `version` would outrank `as_of`
        lang = language()
        ruling = rulings.judge(book(), facts, source=source(), lang=lang, recorded=original.get("registry"))
        ruling["outcome_changed"] = ruling["outcome"] != original["outcome"]
        if key is None:
            return _stored(store.save_ruling(db(), ruling, facts, lang, replay_of=ruling_id))
        kept = store.save_ruling_once(db(), key, asked, ruling, facts, lang, replay_of=ruling_id)
    return _kept(kept, asked)


def _find(ruling_id):
    """(stored ruling, its request) or 404."""
    found = store.get_ruling_and_request(db(), ruling_id)
    if found is None:
        raise errors.NotFound(f"No ruling with id {ruling_id!r}.")
    return found


def _stored(ruling, headers=None):
    # The path `show` answers, written out: url_for built it through the URL map on every post.
    return ruling, {"Location": f"{request.script_root}/v1/rulings/{ruling['id']}", **(headers or {})}


def _idempotency_key():
    """The request's Idempotency-Key, or None; 422 naming the header if malformed."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None or _KEY.fullmatch(key):
        return key
    message = "Must be 1 to 255 printable ASCII characters without spaces (a UUID, say)."
    raise errors.InvalidRequest(f"{IDEMPOTENCY_KEY}: {message}", fields={IDEMPOTENCY_KEY: [message]})


def _asked(call, body):
    """A hash of what a request asks (the call and its loaded body): same request, same hash."""
    text = json.dumps([call, body], sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


def _kept(kept, asked):
    """The answer for a ruling posted under an idempotency key: the first one stored, or 422
    when the key was first used for another request."""
    if not kept.replayed:
        return _stored(kept.ruling)
    if kept.request_hash != asked:
        message = ("Already used for another request (another body, or another call); "
                   "send a new key with a new request.")
        raise errors.InvalidRequest(f"{IDEMPOTENCY_KEY}: {message}", fields={IDEMPOTENCY_KEY: [message]},
                                    code="idempotency_key_reused")
    return _stored(kept.ruling, {"Idempotent-Replayed": "true"})


# A page's cursor: where it ended in the log, opaque to clients.
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,40}")
_POSITION = re.compile(rb"after:([0-9]{1,18})")


def _cursor(position):
    return base64.urlsafe_b64encode(f"after:{position}".encode()).decode().rstrip("=")


def _position(cursor):
    """The log position a cursor names; 422 naming `cursor` for anything this API did not give."""
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        decoded = b""
    found = _POSITION.fullmatch(decoded) if _CURSOR.fullmatch(cursor) else None
    if found:
        return int(found.group(1))
    message = "Not a cursor this API gave: pass the previous page's `next` as it is."
    raise errors.InvalidRequest(f"cursor: {message}", fields={"cursor": [message]})
