"""A pytest plugin: each case in policies/<regulation>/tests/*.yaml is one test item.

The repo's tests load it with `-p server.judging.caseplugin` (pyproject.toml) and
`ereje test` runs it through pytest.main, so both judge the same cases the same way.
A failure shows the case's file:line, then what it expected and what came out:
the outcome, the version and every requirement's status side by side.
"""
from pathlib import Path

import pytest

from server import errors
from server.engine import runner as engine
from server.judging import cases as casebook
from server.rules import rulebook

_books = {}   # policies directory -> its rulebook, registered with this process's engine


def pytest_collect_file(file_path, parent):
    if casebook.is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def book_for(directory):
    """The rulebook under `directory`, loaded and registered once per process."""
    directory = Path(directory).resolve()
    if directory not in _books:
        book = rulebook.load(directory)
        engine.register_all(book)
        _books[directory] = book
    return _books[directory]


class CaseFailed(Exception):
    """A case whose ruling differs from what it expects."""

    def __init__(self, result):
        super().__init__(result.case.name)
        self.result = result


class CaseFile(pytest.File):
    """One case file: a test item per case, and a failing item per case that cannot be read."""

    def collect(self):
        try:
            book_for(casebook.rules_directory(self.path))
        except errors.RuleFileError as e:
            raise self.CollectError(e.message) from None
        cases, problems = casebook.load_file(self.path)
        for problem in problems:
            yield MalformedCase.from_parent(self, name=f"line {problem.line}", problem=problem)
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One case, named by its sentence; judged against the rule files beside its folder."""

    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.result = None   # casebook.Result, once run

    def runtest(self):
        result = casebook.run_case(book_for(casebook.rules_directory(self.path)), self.case)
        self.result = result   # kept for `ereje test --coverage`, which reads every ruling found
        if not result.ok:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            lines = casebook.explain(excinfo.value.result)
            return "\n".join([f"{self.case.file}:{self.case.line}: {self.case.name}", *lines])
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"case: {self.case.name}"


class MalformedCase(pytest.Item):
    """A case entry that cannot be read: fails with its file:line and the reason."""

    def __init__(self, *, problem, **kwargs):
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self):
        pytest.fail(str(self.problem), pytrace=False)

    def reportinfo(self):
        return self.path, self.problem.line - 1, str(self.problem)
