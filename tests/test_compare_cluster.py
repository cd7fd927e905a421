"""`ereje compare --cluster`: files read in parts give the whole file's items; a LocalCluster run equals a local one."""
import csv
import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.batch import inputs
from server.cli import main

from tests.conftest import ROOT

EREJE = str(Path(sys.executable).parent / "ereje")


def parts_read(path, fmt, step):
    """The items of `path` read in parts of `step` bytes, renumbered as the cluster client does."""
    size, before, found = path.stat().st_size, 0, []
    for start in range(0, size, step):
        with open(path, "rb") as raw:
            lines, items = inputs.part_items(raw, fmt, start, min(start + step, size))
            found += [(line + before, doc, error) for line, doc, error in items]
        before += lines.count
    return found


def whole_read(path):
    """The items of `path` read whole, as `read_items` reads them past its check of the file's head."""
    with open(path, "rb") as raw:
        lines = inputs.Lines(raw)
        return list(inputs.csv_rows(lines, raw.name) if path.suffix == ".csv" else inputs.json_lines(lines))


MESSY_JSONL = (b'\xef\xbb\xbf{"a": 1}\n\n{"b": 2}\r\n{not json\n{"c": "\xff"}\n[1]\r{"d": 4}\r\n'
               b'   \n{"e": 5}\n{"f": 6}')
MESSY_CSV = (b"application.reference,application.workers_requested,application.employer.small_business\r\n"
             b"A,1,true\r\n\r\nB,two,no\nC,3,x,extra\rD,4,\"yes\"\n\"E,\xff\",5,no\n,,\nF,6,false")


@pytest.mark.parametrize("name, data", [("apps.jsonl", MESSY_JSONL), ("apps.csv", MESSY_CSV)])
def test_parts_of_any_size_read_as_the_whole_file(tmp_path, name, data):
    f = tmp_path / name
    f.write_bytes(data)
    whole = whole_read(f)
    assert len(whole) >= 6 and any(e == "not UTF-8 text" for _, _, e in whole)
    for step in range(1, len(data) + 1):
        assert parts_read(f, name.split(".")[1], step) == whole, step


def test_a_bad_byte_spoils_its_line_only(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_bytes(b'{"a": 1}\n' * 5000 + b'{"a": "\xff"}\n' + b'{"a": 2}\n' * 3)
    items = whole_read(f)
    assert len(items) == 5004
    assert items[5000] == (5001, None, "not UTF-8 text") and items[-1] == (5004, {"a": 2}, None)


def test_csv_with_a_line_break_in_a_cell_cannot_be_split(tmp_path):
    f = tmp_path / "apps.csv"
    f.write_bytes(b'application.reference,application.region\nA,ALMATY\n"B\nC",ASTANA\nD,ALMATY\n')
    assert [line for line, _, _ in whole_read(f)] == [2, 3, 5]
    with pytest.raises(inputs.SplitError) as caught:
        parts_read(f, "csv", 20)
    # bytes 40-59 start with line 2 of the file: the cell that breaks is its part's line 2, the file's 3
    assert caught.value.line == 2 and "line break" in str(caught.value)


@pytest.mark.slow
def test_cluster_names_the_file_line_of_a_cell_with_a_line_break(tmp_path):
    f = tmp_path / "apps.csv"
    rows = [f"R{i},ALMATY" for i in range(2, 12002)]
    rows[9000] = '"B\nC",ASTANA'        # on line 9002 of the file, in a part well after the first
    f.write_text("application.reference,application.region\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = subprocess.run([EREJE, "compare", str(f), "--cluster", "local", "--jobs", "2"], capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 2
    assert f"{f}: line 9002: a quoted cell holds a line break" in res.stderr
    assert "Traceback" not in res.stderr


def test_unknown_cluster_word_is_bad_input(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text("{}\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["compare", str(f), "--cluster", "everywhere"])
    assert res.exit_code == 2
    assert "--cluster everywhere: give a scheduler address (tcp://host:port) or 'local'" in res.output
    assert "Traceback" not in res.output


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_unreachable_scheduler_is_bad_input_naming_it(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text("{}\n", encoding="utf-8")
    address = f"tcp://127.0.0.1:{free_port()}"
    res = subprocess.run([EREJE, "compare", str(f), "--cluster", address], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2
    assert f"cannot reach the scheduler at {address} within 5 s" in res.stderr
    assert "Traceback" not in res.stderr


def flat(node, prefix=""):
    """A request as CSV cells: dotted paths, list positions as numbers, flags as true/false."""
    if isinstance(node, dict):
        return {k: v for key, child in node.items() for k, v in flat(child, f"{prefix}{key}.").items()}
    if isinstance(node, list):
        return {k: v for i, child in enumerate(node) for k, v in flat(child, f"{prefix}{i}.").items()}
    if node is None:
        return {}    # an empty cell
    return {prefix[:-1]: str(node).lower() if isinstance(node, bool) else str(node)}


def generated(tmp_path, fmt):
    """Three hundred generated applications with a few bad lines, as JSON Lines or CSV."""
    made = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "-n", "300", "--seed", "7"],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    f = tmp_path / f"apps.{fmt}"
    if fmt == "jsonl":
        made[4], made[150] = "{not json", "[1, 2]"
        f.write_bytes("\n".join(made[:200]).encode() + b'\n{"bad": "\xff"}\n\n' + "\n".join(made[200:]).encode())
        return f
    rows = [flat(json.loads(x)) for x in made]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    rows[10]["application.workers_requested"] = "many"
    text = io.StringIO()
    w = csv.DictWriter(text, columns, restval="", lineterminator="\n")
    w.writeheader()
    w.writerows(rows[:100])
    text.write("1,2\n" + ",".join(["x"] * (len(columns) + 1)) + "\n\n")
    w.writerows(rows[100:])
    f.write_text(text.getvalue(), encoding="utf-8")
    return f


def ereje_compare(f, out, *args):
    res = subprocess.run([EREJE, "compare", str(f), "--format", "json", "--out", str(out), *args],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_local_cluster_gives_the_local_run_byte_for_byte(tmp_path, fmt):
    f = generated(tmp_path, fmt)
    here = ereje_compare(f, tmp_path / "here.jsonl", "--jobs", "1")
    there = ereje_compare(f, tmp_path / "there.jsonl", "--cluster", "local", "--jobs", "2")
    assert there == here
    assert (tmp_path / "there.jsonl").read_bytes() == (tmp_path / "here.jsonl").read_bytes()
    s = json.loads(here)
    assert s["read"] == {"jsonl": 301, "csv": 302}[fmt] and s["judged"] > 250 and s["not_judged"] >= 3
    assert all(max(e["lines"]) <= 304 for e in s["errors"])
    assert f.stat().st_size > 2 * 64 * 1024     # three parts or more: the lines before each are added up
