"""A rule that fails while judging raises an error, and the process keeps judging safely.

durable_rules corrupts memory when a session is deleted with actions still
pending; the engine must finish them unrun first. Run in a subprocess, since a
corrupted heap aborts the whole interpreter. 300 rounds of a failed ruling followed
by a good one (3000 took 8 s and, on this build of durable_rules, crashed no more
often: not even with the unrun completion switched off).
"""
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

SCRIPT = textwrap.dedent("""
    import json, shutil, sys, tempfile
    from pathlib import Path
    from server import errors
    from server.contract import request as schemas
    from server.engine import runner as engine
    from server.judging import rulings
    from server.rules import rulebook
    src = Path(sys.argv[1])
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(src / "policies", tmp / "policies")
    path = tmp / "policies" / "kz-foreign-labour" / "2025-09-01.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "        code: vacancy.code\\n",
        "        code: vacancy.code\\n        broken: 1 / (application.headcount - application.headcount)\\n", 1)
    assert "broken" in text
    path.write_text(text, encoding="utf-8")
    bad = rulebook.load(tmp / "policies")
    good = rulebook.load(src / "policies")
    engine.register_all(bad)
    engine.register_all(good)
    request = schemas.load(schemas.RulingRequestSchema, json.loads((src / "fixtures/applications/approve.json").read_text()))
    failures = 0
    for i in range(300):
        try:
            rulings.judge(bad, request)
        except errors.EngineError as e:
            failures += 1
            assert "division by zero" in str(e), e
        assert rulings.judge(good, request)["outcome"] == "approve"
    print("failures", failures)
""")


@pytest.mark.slow
def test_a_failing_rule_raises_and_leaves_the_engine_usable():
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "failures 300" in proc.stdout
