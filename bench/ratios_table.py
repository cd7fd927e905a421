"""bench/ratios.py's output: medians over the rounds as one Markdown table.

A figure is the median of its rounds; a ratio is the median of each round's ratio
(both sides measured in the same round), so a slow round lowers both of its sides.
"""
import os
import statistics

AIM_COMPARE_S = 35.0
AIM_APPLICATIONS = 100_000


def render(args, start, end, rounds, about):
    rows = [row for build in (_in_process, _http, _compare) for row in build(args, rounds)]
    return "\n".join(_header(args, start, about) + [
        "",
        "| figure | reference | ratio | the issue's aim |",
        "|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"Load average (1, 5, 15 min) at start {_load(start['load'])}, at end {_load(end['load'])}.",
    ])


def _header(args, start, about):
    http = f"; HTTP runs of {args.http_seconds} s with {about['generator']}" if about["generator"] else ""
    compare = f"; `ereje compare` over {args.n:,} generated applications" if "e" in args.parts else ""
    quick = " **--quick: a smoke test, not a figure to quote.**" if args.quick else ""
    return [f"`python bench/ratios.py{_argv(args)}` on {start['date']}, commit {about['commit']}, "
            f"{os.cpu_count()} CPUs; {args.rounds} interleaved round(s), medians; in-process parts "
            f"{args.seconds:g} s each per round{http}{compare}.{quick}"]


def _argv(args):
    given = [] if args.parts == list("abcde") else [f"--parts {','.join(args.parts)}"]
    return "".join(f" {a}" for a in (["--quick"] if args.quick else []) + given)


def _load(triple):
    return " / ".join(f"{x:.2f}" for x in triple)


def _median(rounds, key, field):
    return statistics.median(r[key][field] for r in rounds)


def _ratio(rounds, top, bottom):
    """Median of the rounds' ratios of two rates; None when a side was not run."""
    if not rounds or top not in rounds[0] or bottom not in rounds[0]:
        return None
    return statistics.median(r[top]["rate"] / r[bottom]["rate"] for r in rounds)


def _x(ratio):
    return "n/a (its reference was not run)" if ratio is None else f"{ratio:.2f}×"


def _aim(text, met):
    return text if met is None else f"{text}: {'met' if met else 'not met'}"


def _rate(rounds, key):
    return (f"{_median(rounds, key, 'rate'):,.0f} rulings per CPU-second ({_median(rounds, key, 'wall_rate'):,.0f}/s "
            f"of wall time), p50 {_median(rounds, key, 'p50_us'):,.0f} µs")


def _in_process(args, rounds):
    rows = []
    if "a" in args.parts:
        rows.append(["(a) plain durable_rules ruling: Host, Python actions, one session per ruling, approve.json's facts: "
                     + _rate(rounds, "a"), "the reference of (b) and (c)", "1.00×", "reference"])
    if "b" in args.parts:
        ratio = _ratio(rounds, "b", "a")
        rows.append(["(b) Ereje's engine only (`runner.run` on facts built beforehand): " + _rate(rounds, "b"),
                     _ref(rounds, "a", "(a)"), _x(ratio), _aim("≥ 2.0× (a)", None if ratio is None else ratio >= 2.0)])
    if "c" in args.parts:
        ratio = _ratio(rounds, "c", "a")
        rows.append(["(c) Ereje's full ruling in process, approve.json bytes → ruling dict: " + _rate(rounds, "c"),
                     _ref(rounds, "a", "(a)"), _x(ratio), _aim("≥ 1.0× (a)", None if ratio is None else ratio >= 1.0)])
        if "b" in args.parts:
            rows.append(["(c) against Ereje's own engine", _ref(rounds, "b", "(b)"), _x(_ratio(rounds, "c", "b")),
                         "— (the engine's share of a full ruling)"])
    return rows


def _ref(rounds, key, name):
    return f"{name} {_median(rounds, key, 'rate'):,.0f} per CPU-second" if rounds and key in rounds[0] else "n/a (not run)"


