"""A fact at the engine's limit of 100 fields passes `ereje check`; the fields a derived fact's
condition reads count towards it. The probe is a derived fact whose condition reads
`application.permit_issued_on` shifted by 0..n-1 months (each shift is a field sent to the
engine) beside a requirement reading it; with the shipped rules' own reads of the application,
n = 74 brings the application to exactly 100 fields and n = 90 to 106."""
from .test_rule_limits import AMENDMENT, _check, _line, _problems, _with_requirement


def _with_shifts(tmp_path, n, condition="probe_shifts.applies"):
    directory, _ = _with_requirement(tmp_path, condition)
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


def _with_derived(tmp_path, derivation, condition):
    directory, _ = _with_requirement(tmp_path, condition)
    path = directory / "kz-foreign-labour" / AMENDMENT
    text = path.read_text(encoding="utf-8")
    at = text.index("  add:\n", text.index("derive:\n")) + len("  add:\n")
    text = text[:at] + derivation + text[at:]
    path.write_text(text, encoding="utf-8")
    return directory, text


def _sets(n):
    return "      set:\n" + "".join(f"        f{i}: {i}\n" for i in range(n))


def test_a_derived_fact_given_exactly_100_fields_passes_check(tmp_path):
    derivation = "    - id: probe-many\n      fact: probe_many\n      when: application.small_business\n" + _sets(100)
    directory, _ = _with_derived(tmp_path, derivation, "probe_many.f99 > 0")
    res = _check(directory)
    assert (res.exit_code, res.output) == (0, "ok: 2 version(s) of 1 regulation(s)\n")


def test_a_value_derivation_for_each_element_counts_its_value_and_element_fields(tmp_path):
    # 99 fields given, and the `value` and `of` every fact of a `for_each` derivation carries: 101.
    derivation = "    - id: probe-each\n      fact: probe_each\n      for_each: worker in workers\n" \
                 "      value: worker.has_iin\n" + _sets(99)
    directory, text = _with_derived(tmp_path, derivation, "all(k.value for k in probe_eachs)")
    res = _check(directory)
    assert res.exit_code == 1, res.output
    where = f"{directory / 'kz-foreign-labour' / AMENDMENT}:{_line(text, '    - id: probe-each')}: "
    assert _problems(res) == [where + "'probe-each' cannot be compiled for the engine: "
                                      "'probe_each' would have 101 fields (at most 100)"]
    # 98 given: 100, whether or not a requirement reads the element's id
    res = _check(_with_derived(tmp_path / "98", derivation.replace("        f98: 98\n", ""),
                               'all(k.value and k.of != "" for k in probe_eachs)')[0])
    assert (res.exit_code, res.output) == (0, "ok: 2 version(s) of 1 regulation(s)\n")



def test_the_fields_a_requirement_reads_count_towards_the_limit(tmp_path):
    # 100 fields of the application, as above, and one more read by the requirement alone.
    directory, text = _with_shifts(tmp_path, 74, "probe_shifts.applies and "
                                   "application.submitted_on >= application.permit_issued_on + months(200)")
    res = _check(directory)
    assert res.exit_code == 1, res.output
    # reported at the entry whose reads bring the application past 100: the last to read a new field of it
    where = f"{directory / 'kz-foreign-labour' / AMENDMENT}:{_line(text, '    - id: foreign-workers-listed')}: "
    assert _problems(res) == [where + "'foreign-workers-listed' cannot be compiled for the engine: "
                                      "'application' would have 101 fields (at most 100)"]
