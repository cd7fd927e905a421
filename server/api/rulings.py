"""/v1/rulings: judge and store, read back, replay under another version."""

from flask import Blueprint, request, url_for

from server import errors
from server.judging import history, rulings, texts
from server import store
from server.api.common import book, db, language, load_body, source
from server.api.respond import responds
from server.contract.request import ReferenceQuerySchema, ReplayRequestSchema, RulingRequestSchema, load
from server.contract.response import ReplaySchema, RulingListSchema, RulingSchema

bp = Blueprint("rulings", __name__, url_prefix="/rulings")


@bp.post("")
@responds(201, RulingSchema)
def create():
    """Judge one ruling request; store and return the ruling."""
    facts = load_body(RulingRequestSchema)
    lang = language()
    ruling = rulings.judge(book(), facts, source=source(), lang=lang)
    return _stored(store.save_ruling(db(), ruling, facts, lang))


@bp.get("")
@responds(200, RulingListSchema)
def index():
    """Every stored ruling (replays included) for one application reference, oldest first."""
    query = load(ReferenceQuerySchema, request.args.to_dict())
    return {"rulings": store.find_by_reference(db(), query["reference"])}


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
    original, facts = _find(ruling_id)
    choice = load_body(ReplayRequestSchema, optional=True)
    if choice["version"] or choice["as_of"]:
        facts = {**facts, **choice}  # both replace the stored choice: `version` would outrank `as_of`
    lang = language()
    ruling = rulings.judge(book(), facts, source=source(), lang=lang, recorded=original.get("registry"))
    ruling["outcome_changed"] = ruling["outcome"] != original["outcome"]
    return _stored(store.save_ruling(db(), ruling, facts, lang, replay_of=ruling_id))


def _find(ruling_id):
    """(stored ruling, its request) or 404."""
    found = store.get_ruling_and_request(db(), ruling_id)
    if found is None:
        raise errors.NotFound(f"No ruling with id {ruling_id!r}.")
    return found


def _stored(ruling):
    return ruling, {"Location": url_for(".show", ruling_id=ruling["id"])}
