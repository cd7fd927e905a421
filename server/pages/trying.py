"""Try a case: a sample or pasted request judged now, under every version too; stored only on "record"."""
import json
from pathlib import Path

from flask import redirect, request, url_for

from server import errors, store
from server.api.common import book, db, source
from server.contract.request import RulingRequestSchema, load
from server.judging import comparisons, rulings
from server.pages.site import bp, lang, page

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "applications"


def samples():
    return sorted(p.name for p in SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []


@bp.get("/try")
def try_form():
    """The form, filled from the chosen sample (or empty)."""
    chosen = request.args.get("sample", "")
    text = ""
    if chosen in samples():   # only a listed name: never a path the user makes up
        text = (SAMPLES / chosen).read_text(encoding="utf-8")
    return page("try.html", samples=samples(), sample=chosen, text=text, problems=None)


@bp.post("/try")
def try_case():
    """Judge the pasted request; show its ruling and the comparison, or its problems by field."""
    text = request.form.get("request", "")
    try:
        facts = _loaded(text)
        ruling = rulings.judge(book(), facts, source=source(), lang=lang())
        compared = comparisons.compare(book(), facts, source=source(), lang=lang())
    except errors.EREJEError as e:
        return page("try.html", 422, samples=samples(), sample="", text=text, problems=_problems(e))
    return page("try.html", samples=samples(), sample="", text=text, problems=None,
                ruling=ruling, compared=compared, changed=_changed_rows(compared))


@bp.post("/try/record")
def record():
    """Judge the request again and store the ruling as POST /v1/rulings does; go to it in the log."""
    text = request.form.get("request", "")
    try:
        facts = _loaded(text)
        ruling = rulings.judge(book(), facts, source=source(), lang=lang())
    except errors.EREJEError as e:
        return page("try.html", 422, samples=samples(), sample="", text=text, problems=_problems(e))
    stored = store.save_ruling(db(), ruling, facts, lang())
    return redirect(url_for("pages.log", id=stored["id"]), 303)


def _loaded(text):
    """The pasted text as a validated ruling request (errors.InvalidRequest naming the fields)."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise errors.InvalidRequest("The request is not JSON.", fields={"$": [str(e)]}) from None
    return load(RulingRequestSchema, data)


def _problems(e):
    return {"message": e.message, "fields": sorted(e.fields.items())}


def _changed_rows(compared):
    """Requirement ids whose status is not the same under every version."""
    return {rid for rid, row in compared["requirements"].items() if len(set(row["statuses"].values())) > 1}
