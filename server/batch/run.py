"""`ereje compare FILE`: judge a file of applications under several versions and
summarise what changes between consecutive versions (CONTRACT 4.4).

Applications come from `inputs`, are judged in worker processes and counted in a
Summary. A line that cannot be read or validated is counted as "could not be
judged" with its reason and line number; the run goes on.
"""
import itertools
import multiprocessing
import threading
from collections import Counter

from marshmallow import ValidationError

import adapters
from server import errors, messages
from server.contract import fastpath
from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import comparisons
from server.rules import rulebook

MAX_ERROR_LINES = 5


# --- judging (in worker processes) ------------------------------------------------

_state = {}


def init_worker(policies, regulation, versions, lang):
    """Load and register the rule files in a judging process (a pool or cluster worker)."""
    book = rulebook.load(policies)
    engine.register_all(book)
    _state.update(book=book, regulation=regulation, versions=versions, lang=lang,
                  source=adapters.source_from_env(), schema=schemas.RulingRequestSchema(),
                  fast=fastpath.loader(schemas.RulingRequestSchema))


def judge_item(item):
    """(line, doc, error) -> the per-application result of `--out`."""
    return judge_chunk([item])[0]


def judge_chunk(chunk):
    """A list of (line, doc, error) items -> their results, in order (the unit of work a pool or
    cluster worker runs): each version judges the chunk's applications in one engine session."""
    results, requests = [], []
    for line, doc, error in chunk:
        request, failed = _validated(line, doc, error)
        if failed is not None:
            results.append(failed)
            continue
        results.append(None)
        requests.append((len(results) - 1, line, request))
    compared = comparisons.compare_many(_state["book"], [r for _, _, r in requests], source=_state["source"],
                                        versions=_state["versions"], lang=_state["lang"])
    for (at, line, request), cmp in zip(requests, compared):
        results[at] = _result(line, request, cmp)
    return results


def _validated(line, doc, error):
    """(the request of one item, None) or (None, its `--out` error)."""
    if error is not None:
        return None, {"line": line, "error": error}
    # The generated fast path loads exactly what marshmallow would (half the time of a
    # compare was marshmallow); what it refuses, marshmallow loads again and words.
    request = _state["fast"].from_object(doc) if _state["fast"] is not None else None
    try:
        if request is None:
            request = _state["schema"].load(doc)     # one schema instance per process: nested schemas are costly
    except ValidationError as e:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(schemas.field_errors(e.messages).items()))
        return None, {"line": line, "error": f"invalid: {fields or 'does not fit the contract'}"}
    if _state["regulation"]:
        request["regulation"] = _state["regulation"]
    return request, None


def _result(line, request, cmp):
    if isinstance(cmp, errors.EREJEError):
        return {"line": line, "error": f"{cmp.code}: {cmp.message}"}
    if isinstance(cmp, Exception):   # one bad application never stops the run
        return {"line": line, "error": f"could not judge: {type(cmp).__name__}: {cmp}"}
    because = []
    for ch in cmp["changes"]:
        for c in ch["because"]:
            because.append({"from_version": ch["from"], "to_version": ch["to"], "requirement": c["requirement"],
                            "status": {"from": c["from"], "to": c["to"]}})
    return {"line": line, "reference": request["application"].get("reference"), "outcomes": cmp["outcomes"],
            "changed": cmp["outcome_changed"], "because": because}


def _chunks(items, size):
    it = iter(items)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


def run(items, *, policies, regulation, versions, lang="en", jobs=1, chunk_size=64):
    """Yield one result per item, in input order, judged by `jobs` processes.

    `--jobs 1` judges in this process: a pool of one worker overlaps the reading and summing
    up here with the judging, but starts a process and pickles every application and result;
    measured on 3,000 applications it was no faster beyond the noise (12.7-36 s against 13.4-30 s)."""
    if jobs <= 1:
        init_worker(policies, regulation, versions, lang)
        for chunk in _chunks(items, chunk_size):
            yield from judge_chunk(chunk)
        return
    yield from _pooled(items, (str(policies), regulation, versions, lang), jobs, chunk_size)


def _pooled(items, worker_args, jobs, chunk_size):
    # Pool.imap reads its input eagerly in a thread; the semaphore keeps at most
    # `window` chunks in flight so a large file is streamed, not held in memory.
    window = jobs * 4
    room, stop = threading.Semaphore(window), threading.Event()

    def feed():
        for chunk in _chunks(items, chunk_size):
            room.acquire()
            if stop.is_set():
                return
            yield chunk

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=init_worker, initargs=worker_args) as pool:
        try:
            for results in pool.imap(judge_chunk, feed()):
                room.release()
                yield from results
        finally:
            stop.set()
            for _ in range(window + 1):
                room.release()


