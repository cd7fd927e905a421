"""Mutation run of the rule engine, judging and adapter modules with mutmut (docs/mutation.md).

    pip install -e '.[test,mutation]'
    python bench/mutation.py run                      # every mutant ([tool.mutmut] in pyproject.toml)
    python bench/mutation.py run 'server.engine.*'    # the mutants of some modules (mutmut's name globs)
    python bench/mutation.py sample 10                # every 10th mutant of each module (an estimate)
    python bench/mutation.py report                   # the score per module and the survivors, from mutants/

Not part of CI: a full run takes hours on two shared cores. `run` works under `nice -n 10` with two
mutmut workers; a run stopped midway keeps its verdicts in mutants/ and the next `run` goes on from there.
"""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# mutmut's exit codes per verdict (mutmut/stats.py): a kill is a failing test, a timeout or a crash.
KILLED = {1, 3, 24, -24, 152, 255, 36, -11, -9, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
# Functions that run once per process, before any test (a schema class built at import, the one
# HTTP session): mutmut switches a mutant on while a test runs, so these mutants are never active.
# They are reported apart, outside the score (docs/mutation.md).
ONCE_PER_PROCESS = ("adapters.records.x__family__", "adapters.sources.http.x__new_session__",
                    "adapters.fields.xǁCountǁ__init__", "adapters.fields.xǁIsoDateǁ__init__")


def run(globs):
    """mutmut run, niced, two workers; the same globs select the mutants of some modules only."""
    cmd = ["nice", "-n", "10", sys.executable, __file__, "mutmut", "run", "--max-children",
           os.environ.get("MUTATION_WORKERS", "2"), *globs]
    return subprocess.call(cmd, cwd=ROOT)


# A mutant's tests run in these stages, fastest first: collecting a test file costs more than most
# tests in it (all 473 tests that reach server.judging.facts.build: 5.6 s to collect, the fastest 10:
# 0.8 s), and a mutant that is killed is nearly always killed by one of its first tests.
STAGES = (10, 60)


def mutmut_fastest_tests_first(args):
    """mutmut's command line, with each mutant's tests run fastest first, in stages.

    mutmut's fork runner sorts a mutant's tests by their measured duration; its fork server (which
    this project needs, pyproject.toml) sends them in set order and collects them all at once. A
    mutant stops at its first failing test (-x) either way: the order and the stages decide how long
    a kill takes, never whether it happens (every test still runs for a mutant that survives)."""
    # Imported here: only this subcommand needs mutmut installed (the mutation extra).
    from mutmut.__main__ import cli, state  # only with the mutation extra
    from mutmut.runners.harness import PytestRunner  # only with the mutation extra
    from mutmut.workers.isolation import ForkServerRunner  # only with the mutation extra

    submit, run_tests = ForkServerRunner.submit, PytestRunner.run_tests

    def submit_sorted(self, mutant_name, tests, cpu_time_limit, estimated_time):
        tests = sorted(tests, key=lambda name: (state().duration_by_test.get(name, 0.0), name))
        return submit(self, mutant_name, tests, cpu_time_limit, estimated_time)

    def run_in_stages(self, *, mutant_name, tests):
        tests = list(tests)
        if mutant_name is None or len(tests) <= STAGES[0]:
            return run_tests(self, mutant_name=mutant_name, tests=tests)
        codes = []
        for start, end in zip((0, *STAGES), (*STAGES, len(tests))):
            if start < len(tests):
                codes.append(run_tests(self, mutant_name=mutant_name, tests=tests[start:end]))
                if codes[-1] not in (0, 5):   # 5: pytest collected none of this stage's tests
                    return codes[-1]
        return 0 if 0 in codes else 5

    ForkServerRunner.submit, PytestRunner.run_tests = submit_sorted, run_in_stages
    return cli.main(args=args, prog_name="mutmut")


def generate():
    """Write mutants/ (mutmut's first step of a run) so that a sample can be drawn from its names."""
    code = ("from mutmut.__main__ import copy_src_dir, copy_also_copy_files, setup_source_paths, create_mutants\n"
            "copy_src_dir(); copy_also_copy_files(); setup_source_paths(); create_mutants(2)")
    subprocess.check_call(["nice", "-n", "10", sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL)


def sample(every):
    """Every `every`-th mutant of each module, by name: a deterministic, evenly spread estimate."""
    if not (ROOT / "mutants").is_dir():
        generate()
    names = [name for codes in verdicts().values() for name in sorted(codes)[::every]]
    return run(names)


def verdicts():
    """{module path: {mutant name: exit code or None}} from mutmut's mutants/**/*.py.meta."""
    out = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            out[meta.relative_to(ROOT / "mutants").as_posix()[:-len(".meta")]] = codes
    return out


def tally(codes):
    c = Counter()
    for name, code in codes.items():
        c["once" if name.startswith(ONCE_PER_PROCESS) else "not run" if code is None else "killed" if code in KILLED else "survived" if code in SURVIVED
          else "no tests" if code in NO_TESTS else "other"] += 1
    return c


def report():
    """Per module: mutants, run, killed, survived, no tests, score (killed / run); then the survivors.

    `once`: mutants of the ONCE_PER_PROCESS functions, never active in a test, left out of `run`."""
    rows, total = [], Counter()
    by_module = verdicts()
    for module, codes in by_module.items():
        c = tally(codes)
        total.update(c)
        rows.append((module, c))
    print(f"{'module':<36} {'mutants':>7} {'run':>5} {'killed':>6} {'surv':>5} {'none':>5} {'once':>5} {'score':>6}")
    for module, c in rows + [("total", total)]:
        ran = sum(c.values()) - c["not run"] - c["once"]
        score = f"{100 * c['killed'] / ran:5.1f}%" if ran else "    -"
        print(f"{module:<36} {sum(c.values()):>7} {ran:>5} {c['killed']:>6} {c['survived']:>5} "
              f"{c['no tests']:>5} {c['once']:>5} {score:>6}")
    print("\nsurvivors (and mutants no test reaches):")
    for module, codes in by_module.items():
        for name, code in sorted(codes.items()):
            if (code in SURVIVED or code in NO_TESTS) and not name.startswith(ONCE_PER_PROCESS):
                print(f"  {'survived' if code in SURVIVED else 'no tests'}  {name}")
    return 0


if __name__ == "__main__":
    verb, *rest = sys.argv[1:] or ["report"]
    if verb == "mutmut":
        sys.exit(mutmut_fastest_tests_first(rest))
    if verb in ("run", "sample"):
        code = run(rest) if verb == "run" else sample(int(rest[0]) if rest else 10)
        report()
        sys.exit(code)
    sys.exit(report() if verb == "report" else f"usage: {sys.argv[0]} run [GLOB...] | sample [EVERY] | report")
