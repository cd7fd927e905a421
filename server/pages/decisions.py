"""The decision log: rulings found by reference or id, one shown as it was judged, and replayed."""
from flask import abort, g, request, url_for

from server import errors, store
from server.api.common import book, db, source
from server.judging import history, rulings, texts
from server.pages.site import bp, lang, page

PAGE_SIZE = 20


@bp.get("/log")
def log():
    """A search form; the rulings of a reference a page at a time; or one ruling by id."""
    reference, ruling_id = request.args.get("reference", "").strip(), request.args.get("id", "").strip()
    if ruling_id:
        ruling, _ = _find(ruling_id)
        return page("ruling.html", ruling=_as_judged(ruling), versions=_versions(ruling), replayed=None)
    found, after = [], None
    if reference:
        start = request.args.get("after", "0")
        found, after = store.page_by_reference(db(), reference, PAGE_SIZE, int(start) if start.isdigit() else 0)
    return page("log.html", reference=reference, found=found, after=after)


@bp.post("/log/<ruling_id>/replay")
def replay(ruling_id):
    """Judge a stored ruling's facts again (with the registry data it recorded) and store the replay
    as POST /v1/rulings/{id}/replay does; show what changed beside the ruling, with a link to the replay."""
    original, facts = _find(ruling_id)
    g.pages_here = url_for("pages.log")
    chosen = request.form.get("version", "")
    if chosen:
        facts = {**facts, "version": chosen, "as_of": None}
    try:
        again = rulings.judge(book(), facts, source=source(), lang=lang(), recorded=original.get("registry"))
    except errors.EREJEError as e:
        abort(422, e.message)
    again["outcome_changed"] = again["outcome"] != original["outcome"]
    stored = store.save_ruling(db(), again, facts, lang(), replay_of=ruling_id)
    before = {f["requirement"]: f["status"] for f in original["findings"]}
    rows = [{**f, "before": before.get(f["requirement"], "absent")} for f in again["findings"]]
    return page("ruling.html", ruling=_as_judged(original), versions=_versions(original),
                replayed={"ruling": stored, "rows": rows, "outcome_changed": again["outcome_changed"]})


def _find(ruling_id):
    found = store.get_ruling_and_request(db(), ruling_id)
    if found is None:
        abort(404, f"No ruling with id {ruling_id!r}.")
    return found


def _as_judged(ruling):
    """The stored ruling in the page language, rendered with the rule files that judged it."""
    conn = db()
    version = history.version_of(ruling, book(), lambda digest: store.rule_files(conn, digest))
    return ruling if version is None else texts.localize_under(ruling, version, lang())


def _versions(ruling):
    try:
        return [v.version for v in book().regulation(ruling.get("regulation")).versions]
    except errors.EREJEError:
        return []