# --- summary ----------------------------------------------------------------------

class Summary:
    def __init__(self, regulation, versions, file=None):
        self.regulation, self.versions, self.file = regulation, list(versions), file
        self.read = self.judged = 0
        self.outcomes = {v: Counter() for v in self.versions}
        self.pairs = [{"from": a, "to": b, "unchanged": 0, "flips": Counter(), "requirements": Counter()}
                      for a, b in zip(self.versions, self.versions[1:])]
        self.errors = {}

    def add(self, result):
        self.read += 1
        if "error" in result:
            e = self.errors.setdefault(result["error"], {"count": 0, "lines": []})
            e["count"] += 1
            if len(e["lines"]) < MAX_ERROR_LINES:
                e["lines"].append(result["line"])
            return
        self.judged += 1
        out = result["outcomes"]
        for v in self.versions:
            self.outcomes[v][out[v]] += 1
        for p in self.pairs:
            a, b = out[p["from"]], out[p["to"]]
            if a == b:
                p["unchanged"] += 1
                continue
            p["flips"][f"{a} -> {b}"] += 1
            for c in result["because"]:
                if c["from_version"] == p["from"] and c["to_version"] == p["to"]:
                    p["requirements"][c["requirement"]] += 1

    def as_dict(self):
        not_judged = self.read - self.judged
        return {
            "file": self.file, "regulation": self.regulation, "versions": self.versions,
            "read": self.read, "judged": self.judged, "not_judged": not_judged,
            "outcomes": {v: dict(sorted(c.items())) for v, c in self.outcomes.items()},
            "pairs": [{"from": p["from"], "to": p["to"], "read": self.read, "judged": self.judged,
                       "unchanged": p["unchanged"], "changed": sum(p["flips"].values()),
                       "flips": dict(p["flips"].most_common()),
                       "requirements": dict(p["requirements"].most_common()),
                       "not_judged": not_judged} for p in self.pairs],
            "errors": [{"reason": r, "count": e["count"], "lines": e["lines"]}
                       for r, e in sorted(self.errors.items(), key=lambda kv: (-kv[1]["count"], kv[0]))],
        }


def text_summary(s, lang="en"):
    """The summary as a person reads it, in `lang` (en, ru or kk)."""
    say = lambda key, **values: messages.say(key, lang, **values)  # noqa: E731
    outcome = lambda code: messages.name("outcome", code, lang)  # noqa: E731
    lines = [say("summary.head", regulation=s["regulation"], read=s["read"], file=s["file"], judged=s["judged"],
                 not_judged=s["not_judged"]), ""]
    width = max([len(v) for v in s["versions"]] + [10])
    lines.append(say("summary.outcomes"))
    lines.append(f"  {messages.say('report.version', lang):<{width}}  {outcome('approve'):>8}  {outcome('refuse'):>8}"
                 f"  {outcome('undetermined'):>12}")
    for v in s["versions"]:
        o = s["outcomes"][v]
        lines.append(f"  {v:<{width}}  {o.get('approve', 0):>8}  {o.get('refuse', 0):>8}  {o.get('undetermined', 0):>12}")
    for p in s["pairs"]:
        lines += ["", f"{p['from']} -> {p['to']}:",
                  f"  {say('summary.judged'):<11} {p['judged']:>8}", f"  {say('summary.unchanged'):<11} {p['unchanged']:>8}",
                  f"  {say('summary.changed'):<11} {p['changed']:>8}"]
        for k, n in p["flips"].items():
            start, _, end = k.partition(" -> ")
            lines.append(f"    {outcome(start) + ' -> ' + outcome(end):<28} {n:>8}")
        if p["requirements"]:
            lines.append("  " + say("summary.causes"))
            for k, n in p["requirements"].items():
                lines.append(f"    {k:<28} {n:>8}")
    if s["errors"]:
        lines += ["", say("summary.errors")]
        for e in s["errors"]:
            more = ", ..." if e["count"] > len(e["lines"]) else ""
            lines.append(f"  {e['count']:>6}  {e['reason']}  ({say('summary.line')} {', '.join(map(str, e['lines']))}{more})")
    return "\n".join(lines)
