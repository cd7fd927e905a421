"""The `ereje` command: judge, check and test rule files, serve the API.

Exit codes: 0 success, 1 a finding (check or test failure), 2 bad usage or bad input.
"""
import json
import sys
from pathlib import Path

import click

POLICIES = Path(__file__).resolve().parents[1] / "policies"


class BadInput(click.ClickException):
    """Bad input: exit code 2, a message, never a traceback."""

    exit_code = 2


def _book(policies):
    from . import errors, rulebook
    try:
        return rulebook.load(policies)
    except errors.RuleFileError as e:
        raise BadInput(f"{e.message}\n(run `ereje check {policies}`)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ereje")
def main():
    """Ereje: regulations as versioned rule files, judged by a rule engine.

    Judge an application with `ereje rule`, check rule files with `ereje check`,
    run the legal team's cases with `ereje test`, serve the API with `ereje serve`,
    see what an amendment changes with `ereje diff` (the rules) and `ereje compare`
    (a file of applications), and simulate the registries with `ereje registries`.
    """


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json for programs, text for a person.")
@click.option("--version", "version", help="Judge under this version (e.g. 2023-07-01).")
@click.option("--as-of", "as_of", help="Judge under the version in force on this date (YYYY-MM-DD).")
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), default="en", show_default=True,
              help="Language of titles and explanations.")
@click.option("--policies", type=click.Path(file_okay=False, path_type=Path), default=POLICIES,
              show_default="the repo's policies/", help="Directory of rule files.")
def rule(file, fmt, version, as_of, lang, policies):
    """Judge the ruling request in FILE (`-` for stdin) and print the ruling.

    FILE holds a ruling request (CONTRACT section 3): {"application": {...}}, with
    optional "registry", "regulation", "version" and "as_of". Registry facts not
    given inline are read from fixtures/registries/, or from EREJE_REGISTRY_URL.
    """
    from . import errors, rulings, schemas
    try:
        doc = json.load(file)
    except json.JSONDecodeError as e:
        raise BadInput(f"{file.name}: not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{file.name}: a ruling request must be a JSON object")
    if version:
        doc["version"] = version
    if as_of:
        doc["as_of"] = as_of
    book = _book(policies)
    try:
        request = schemas.load(schemas.RulingRequestSchema(), doc)
        ruling = rulings.judge(book, request, lang=lang)
    except errors.EREJEError as e:
        fields = "".join(f"\n  {k}: {'; '.join(v)}" for k, v in e.fields.items())
        raise BadInput(f"{e.code}: {e.message}{fields}") from None
    if fmt == "json":
        click.echo(json.dumps(ruling, ensure_ascii=False, indent=2))
    else:
        click.echo(text_ruling(ruling))


def text_ruling(ruling):
    """A ruling as a person reads it."""
    mark = {"met": "✓", "unmet": "✗", "unknown": "?", "not_applicable": "–"}
    eff = ruling["effective"]
    lines = [f"{ruling['outcome'].upper()}  under {ruling['regulation']} {ruling['version']} "
             f"(in force {eff['from']} to {eff['to'] or 'now'}), judged on {ruling['judged_on']}", ""]
    for f in ruling["findings"]:
        lines.append(f"{mark[f['status']]} {f['requirement']}: {f['status'].replace('_', ' ')}"
                     f"{'' if f['effect'] == 'refuse' else ' (warning)'}")
        lines.append(f"    {f['title']}")
        lines.append(f"    {f['explanation']}")
        lines.append(f"    [{f['citation']}]")
    if ruling["missing"]:
        lines += ["", "Registries that could not be read: " + ", ".join(ruling["missing"])]
    lines += ["", f"rule set {ruling['ruleset_digest']}"]
    return "\n".join(lines)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=POLICIES, required=False)
def check(directory):
    """Check every rule file in DIRECTORY (default: the repo's policies/).

    Prints one `file:line: message` per problem and exits 1 if there is any.
    Nothing in a rule file is executed.
    """
    from . import rulebook
    book, problems = rulebook.check(directory)
    for p in problems:
        click.echo(str(p))
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    n = sum(len(r.versions) for r in book.regulations.values())
    if n == 0:
        click.echo(f"{directory}: no rule files found", err=True)
        sys.exit(1)
    click.echo(f"ok: {n} version(s) of {len(book.regulations)} regulation(s)")


@main.command("test")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=POLICIES, required=False)
@click.option("-v", "--verbose", is_flag=True, help="Print every case, not only failures.")
def test_cmd(directory, verbose):
    """Run the cases in DIRECTORY/<regulation>/tests/*.yaml against the rule files.

    Each case is judged with the registry facts it carries; a failure prints what
    was expected and what came out. Exits 1 on any failure.
    """
    from . import casebook
    book = _book(directory)
    cases, problems = casebook.collect(directory)
    for p in problems:
        click.echo(p)
    failed = 0
    for case in cases:
        res = casebook.run_case(book, case)
        if not res.ok:
            failed += 1
            click.echo(f"FAIL {case.file}:{case.line}: {case.name}")
            for p in res.problems:
                click.echo(f"     {p}")
        elif verbose:
            click.echo(f"ok   {case.name}")
    click.echo(f"{len(cases) - failed} passed, {failed} failed")
    if failed or problems or not cases:
        sys.exit(1)

from adapters.simulator import registries as _registries  # noqa: E402
main.add_command(_registries)

from server.serving import serve_command as _serve  # noqa: E402
main.add_command(_serve)

from server.diff import diff_command as _diff  # noqa: E402
main.add_command(_diff)
from server.batch import compare_command as _compare  # noqa: E402
main.add_command(_compare)
