"""`ereje check` and `ereje test`: the legal team's gate and cases for rule files."""
import os
import sys
from pathlib import Path

import click
import pytest

from server import coverage
from server.cli.common import POLICIES, load_book
from server.engine import compile as compiler
from server.cli.common import BadInput
from server.judging import caseplugin, mutants
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
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Then print, per requirement, the statuses the cases reach, and the parameters and "
                   "readings no case exercises; exit 1 also when a status that can occur is not reached.")
@click.option("--mutants", "run_mutants", is_flag=True,
              help="Instead, change the rule files one thing at a time and report each change no case "
                   "notices (file:line, the change, the requirement, a case that would notice it).")
@click.option("--strict", is_flag=True, help="With --mutants: exit 1 when any mutant survives.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="With --mutants: worker processes (default: the number of CPUs; 1 judges in this process).")
def test_cmd(directory, verbose, show_coverage, run_mutants, strict, jobs):
    """Run the cases in DIRECTORY/<regulation>/tests/*.yaml against the rule files.

    Each case is judged with the registry facts it carries; a failure prints what
    was expected and what came out. Exits 1 on any failure. The cases run through
    pytest with the same plugin as the repo's tests (server/judging/caseplugin.py).
    """
    book = load_book(directory, register=False)   # rule files that do not load are bad input (exit 2)
    if run_mutants:
        return _mutants(directory, book, verbose, strict, jobs)
    report = CaseReport(verbose)
    # Only the cases under DIRECTORY: no ini file, conftest, cache or output capture of its own.
    code = pytest.main([str(directory), "-c", os.devnull, "--rootdir", str(directory), "--noconftest",
                        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:python",
                        "--capture=no", "--assert=plain"], plugins=[caseplugin, report])
    click.echo(f"{report.passed} passed, {report.failed} failed")
    uncovered = False
    if show_coverage:
        reached = coverage.coverage(book, report.rulings)
        click.echo("\n".join(coverage.render(reached)))
        uncovered = any(vc.missing for vc in reached)
    if code != pytest.ExitCode.OK or report.failed or report.problems or not report.passed or uncovered:
        sys.exit(1)


def _mutants(directory, book, verbose, strict, jobs):
    """`ereje test --mutants`: every survivor with its requirement and a suggested case, then the summary."""
    if not any(reg.versions for reg in book.regulations.values()):
        raise BadInput(f"{directory}: no rule files found")
    if not any(cases for _, cases in mutants.cases_under(directory)):
        raise BadInput(f"{directory}: no cases found (policies/<regulation>/tests/*.yaml)")
    try:
        verdicts = mutants.run(directory, jobs or os.cpu_count() or 1)
    except mutants.CasesFail as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    for v in verdicts:
        if v.status == "survived":
            click.echo(f"SURVIVED {v.mutant.file}:{v.mutant.line}: {v.mutant.change}\n"
                       f"  ({v.mutant.operator} in {v.mutant.entry}; requirement: {', '.join(v.mutant.requirements)})\n"
                       f"{v.suggestion.rstrip()}")
        elif verbose:
            click.echo(f"{v.status:<8} {v.mutant.file}:{v.mutant.line}: {v.mutant.change}"
                       + (f"\n         by {v.by}" if v.by else ""))
    count = {s: sum(1 for v in verdicts if v.status == s) for s in ("killed", "survived", "refused", "equivalent")}
    click.echo(f"{len(verdicts)} mutants, {count['killed']} killed, {count['survived']} survived, "
               f"{count['refused']} refused by check, {count['equivalent']} equivalent (no version's rules change)")
    if strict and count["survived"]:
        sys.exit(1)


class CaseReport:
    """A pytest plugin for `ereje test`: prints each failed case (and each case with -v) as it runs."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.items = {}
        self.passed = self.failed = self.problems = 0
        self.rulings = []   # every ruling a case came to, passed or failed (for --coverage)

    def pytest_collection_modifyitems(self, items):
        self.items = {item.nodeid: item for item in items}

    def pytest_collectreport(self, report):
        if report.failed:
            self.problems += 1
            click.echo(report.longreprtext)

    def pytest_runtest_logreport(self, report):
        item = self.items.get(report.nodeid)
        if report.when != "call" and not report.failed:
            return
        if not isinstance(item, caseplugin.CaseItem):
            if report.failed:   # a case entry that cannot be read: file:line: why
                self.problems += 1
                click.echo(report.longreprtext)
            return
        if item.result is not None and item.result.ruling is not None:
            self.rulings.append(item.result.ruling)
        if report.failed:
            self.failed += 1
            head, *lines = report.longreprtext.splitlines()
            click.echo(f"FAIL {head}")
            for line in lines:
                click.echo(f"     {line}")
        else:
            self.passed += 1
            if self.verbose:
                click.echo(f"ok   {item.case.name}")
