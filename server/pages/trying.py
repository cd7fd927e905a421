"""Try a case: a sample or pasted request judged now, under every version too; stored only on "record"."""
import json
from pathlib import Path

from flask import redirect, request, url_for

from server import errors, store
from server.api.common import book, db, source
from server.contract.request import RulingRequestSchema, load
from server.judging import comparisons, plans, rulings
import server.pages.schemaform as schemaform
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
    return _page(200, sample=chosen, text=text, problems=None)


@bp.post("/try")
def try_case():
    """Judge the pasted request; show its ruling and the comparison, or its problems by field."""
    text = request.form.get("request", "")
    try:
        text, facts, ruling = _judged()
        compared = comparisons.compare(book(), facts, source=source(), lang=lang())
    except errors.EREJEError as e:
        return _page(422, sample="", text=text, problems=_problems(e))
    return _page(200, sample="", text=text, problems=None, ruling=ruling, compared=compared,
                 changed=_changed_rows(compared), remedies=_remedies(ruling), plan=_plan(facts, ruling))


@bp.post("/try/record")
def record():
    """Judge the request again and store the ruling as POST /v1/rulings does; go to it in the log."""
    text = request.form.get("request", "")
    try:
        text, facts, ruling = _judged()
    except errors.EREJEError as e:
        return _page(422, sample="", text=text, problems=_problems(e))
    stored = store.save_ruling(db(), ruling, facts, lang())
    return redirect(url_for("pages.log", id=stored["id"]), 303)


def _judged():
    """(text, request, ruling) of the request posted as text or as a file; EREJEError saying why not."""
    text = _text()
    facts = _loaded(text)
    return text, facts, rulings.judge(book(), facts, source=source(), lang=lang())


def _page(status, **context):
    """The try page; the edit form filled from the request text when it is a JSON object."""
    try:
        data = json.loads(context["text"] or "{}")
    except ValueError:
        data = {}
    rows = schemaform.described(RulingRequestSchema(), data)
    return page("try.html", status, samples=samples(), form=rows, **context)


def _text():
    """The request as text: pasted, or read back from the edit form (`mode=form`)."""
    if request.form.get("mode") == "form":
        data = schemaform.read_back(RulingRequestSchema(), request.form)
        return json.dumps(data, indent=2, ensure_ascii=False)
    upload = request.files.get("request_file")
    if upload is not None and upload.filename:
        # The body limit (1 MiB) already bounds it; text that is not UTF-8 is shown as the JSON error it causes.
        return upload.read().decode("utf-8", errors="replace")
    return request.form.get("request", "")


def _remedies(ruling):
    """The refusing findings not met, each with what would meet it: its explanation (worded as the remedy)."""
    return [{"requirement": f["requirement"], "title": f["title"], "status": f["status"],
             "remedy": f["explanation"]}
            for f in ruling["findings"] if f["status"] in ("unmet", "unknown") and f["effect"] == "refuse"]


def _plan(facts, ruling):
    """The planner's answer for the case as entered (POST /v1/plans), when it is not approved; None
    when the planner cannot answer (no version on the date, say): the ruling itself is still shown."""
    if ruling["outcome"] == "approve":
        return None
    asked = {k: facts[k] for k in ("application", "registry", "regulation") if k in facts}
    try:
        return plans.plan(book(), asked, horizon_days=365, source=source(), lang=lang())
    except errors.EREJEError:
        return None


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