def _served(rounds, key):
    errors = sum(r[key]["errors"] + r[key]["bad_status"] for r in rounds)
    warn = f", **{errors} failed requests**" if errors else ""
    cpu = _cpu_us(rounds, key)
    cpu = "" if cpu is None else f", server CPU {cpu:,.0f} µs per request"
    return (f"{_median(rounds, key, 'rate'):,.0f}/s, p50 {_median(rounds, key, 'p50_ms'):.2f} ms, "
            f"p99 {_median(rounds, key, 'p99_ms'):.2f} ms{cpu}{warn}")


def _cpu_us(rounds, key):
    values = [r[key]["cpu_us"] for r in rounds]
    return None if None in values else statistics.median(values)


def _cpu_ratio(rounds, top, bottom):
    """Median of the rounds' (bottom's CPU per request / top's): like a ratio of rates, but of CPU time."""
    if _cpu_us(rounds, top) is None or _cpu_us(rounds, bottom) is None:
        return ""
    ratio = statistics.median(r[bottom]["cpu_us"] / r[top]["cpu_us"] for r in rounds if r[top]["cpu_us"])
    return f" (by server CPU per request: {ratio:.2f}×)"


def _http(args, rounds):
    if "d" not in args.parts:
        return []
    p99 = _median(rounds, "ereje1", "p99_ms")
    return [
        ["(d) bare Flask `{}` under the same `ereje serve` (2 workers × 4 threads, its worker class), c=8: "
         + _served(rounds, "bare8"), "the reference of (d) c=8", "1.00×", "reference"],
        ["(d) Ereje `POST /v1/rulings` (judged and stored), c=8: " + _served(rounds, "ereje8"),
         "bare Flask c=8" + _cpu_ratio(rounds, "ereje8", "bare8"), _x(_ratio(rounds, "ereje8", "bare8")),
         _aim("≥ 0.40× bare Flask", _ratio(rounds, "ereje8", "bare8") >= 0.40)],
        ["(d) Ereje `POST /v1/rulings`, c=1: " + _served(rounds, "ereje1"),
         "bare Flask c=1: " + _served(rounds, "bare1"), _x(_ratio(rounds, "ereje1", "bare1")),
         _aim("p99 < 6 ms", p99 < 6.0)],
    ]


def _compare(args, rounds):
    if "e" not in args.parts:
        return []
    elapsed, startup = _median(rounds, "e", "elapsed"), _median(rounds, "e", "startup")
    jobs, scale = args.jobs, AIM_APPLICATIONS / args.n
    if args.n == AIM_APPLICATIONS:
        scaled, at = elapsed, f"{elapsed:.1f} s"
    else:
        scaled = startup + max(elapsed - startup, 0.0) * scale
        at = f"{elapsed:.1f} s, so ~{scaled:.0f} s for {AIM_APPLICATIONS:,} (scaled)"
    steady_cpu = statistics.median(r["e"]["cpu"] - r["e"]["startup_cpu"] for r in rounds)
    on_free_cores = startup + max(steady_cpu, 0.0) / jobs * scale
    ratios = [r["e"]["cpu_rate"] / r["e_ref"]["rate"] for r in rounds]
    return [[f"(e) `ereje compare` {args.n:,} generated applications × 2 versions, `--jobs {jobs}`: {at}; "
             f"{startup:.1f} s of it starting up (timed on 1 application); after start-up "
             f"{_median(rounds, 'e', 'rate'):,.0f} application-versions/s, "
             f"{_median(rounds, 'e', 'cpu_rate'):,.0f} per CPU-second (all its processes), "
             f"so ~{on_free_cores:.0f} s for {AIM_APPLICATIONS:,} on {jobs} free cores",
             f"Ereje's engine only on the same applications and versions: "
             f"{_median(rounds, 'e_ref', 'rate'):,.0f} application-versions per CPU-second",
             f"{statistics.median(ratios):.2f}×",
             _aim(f"{AIM_APPLICATIONS:,} × 2 in ≤ {AIM_COMPARE_S:.0f} s", scaled <= AIM_COMPARE_S)]]
