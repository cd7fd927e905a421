"""Comparison reports: a file of applications judged under every version, as `ereje compare --report`.

The file is read by server.batch.inputs and judged by server.batch.run in this
process (jobs=1); its summary is the one `ereje compare --format json` prints.
Nothing is stored.
"""
import io
import threading
from pathlib import PurePath

from flask import abort, request

from server.api.common import book
from server.batch import report
from server.batch.inputs import InputError, read_items
from server.batch.run import Summary, run
from server.pages.drafts import bounded
from server.pages.savedreports import saved_reports
from server.pages.site import bp, lang, page

REPORT_LIMIT = 2 * 1024 * 1024   # bytes of an uploaded file (the server's body limit may be lower)
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
# batch.run keeps the book it judges with in module state: one upload at a time.
_JUDGING = threading.Lock()


@bp.get("/reports")
def reports_form():
    return page("reports.html", regulations=sorted(book().regulations), regulation=book().default_regulation, s=None,
                saved=saved_reports())


@bp.post("/reports")
def reports_run():
    """Judge the uploaded file; the summary in the page, or the whole report when asked."""
    regulation = request.form.get("regulation", "")
    if regulation not in book().regulations:
        abort(422, f"Choose one of the regulations: {', '.join(sorted(book().regulations))}.")
    upload = request.files.get("applications")
    data = bounded(upload, REPORT_LIMIT, "The file of applications")
    if not data:
        abort(422, "Choose a file of applications to upload (JSON array, JSON Lines or CSV).")
    s = summarised(data, upload.filename, regulation)
    if request.form.get("as") == "report":
        return report.render(s), 200, {"Content-Type": "text/html; charset=utf-8"}
    return page("reports.html", regulations=sorted(book().regulations), regulation=regulation, s=s,
                outcomes=["approve", "refuse", "undetermined"], saved=saved_reports())


def summarised(data, filename, regulation):
    """Summary.as_dict() of the file, every version of `regulation` in order; 422 if unreadable."""
    name = PurePath(filename or "upload").name
    raw = io.BytesIO(data)
    raw.name = name
    versions = [v.version for v in book().regulation(regulation).versions]
    summary = Summary(regulation, versions, name)
    try:
        with _JUDGING:
            items = read_items(raw, FORMATS.get(PurePath(name).suffix.lower()))
            for result in run(items, policies=book().directory, regulation=regulation, versions=versions,
                              lang=lang(), jobs=1):
                summary.add(result)
    except InputError as e:
        abort(422, str(e))
    return summary.as_dict()
