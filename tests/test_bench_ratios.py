"""bench/ratios.py in its smallest mode prints every row of its table with a ratio (no timings checked)."""
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "bench" / "ratios.py"
ROWS = ["(a) plain durable_rules ruling", "(b) Ereje's engine only", "(c) Ereje's full ruling in process",
        "(c) against Ereje's own engine", "(d) bare Flask `{}`", "(d) Ereje `POST /v1/rulings` (judged and stored), c=8",
        "(d) Ereje `POST /v1/rulings`, c=1", "(e) `ereje compare` 200 generated applications × 2 versions"]


def run(*args, timeout=600):
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
def test_quick_run_prints_every_row_with_its_ratio_and_the_load():
    done = run("--quick")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| (")]
    assert [next((r for r in ROWS if cells[0].startswith(f"| {r}")), cells[0]) for cells in rows] == ROWS
    for cells in rows:
        assert re.fullmatch(r"\d+\.\d\d×", cells[2]), cells
        assert cells[3].removesuffix(" |") in ("reference", "— (the engine's share of a full ruling)") \
            or re.search(r": (met|not met)$", cells[3].removesuffix(" |")), cells
    assert "failed requests" not in done.stdout
    assert re.search(r"^\| figure \| reference \| ratio \| the issue's aim \|$", done.stdout, re.M)
    assert re.search(r"on \d{4}-\d\d-\d\d \d\d:\d\d", done.stdout)
    assert re.search(r"^Load average \(1, 5, 15 min\) at start [\d.]+ / [\d.]+ / [\d.]+, at end [\d.]+ / [\d.]+ / [\d.]+\.$",
                     done.stdout, re.M)


def test_an_unknown_part_is_refused_before_anything_starts():
    done = run("--parts", "a,z", timeout=60)
    assert done.returncode == 2
    assert "--parts takes letters among a,b,c,d,e, not z" in done.stderr
    assert done.stdout == ""
