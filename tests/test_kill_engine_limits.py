"""A fact at the engine's limit of 100 fields passes `ereje check`; the fields a derived fact's
condition reads count towards it. The probe is a derived fact whose condition reads
`application.permit_issued_on` shifted by 0..n-1 months (each shift is a field sent to the
engine) beside a requirement reading it; with the shipped rules' own reads of the application,
n = 74 brings the application to exactly 100 fields and n = 90 to 106."""
from .test_rule_limits import AMENDMENT, _check, _line, _problems, _with_requirement


def _with_shifts(tmp_path, n):
    directory, _ = _with_requirement(tmp_path, "probe_shifts.applies")
    path = directory / "kz-foreign-labour" / AMENDMENT
    text = path.read_text(encoding="utf-8")
    shifts = " and ".join(f"application.submitted_on >= application.permit_issued_on + months({i})" for i in range(n))
    derivation = f"    - id: probe-shifts\n      fact: probe_shifts\n      when: >-\n        {shifts}\n" \
                 "      set:\n        applies: true\n"
    at = text.index("  add:\n", text.index("derive:\n")) + len("  add:\n")
    text = text[:at] + derivation + text[at:]
    path.write_text(text, encoding="utf-8")
    return directory, text


def test_a_fact_with_exactly_100_fields_passes_check(tmp_path):
    directory, _ = _with_shifts(tmp_path, 74)
    res = _check(directory)
    assert (res.exit_code, res.output) == (0, "ok: 2 version(s) of 1 regulation(s)\n")


def test_the_fields_a_derived_facts_condition_reads_count_towards_the_limit(tmp_path):
    directory, text = _with_shifts(tmp_path, 90)
    res = _check(directory)
    assert res.exit_code == 1, res.output
    where = f"{directory / 'kz-foreign-labour' / AMENDMENT}:{_line(text, '    - id: probe-shifts')}: "
    assert _problems(res) == [where + "'probe-shifts' cannot be compiled for the engine: "
                                      "'application' would have 106 fields (at most 100)"]
