"""Mutation run of the rule engine, judging and adapter modules with mutmut (docs/mutation.md).

    pip install -e '.[test,mutation]'
    python bench/mutation.py run                      # every mutant ([tool.mutmut] in pyproject.toml)
    python bench/mutation.py run 'server.engine.*'    # the mutants of some modules (mutmut's name globs)
    python bench/mutation.py sample 5                 # every 5th mutant of each module not run yet
    python bench/mutation.py report                   # the score per module and the survivors, from mutants/

Not part of CI: a full run takes hours on two shared cores. `run` works under `nice -n 10` with two
mutmut workers; a run stopped midway keeps its verdicts in mutants/ and the next `run` goes on from there.
`sample` remembers the mutants it drew: the report estimates each module's mutants that were never run
from the sampled ones of that module (a stratified estimate, with its 95 % margin).
"""
import json
import math
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
SAMPLE = ROOT / "mutants" / "ereje-sample.json"   # the names `sample` drew
# Survivors judged equivalent (no input the server accepts changes an answer): name, change, why.
EQUIVALENT = ROOT / "docs" / "mutation-equivalent.tsv"


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
    """Run every `every`-th mutant (by name, in each module) of those not run yet, and remember them.

    A second sample adds to the first: both are drawn from the mutants the first full `run` left."""
    if not (ROOT / "mutants").is_dir():
        generate()
    drawn = json.loads(SAMPLE.read_text(encoding="utf-8")) if SAMPLE.exists() else {"names": []}
    names = [n for codes in verdicts().values() for n in sorted(k for k, c in codes.items() if c is None)[::every]]
    everies = [*drawn.get("everies", [drawn["every"]] if "every" in drawn else []), every]
    SAMPLE.write_text(json.dumps({"everies": everies, "names": sorted(set(drawn["names"]) | set(names))}, indent=0),
                      encoding="utf-8")
    return run(names)


def verdicts():
    """{module path: {mutant name: exit code or None}} from mutmut's mutants/**/*.py.meta."""
    out = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            out[meta.relative_to(ROOT / "mutants").as_posix()[:-len(".meta")]] = codes
    return out


def kind(code):
    return ("not run" if code is None else "killed" if code in KILLED else "survived" if code in SURVIVED
            else "no tests" if code in NO_TESTS else "other")


def estimate(codes, sampled):
    """(killed, variance) expected among `codes`' mutants never run, from its sampled ones that ran.

    The sample was drawn from the mutants not run at the time, so those still not run are that stratum's
    unsampled rest: each is killed with the sample's rate (finite population correction included)."""
    ran = [kind(codes[n]) for n in sampled if n in codes and codes[n] is not None]
    rest = sum(1 for n, c in codes.items() if c is None)
    if not rest:
        return 0.0, 0.0
    if not ran:
        return math.nan, math.nan
    p, n = ran.count("killed") / len(ran), len(ran)
    return rest * p, rest ** 2 * (rest / (rest + n)) * p * (1 - p) / max(n - 1, 1)


def report():
    """Per module: mutants, run, killed, survived, no tests, not run, score; then the survivors.

    score: killed / run. whole: killed, with the sample's estimate for those not run, / mutants.
    equiv: survivors listed in docs/mutation-equivalent.tsv (counted in `surv`); `w/o equiv` leaves them out."""
    sampled = set(json.loads(SAMPLE.read_text(encoding="utf-8"))["names"]) if SAMPLE.exists() else set()
    equivalent = {line.split("\t")[0]: line.split("\t")[-1] for line in EQUIVALENT.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")}
    rows, total, total_equiv, total_est, total_var = [], Counter(), 0, 0.0, 0.0
    by_module = verdicts()
    for module, codes in by_module.items():
        c = Counter(kind(code) for code in codes.values())
        equiv = sum(1 for n, code in codes.items() if code in SURVIVED and n in equivalent)
        est, var = estimate(codes, sampled)
        total.update(c)
        total_equiv, total_est, total_var = total_equiv + equiv, total_est + est, total_var + var
        rows.append((module, c, equiv, est, var))
    print(f"{'module':<34} {'mutants':>7} {'run':>5} {'killed':>6} {'surv':>5} {'none':>5} {'other':>5} "
          f"{'not run':>7} {'score':>6} {'whole (estimate)':>17} {'equiv':>5} {'w/o equiv':>9}")
    for module, c, equiv, est, var in rows + [("total", total, total_equiv, total_est, total_var)]:
        n = sum(c.values())
        ran = n - c["not run"]
        score = f"{100 * c['killed'] / ran:5.1f}%" if ran else "    -"
        without = f"{100 * c['killed'] / (ran - equiv):5.1f}%" if ran > equiv else "    -"
        whole = "" if math.isnan(est) else f"{100 * (c['killed'] + est) / n:5.1f}%"
        if whole and c["not run"]:
            whole += f" ± {100 * 1.96 * math.sqrt(var) / n:.1f}"
        print(f"{module:<34} {n:>7} {ran:>5} {c['killed']:>6} {c['survived']:>5} {c['no tests']:>5} "
              f"{c['other']:>5} {c['not run']:>7} {score:>6} {whole:>17} {equiv:>5} {without:>9}")
    print("\nsurvivors (and mutants no test reaches):")
    for module, codes in by_module.items():
        for name, code in sorted(codes.items()):
            if code in SURVIVED or code in NO_TESTS:
                why = f"  (equivalent: {equivalent[name]})" if code in SURVIVED and name in equivalent else ""
                print(f"  {kind(code)}  {name}{why}")
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
