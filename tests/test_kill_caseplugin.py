"""`ereje test` on a case it cannot read: the file:line and the reason, not pytest's traceback
(the mutation run found it unchecked)."""
import shutil

from server.cli import main

from .conftest import POLICIES


def test_a_case_that_cannot_be_read_is_reported_without_a_traceback(tmp_path, runner):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    broken = dst / "kz-foreign-labour" / "tests" / "broken.yaml"
    broken.write_text("defaults: {}\ncases:\n  - name: No expectation\n    set: {}\n", encoding="utf-8")
    res = runner.invoke(main, ["test", str(dst)])
    assert res.exit_code == 1, res.output
    assert f"{broken}:3: each case needs a 'name' and an 'expect'" in res.output
    assert "pytest.fail" not in res.output and "def runtest" not in res.output
