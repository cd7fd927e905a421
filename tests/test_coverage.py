"""`ereje test --coverage`: the statuses the cases reach, what no case exercises, the exit code."""
import re
import textwrap


from server.cli import main
from server.coverage import STATUSES

from tests.conftest import POLICIES
from tests.demo import CAP_LINE, CASES, QUOTA_LINE, demo

def coverage(runner, policies):
    return runner.invoke(main, ["test", "--coverage", str(policies)])


def test_a_missing_case_is_named_with_its_requirement_and_status(tmp_path, runner):
    policies = demo(tmp_path, "room", "full", "unpublished", "within", "over")
    res = coverage(runner, policies)
    assert res.exit_code == 1, res.output
    rules = policies / "demo" / "2025-01-01.yaml"
    assert res.output == textwrap.dedent(f"""\
        5 passed, 0 failed
        coverage of demo 2025-01-01: 5 case(s)
          requirement          met    unmet  unknown  not_applicable
          quota-available        3        1        1         missing
          seasonal-cap           1        1        -               3
          parameters no case exercises: none
          readings no case exercises: none
        {rules}:{QUOTA_LINE}: quota-available (demo 2025-01-01): no case reaches not_applicable
        coverage: 1 reachable status(es) no case reaches
        """)


def test_with_the_missing_case_every_reachable_status_is_reached(tmp_path, runner):
    res = coverage(runner, demo(tmp_path, *CASES))
    assert res.exit_code == 0, res.output
    assert "  quota-available        3        1        1               1\n" in res.output
    assert res.output.endswith("readings no case exercises: none\ncoverage: every reachable status is reached\n")


def test_a_parameter_and_a_reading_read_only_through_a_derived_fact_are_unexercised(tmp_path, runner):
    # seasonal-cap reads seasonal_cap through the derived fact over-the-cap, which cites
    # seasonal-cap-counting; not_applicable alone exercises neither.
    policies = demo(tmp_path, "room", "full", "unpublished", "transfer")
    res = coverage(runner, policies)
    assert res.exit_code == 1
    rules = policies / "demo" / "2025-01-01.yaml"
    assert ("  seasonal-cap     missing  missing        -               4\n"
            "  parameters no case exercises: seasonal_cap\n"
            "  readings no case exercises: seasonal-cap-counting\n"
            f"{rules}:{CAP_LINE}: seasonal-cap (demo 2025-01-01): no case reaches met\n"
            f"{rules}:{CAP_LINE}: seasonal-cap (demo 2025-01-01): no case reaches unmet\n"
            "coverage: 2 reachable status(es) no case reaches\n") in res.output


def test_a_failed_case_counts_the_status_it_found_not_the_one_it_expected(tmp_path, runner):
    wrong = dict(CASES["full"], expect={"findings": {"quota-available": "met"}})
    res = coverage(runner, demo(tmp_path, cases=[CASES["room"], wrong]))
    assert res.exit_code == 1
    assert "1 passed, 1 failed\n" in res.output
    assert "  quota-available        1        1  missing         missing\n" in res.output


def test_without_coverage_the_output_and_exit_code_are_unchanged(tmp_path, runner):
    res = runner.invoke(main, ["test", str(demo(tmp_path, "room", "full"))])
    assert (res.exit_code, res.output) == (0, "2 passed, 0 failed\n")


def _report_lines(output, book):
    """Check every line of a coverage report against its format; return {(version, rid): {status: cell}}."""
    lines = output.splitlines()
    assert re.fullmatch(r"\d+ passed, \d+ failed", lines.pop(0))
    versions = [v for v in book.regulations["kz-foreign-labour"].versions]
    cells, missing = {}, []
    for v in versions:
        assert re.fullmatch(rf"coverage of kz-foreign-labour {v.version}: \d+ case\(s\)", lines.pop(0))
        width = max(len("requirement"), *(len(r.id) for r in v.requirements))
        assert lines.pop(0) == "  " + "  ".join(["requirement".ljust(width), "    met", "  unmet", "unknown",
                                                 "not_applicable"])
        for r in v.requirements:
            row = lines.pop(0)
            assert row.startswith(f"  {r.id.ljust(width)}  "), row
            cells[v.version, r.id] = dict(zip(STATUSES, row.split()[1:]))
            assert all(re.fullmatch(r"\d+|missing|-", c) for c in cells[v.version, r.id].values()), row
            missing += [(v.version, r, s) for s, c in cells[v.version, r.id].items() if c == "missing"]
        assert re.fullmatch(r"  parameters no case exercises: (none|[\w, ]+)", lines.pop(0))
        assert re.fullmatch(r"  readings no case exercises: (none|[\w, -]+)", lines.pop(0))
    assert lines[:len(missing)] == [f"{r.at.file}:{r.at.line}: {r.id} (kz-foreign-labour {v}): no case reaches {s}"
                                    for v, r, s in missing]
    assert lines[len(missing):] == ([f"coverage: {len(missing)} reachable status(es) no case reaches"] if missing
                                    else ["coverage: every reachable status is reached"])
    return cells


def test_the_shipped_cases_report_every_requirement_of_every_version(book, runner):
    res = coverage(runner, POLICIES)
    cells = _report_lines(res.output, book)
    assert cells["2025-09-01", "workers-have-iin"]["unknown"] == "-"        # reads no registry
    assert cells["2025-09-01", "contracts-registered"]["not_applicable"] == "-"   # no scope
    assert cells["2025-09-01", "quota-available"]["not_applicable"] != "-"


def test_the_shipped_cases_reach_every_status_that_can_occur(runner):
    res = coverage(runner, POLICIES)
    assert res.exit_code == 0, res.output
