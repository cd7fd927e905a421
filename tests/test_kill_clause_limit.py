"""A condition exactly at the engine's limit of 64 ways passes `ereje check` (one more way is refused,
tests/test_rule_limits.py); the mutation run found the limit itself unchecked."""
from .test_rule_limits import _check, _with_requirement


def test_a_condition_that_holds_in_exactly_64_ways_passes_check(tmp_path):
    six_pairs = " and ".join(f"(application.headcount > {i} or application.small_business)" for i in range(6))
    directory, _ = _with_requirement(tmp_path, six_pairs)
    res = _check(directory)
    assert res.exit_code == 0, res.output
