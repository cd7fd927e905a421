"""What would a draft change? A draft rule file checked, diffed, its cases re-run, its impact counted.

Nothing is stored and nothing is served: the draft lives in a temporary copy of
the policies directory for the time of the request (server/pages/drafting.py).
"""
import io

from flask import abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from server import store
from server.api.common import book, db, source
from server.batch.inputs import InputError, read_items
import server.pages.drafting as drafting
import server.pages.impact as impact
from server.pages.marking import marked, parameter, shown
from server.pages.site import bp, lang, page

DRAFT_LIMIT = 256 * 1024      # bytes of a draft rule file
REQUESTS_LIMIT = 256 * 1024   # bytes of an uploaded JSON Lines file of requests
MAX_STORED = 200              # stored rulings judged again at most
DEFAULT_STORED = 20


@bp.get("/drafts")
def drafts_form():
    return page("drafts.html", form=_form_defaults(), tried=None, stored=None, uploaded=None)


@bp.post("/drafts")
def drafts_try():
    """Check the draft in a temporary copy; if it loads, the diff, the cases and the impact."""
    form = _form()
    if not form["text"].strip():
        return page("drafts.html", 422, form=form, tried=None, stored=None, uploaded=None,
                    problem="Paste a draft rule file or choose one to upload.")
    tried = drafting.attempt(book().directory, form["regulation"], form["text"], source(), lang())
    stored = uploaded = None
    if tried.version is not None:
        stored = impact.summary(impact.of_stored(tried.version, store.latest(db(), form["last"]), source(), lang()))
        if form["requests"]:
            uploaded = impact.summary(impact.of_uploaded(book(), tried.version, form["requests"], source(), lang()))
    status = 200 if tried.version is not None else 422
    return page("drafts.html", status, form=form, tried=tried, stored=stored, uploaded=uploaded,
                problem=None, bad_lines={line for line, _ in tried.problems}, changes=_changes(tried.diff))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    message = exc.description   # ours name the part and its limit; Werkzeug's own is vaguer
    if message == RequestEntityTooLarge.description:
        message = (f"The upload is too large: a form may send at most {limit} bytes." if limit
                   else "The upload is too large.")
    return page("error.html", 413, status=413, message=message)


def _changes(d):
    """The diff's changed requirements and parameters as rows (name, before, after), the words marked."""
    if d is None:
        return []
    rows = []
    for change in d["changed"]:
        for name, ba in change["changes"].items():
            rows.append((f"{change['id']}: {name}", *marked(shown(ba["before"], lang()), shown(ba["after"], lang()))))
    params = d["parameters"]
    rows += [(k, "", parameter(v, lang())) for k, v in params["added"].items()]
    rows += [(k, parameter(v, lang()), "") for k, v in params["removed"].items()]
    rows += [(k, *marked(parameter(ba["before"], lang()), parameter(ba["after"], lang())))
             for k, ba in params["changed"].items()]
    return rows


def _form_defaults():
    return {"regulation": book().default_regulation, "text": "", "last": DEFAULT_STORED,
            "regulations": sorted(book().regulations), "requests": None, "max_stored": MAX_STORED}


def _form():
    """The posted form, each part bounded; 413 for a part over its limit, 422 for a wrong choice."""
    form = _form_defaults()
    regulation = request.form.get("regulation", "")
    if regulation not in form["regulations"]:
        abort(422, f"Choose one of the regulations: {', '.join(form['regulations'])}.")
    last = request.form.get("last", "").strip()
    if not last.isdigit() or int(last) > MAX_STORED:
        abort(422, f"The number of stored rulings to judge again is a whole number from 0 to {MAX_STORED}.")
    uploaded = bounded(request.files.get("draft_file"), DRAFT_LIMIT, "The draft rule file")
    text = uploaded.decode("utf-8", "replace") if uploaded else request.form.get("draft", "")
    if len(text.encode("utf-8")) > DRAFT_LIMIT:
        raise RequestEntityTooLarge(f"The draft is over the limit of {DRAFT_LIMIT} bytes ({DRAFT_LIMIT // 1024} KiB).")
    requests_file = bounded(request.files.get("requests"), REQUESTS_LIMIT, "The file of requests")
    return {**form, "regulation": regulation, "last": int(last), "text": text,
            "requests": _requests(requests_file) if requests_file else None}


def bounded(upload, limit, what):
    """The bytes of an uploaded file (b"" if none), read no further than `limit` + 1."""
    if upload is None or not upload.filename:
        return b""
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge(f"{what} is over the limit of {limit} bytes ({limit // 1024} KiB).")
    return data


def _requests(data):
    """The uploaded requests as read_items reads JSON Lines; 422 if the file cannot be read."""
    raw = io.BytesIO(data)
    raw.name = "requests.jsonl"
    try:
        return list(read_items(raw, "jsonl"))
    except InputError as e:
        abort(422, str(e))
