"""`ereje check` and `ereje test`: the legal team's gate and cases for rule files."""
import sys
from pathlib import Path

import click

from server.cli.common import POLICIES, load_book
from server.engine import compile as compiler
from server.judging import cases as casebook
from server.rules import rulebook


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=POLICIES, required=False)
def check(directory):
    """Check every rule file in DIRECTORY (default: the repo's policies/).

    Prints one `file:line: message` per problem and exits 1 if there is any.
    Nothing in a rule file is executed.
    """
    book, problems = rulebook.check(directory)
    problems = problems or compiler.problems(book)
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


@click.command("test")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=POLICIES, required=False)
@click.option("-v", "--verbose", is_flag=True, help="Print every case, not only failures.")
def test_cmd(directory, verbose):
    """Run the cases in DIRECTORY/<regulation>/tests/*.yaml against the rule files.

    Each case is judged with the registry facts it carries; a failure prints what
    was expected and what came out. Exits 1 on any failure.
    """
    book = load_book(directory)
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
