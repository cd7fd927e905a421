"""`ereje plan FILE`: the earliest date on which a request would be approved, and the actions still needed."""
import json
from pathlib import Path

import click

from server import errors, messages
from server.cli.common import LANGUAGE, POLICIES, BadInput, load_book
from server.contract import request as schemas
from server.judging import plans

MARK = {"met": "✓", "unmet": "✗", "unknown": "?", "not_applicable": "–"}


@click.command("plan")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--horizon", type=click.IntRange(1, 366), default=None,
              help="Days after the planned date to look through (default: the file's horizon_days, else 365).")
@click.option("--lang", type=LANGUAGE, default="en", show_default=True, help="Language of titles and explanations.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json for programs, text for a person.")
@click.option("--policies", type=click.Path(file_okay=False, path_type=Path), default=POLICIES,
              show_default="the repo's policies/", help="Directory of rule files.")
def plan_command(file, horizon, lang, fmt, policies):
    """The earliest date on which the request in FILE (`-` for stdin) would be approved.

    FILE holds a ruling request (CONTRACT section 3) whose submitted_on is the planned
    filing date (default today, UTC), with optional "registry", "regulation" and
    "horizon_days". Each date is judged under the version in force on it; nothing is stored.
    """
    try:
        doc = json.load(file)
    except json.JSONDecodeError as e:
        raise BadInput(f"{file.name}: not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{file.name}: a ruling request must be a JSON object")
    if horizon is not None:
        doc["horizon_days"] = horizon
    book = load_book(policies)
    try:
        request = schemas.load(schemas.PlanRequestSchema(), doc)
        days = request.pop("horizon_days")
        found = plans.plan(book, request, horizon_days=days, lang=lang)
    except errors.EREJEError as e:
        fields = "".join(f"\n  {k}: {'; '.join(v)}" for k, v in e.fields.items())
        raise BadInput(f"{e.code}: {e.message}{fields}") from None
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if fmt == "json" else text_plan(found))


def text_plan(found):
    """A plan as a person reads it, in the plan's language (server/messages.py)."""
    lang = found["language"]

    def say(key, **values):
        return messages.say(f"plan.{key}", lang, **values)

    def day(iso):
        return messages.date(iso, lang)

    ruling = found["ruling"]
    head = (say("earliest", day=day(found["earliest"]), regulation=ruling["regulation"], version=found["version"])
            if found["earliest"] else say("none"))
    lines = [head, say("planned", planned=day(found["planned_on"]), start=day(found["horizon"]["from"]),
                       end=day(found["horizon"]["to"])), ""]
    if found["reason"]:
        lines += [found["reason"], ""]
    if found["deciding"]:
        lines.append(say("deciding"))
        for f in found["deciding"]:
            lines += [f"  {MARK[f['status']]} {f['requirement']}: {f['title']}", f"      {f['explanation']}"]
        lines.append("")
    if found["actions"]:
        lines.append(say("actions"))
        for a in found["actions"]:
            lines += [f"  - {a['requirement']}: {a['title']}", f"      {a['explanation']}"]
        lines.append("")
    lines.append(say("outcome", day=day(ruling["judged_on"]), outcome=messages.name("outcome", ruling["outcome"], lang)))
    for f in ruling["findings"]:
        lines.append(f"  {MARK[f['status']]} {f['requirement']}: {messages.name('status', f['status'], lang)}")
    return "\n".join(lines)
