"""`ereje rule FILE`: judge one ruling request and print the ruling."""
import json
from pathlib import Path

import click

from server import errors, fieldwords, messages
from server.cli.common import LANGUAGE, POLICIES, BadInput, load_book
from server.contract import jsonbody
from server.contract import request as schemas
from server.judging import rulings


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json for programs, text for a person.")
@click.option("--version", "version", help="Judge under this version (e.g. 2023-07-01).")
@click.option("--as-of", "as_of", help="Judge under the version in force on this date (YYYY-MM-DD).")
@click.option("--lang", type=LANGUAGE, default="en", show_default=True,
              help="Language of titles and explanations.")
@click.option("--policies", type=click.Path(file_okay=False, path_type=Path), default=POLICIES,
              show_default="the repo's policies/", help="Directory of rule files.")
def rule(file, fmt, version, as_of, lang, policies):
    """Judge the ruling request in FILE (`-` for stdin) and print the ruling.

    FILE holds a ruling request (CONTRACT section 3): {"application": {...}}, with
    optional "registry", "regulation", "version" and "as_of". Registry facts not
    given inline are read from fixtures/registries/, or from EREJE_REGISTRY_URL.
    """
    try:
        doc = jsonbody.loads(file.read())
    except (ValueError, RecursionError) as e:  # RecursionError: absurd nesting
        raise BadInput(f"{file.name}: not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{file.name}: a ruling request must be a JSON object")
    if version:
        doc["version"] = version
    if as_of:
        doc["as_of"] = as_of
    book = load_book(policies)
    try:
        request = schemas.load(schemas.RulingRequestSchema(), doc)
        ruling = rulings.judge(book, request, lang=lang)
    except errors.EREJEError as e:
        fields = "".join(f"\n  {k}: {'; '.join(v)}" for k, v in fieldwords.field_messages(e.fields, lang).items())
        raise BadInput(f"{e.code}: {messages.error(e.code, lang, e.message)}{fields}") from None
    if fmt == "json":
        click.echo(json.dumps(ruling, ensure_ascii=False, indent=2))
    else:
        click.echo(text_ruling(ruling))


def text_ruling(ruling):
    """A ruling as a person reads it, in the ruling's language (server/messages.py)."""
    lang = ruling.get("language", "en")
    mark = {"met": "✓", "unmet": "✗", "unknown": "?", "not_applicable": "–"}
    eff = ruling["effective"]
    start, end = messages.date(eff["from"], lang), messages.date(eff["to"], lang)
    in_force = (messages.say("rule.in_force", lang, start=start, end=end) if eff["to"]
                else messages.say("rule.in_force_open", lang, start=start))
    lines = [messages.say("rule.head", lang, outcome=messages.name("outcome", ruling["outcome"], lang).upper(),
                          regulation=ruling["regulation"], version=ruling["version"], in_force=in_force,
                          day=messages.date(ruling["judged_on"], lang)), ""]
    warning = f" ({messages.say('rule.warning', lang)})"
    for f in ruling["findings"]:
        lines.append(f"{mark[f['status']]} {f['requirement']}: {messages.name('status', f['status'], lang)}"
                     f"{'' if f['effect'] == 'refuse' else warning}")
        lines.append(f"    {f['title']}")
        lines.append(f"    {f['explanation']}")
        lines.append(f"    [{f['citation']}]")
    if ruling["missing"]:
        registries = ", ".join(messages.name("registry", r, lang) for r in ruling["missing"])
        lines += ["", messages.say("rule.missing", lang, registries=registries)]
    lines += ["", messages.say("rule.digest", lang, digest=ruling["ruleset_digest"])]
    return "\n".join(lines)
