"""Full in-process rulings (approve.json from JSON bytes to ruling dict) of two checkouts, interleaved.

Run: python bench/ruling_path_bench.py --base /path/to/other/checkout [--rounds 8 --n 300 --lang en]
Each checkout runs in its own process (`--serve ROOT`); rounds alternate between them so both see
the same machine load. Prints each side's rulings/s and p50, and this checkout's ratio to the base.
The path timed is the one POST /v1/rulings takes before the store: the body parsed and loaded
(duplicate-key check, msgspec fast path), the registries gathered from the fixture source, the
engine run and the findings' texts rendered.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def serve(root, lang):
    """Worker: load the rule book of checkout `root`, then time N rulings per line read on stdin."""
    sys.path.insert(0, str(root))
    from adapters.sources.fixtures import FixtureSource
    from server.contract.jsonbody import parse_body
    from server.contract.request import RulingRequestSchema, load_json
    from server.engine import runner as engine
    from server.judging import rulings
    from server.rules import rulebook

    book = rulebook.load(Path(root) / "policies")
    engine.register_all(book)
    raw = (Path(root) / "fixtures/applications/approve.json").read_bytes()
    source = FixtureSource(Path(root) / "fixtures/registries")

    def one():
        request = load_json(RulingRequestSchema, raw, lambda: parse_body(raw))
        return rulings.judge(book, request, source=source, lang=lang)

    for _ in range(50):
        one()
    print("ready", flush=True)
    for line in sys.stdin:
        lat = []
        for _ in range(int(line)):
            t = time.perf_counter()
            one()
            lat.append(time.perf_counter() - t)
        print(json.dumps(lat), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=False)
    ap.add_argument("--serve")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--lang", default="en")
    args = ap.parse_args()
    if args.serve:
        return serve(args.serve, args.lang)
    sides = {"base": args.base, "this": str(HERE)}
    procs = {name: subprocess.Popen([sys.executable, __file__, "--serve", root, "--lang", args.lang],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for name, root in sides.items()}
    for p in procs.values():
        p.stdout.readline()
    lat = {name: [] for name in procs}
    for r in range(args.rounds):
        order = list(procs) if r % 2 == 0 else list(reversed(procs))
        for name in order:
            procs[name].stdin.write(f"{args.n}\n")
            procs[name].stdin.flush()
            lat[name] += json.loads(procs[name].stdout.readline())
    for p in procs.values():
        p.stdin.close()
        p.wait()
    rate = {name: len(xs) / sum(xs) for name, xs in lat.items()}
    p50 = {name: statistics.median(xs) * 1e6 for name, xs in lat.items()}
    for name in procs:
        print(f"{name:<5} {rate[name]:>8.0f} rulings/s  p50 {p50[name]:>7.0f} µs")
    print(f"this/base: {rate['this'] / rate['base']:.2f}x rulings/s, p50 {p50['base'] / p50['this']:.2f}x faster")


if __name__ == "__main__":
    main()
