"""Applications per second of `ereje compare` over generated applications.

Generates N applications (bench/generate.py, inline registry facts), then times
`ereje compare FILE --versions 2023-07-01,2025-09-01 --jobs J --format json` end to
end (process start, rule loading, reading, judging under both versions, summary).

    python bench/compare_bench.py [-n 100000] [--jobs 2] [--seed 1]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--versions", default="2023-07-01,2025-09-01")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "applications.jsonl"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "-n", str(args.n),
                        "--seed", str(args.seed), "-o", str(path)], check=True)
        start = time.perf_counter()
        done = subprocess.run([str(Path(sys.executable).parent / "ereje"), "compare", str(path), "--versions", args.versions,
                               "--jobs", str(args.jobs), "--format", "json", "--no-progress"],
                              cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"ereje compare failed ({done.returncode}): {done.stderr}")
    summary = json.loads(done.stdout)
    print(f"{summary['read']} applications, {summary['judged']} judged under {args.versions} "
          f"with --jobs {args.jobs}: {elapsed:.1f} s, {summary['read'] / elapsed:.0f} applications/s")
    for p in summary["pairs"]:
        print(f"  {p['from']} -> {p['to']}: unchanged {p['unchanged']}, flips {p['flips']}")


if __name__ == "__main__":
    main()
