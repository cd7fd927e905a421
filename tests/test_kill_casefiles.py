"""Case files the mutation run found unchecked (docs/mutation.md): where a set/remove problem is
reported, and the registries a case leaves readable when it makes another one unavailable."""
import textwrap

import adapters
from adapters import Query
from server.judging import cases

QUERY = Query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")


def test_a_set_that_cannot_be_applied_is_a_problem_at_its_file_and_line(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(textwrap.dedent("""\
        defaults:
          application: {submitted_on: 2025-09-16}
        cases:
          - name: A date is not a mapping.
            set: {application.submitted_on.day: 3}
            expect: {outcome: grant}
    """), encoding="utf-8")
    found, problems = cases.load_file(path)
    assert found == []
    assert [(p.file, p.line) for p in problems] == [(str(path), 4)]
    assert problems[0].message.startswith("cannot apply set/remove: ")


class _Answers(adapters.Source):
    """Answers every registry with its own name, so that what was asked can be seen."""

    def fetch(self, registry, query):
        return {"asked": registry, "employer": query.employer_bin}, {"source": "answers"}


def test_a_registry_a_case_leaves_readable_is_read_from_the_source():
    source = cases.Unreadable(["quota"], _Answers())
    assert source.fetch("offences", QUERY) == ({"asked": "offences", "employer": "150540000106"},
                                              {"source": "answers"})
