"""`ereje check` refuses what the engine cannot run, naming the count and the limit, and passes what
sits exactly at a limit (server/engine/limits.py). No clock here: the mutation run (bench/mutation.sh)
needs these to hold however slowly it runs."""
import shutil

import pytest
from click.testing import CliRunner

from server.cli import main
from server.engine import compile as compiler
from server.rules import rulebook

from .conftest import POLICIES

AMENDMENT = "2025-09-01.yaml"
PROBE = """    - id: {id}
      title: {{en: Probe, ru: Проба, kk: Сынама}}
      citation: {{en: Order No. 93 probe, ru: Приказ № 93 проба, kk: № 93 бұйрық сынамасы}}
      condition: >-
        {expression}
      effect: warn
      explain:
        met: {{en: m, ru: m, kk: m}}
        unmet: {{en: u, ru: u, kk: u}}
        unknown: {{en: k, ru: k, kk: k}}
"""


def _policies(tmp_path, *expressions):
    """A copy of the shipped policies whose amendment adds requirements probe, probe-1, ...: (directory, text)."""
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    path = dst / "kz-foreign-labour" / AMENDMENT
    probes = "".join(PROBE.format(id="probe" if i == 0 else f"probe-{i}", expression=e)
                     for i, e in enumerate(expressions))
    text = path.read_text(encoding="utf-8").replace("requirements:\n  add:\n", "requirements:\n  add:\n" + probes, 1)
    path.write_text(text, encoding="utf-8")
    return dst, text


def _check(directory):
    return CliRunner().invoke(main, ["check", str(directory)])


def _and(template, n, start=0):
    return " and ".join(template.format(i=i) for i in range(start, start + n))


REFUSED = [
    ("61 conditions side by side", [_and("application.headcount > {i}", 61, 1000)],
     "the version's conditions on 'application' could hold 85 ways side by side (at most 48), most of them here; "
     "join alternatives with 'in [...]' or split the condition into derived facts"),
    ("25 conditions side by side, one over", [_and("application.headcount > {i}", 25, 1000)],
     "the version's conditions on 'application' could hold 49 ways side by side (at most 48), most of them here; "
     "join alternatives with 'in [...]' or split the condition into derived facts"),
    ("9 facts matched together", [_and('any(c{i}.number != "X{i}" for c{i} in contracts)', 7)],
     "one of its conditions matches 9 facts together; at most 8 "
     "(the stage, the application and the any(...) that must hold at once)"),
    ("25 comparisons with another fact", [_and("quota.remaining >= application.workers_requested - {i}", 25)],
     "one condition compares 'quota' with other facts 25 times (at most 24)"),
    ("326 rules, the most at the first probe",
     [" or ".join(f"application.headcount == {1000 + i}" for i in range(60))] * 4,
     "the version compiles to 326 engine rules (at most 200), 61 of them for this entry; simplify its conditions"),
]


@pytest.mark.parametrize("expressions,message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_version_past_an_engine_limit_is_refused_at_its_entry_with_the_count(tmp_path, expressions, message):
    directory, text = _policies(tmp_path, *expressions)
    res = _check(directory)
    line = text.splitlines().index("    - id: probe") + 1
    assert res.exit_code == 1, res.output
    problems = [ln for ln in res.output.splitlines() if ":" in ln and not ln.startswith("ok")]
    assert problems == [f"{directory / 'kz-foreign-labour' / AMENDMENT}:{line}: "
                        f"'probe' cannot be compiled for the engine: {message}"]


def test_a_version_at_every_engine_limit_passes_check(tmp_path):
    # 21 more conditions on the application (48 side by side with the shipped ones), 24 comparisons
    # with another fact, 8 facts matched together: each exactly at its limit.
    directory, _ = _policies(
        tmp_path,
        _and("application.headcount > {i}", 21, 1000),
        _and("quota.remaining >= application.workers_requested - {i}", 24),
        _and('any(c{i}.number != "X{i}" for c{i} in contracts)', 6))
    res = _check(directory)
    assert res.exit_code == 0, res.output
    book, problems = rulebook.check(directory)
    assert problems == [] and compiler.problems(book) == []


def test_24_more_conditions_side_by_side_pass_check(tmp_path):
    directory, _ = _policies(tmp_path, _and("application.headcount > {i}", 24, 1000))
    res = _check(directory)
    assert (res.exit_code, res.output) == (0, "ok: 2 version(s) of 1 regulation(s)\n")


@pytest.mark.parametrize("alternative,problem", [
    # `region == a or region == b ...` holds one way at a time: it counts once
    ('application.region == "R{i}"', None),
    # `headcount > a or headcount > b ...` can hold all 30 ways at once
    ("application.headcount > {i}", "the version's conditions on 'application' could hold 75 ways side by side "
                                    "(at most 48), most of them here; join alternatives with 'in [...]' or split "
                                    "the condition into derived facts"),
], ids=["equalities", "comparisons"])
def test_alternatives_count_side_by_side_unless_they_exclude_each_other(tmp_path, alternative, problem):
    either = " or ".join(alternative.format(i=i) for i in range(30))
    directory, text = _policies(tmp_path, f"({either}) and " + _and("application.headcount > {i}", 21, 1000))
    res = _check(directory)
    line = text.splitlines().index("    - id: probe") + 1
    expected = [f"{directory / 'kz-foreign-labour' / AMENDMENT}:{line}: 'probe' cannot be compiled for the engine: "
                f"{problem}", "1 problem(s)"] if problem else ["ok: 2 version(s) of 1 regulation(s)"]
    assert (res.exit_code, res.output.splitlines()) == (1 if problem else 0, expected)
