"""Reports produced on the command line (`ereje compare --report`): listed from a directory and
served by name, or uploaded and shown.

The directory is EREJE_REPORTS_DIR, else ./reports when it exists. A report is served only
under a name the listing holds, so no name a user makes up ("..", a path) reaches the disk.
A report is shown with a policy that lets it run nothing and load nothing from anywhere.
"""
import os
from pathlib import Path

from flask import abort, request

from server.pages.drafts import bounded
from server.pages.site import bp

REPORTS_ENV = "EREJE_REPORTS_DIR"
SHOWN_LIMIT = 8 * 1024 * 1024   # bytes of an uploaded report
# A report is a document to read: no script, no form, nothing fetched; its own styles only.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def reports_dir():
    """The directory of command-line reports, or None when there is none."""
    given = os.environ.get(REPORTS_ENV)
    found = Path(given) if given else Path("reports")
    return found if found.is_dir() else None


def saved_reports():
    """Names of the HTML reports in the directory, sorted; [] without one."""
    where = reports_dir()
    if where is None:
        return []
    return sorted(p.name for p in where.iterdir() if p.suffix.lower() in (".html", ".htm") and p.is_file())


@bp.get("/reports/saved/<name>")
def saved_report(name):
    """One report of the directory, by a name the listing holds."""
    if name not in saved_reports():
        abort(404, f"No report named {name!r} in the reports directory.")
    return _shown((reports_dir() / name).read_bytes())


@bp.post("/reports/open")
def open_report():
    """An uploaded report file, shown as it is."""
    data = bounded(request.files.get("report"), SHOWN_LIMIT, "The report")
    if not data:
        abort(422, "Choose a report file (an HTML file written by `ereje compare --report`).")
    return _shown(data)


def _shown(data):
    return data, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": REPORT_POLICY}
