"""Run the legal team's cases against rule-file mutants (`ereje test --mutants`).

A mutant (`server.rules.mutations`) is killed when some case's expected result
differs from what the engine rules under it; it is refused when `ereje check`
refuses it. Only the cases judged under a version the mutant changes (or whose
version the mutant changes) are run. For a survivor, generated applications
(`variants`) are judged under the rule and the mutant until one tells them apart:
that is the case to add. Mutants are judged in worker processes (spawned, as the
batch comparison's are), each loading the rule files and cases once.
"""
import functools
import multiprocessing
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

import adapters
from server import errors
from server.documents import plain
from server.contract import request as schemas
from server.engine import compile as compiler
from server.engine import runner as engine
from server.judging import cases as case_files
from server.judging import rulings, variants
from server.rules import mutations, rulebook

SEARCH_LIMIT = 4000     # generated applications tried per survivor


class CasesFail(Exception):
    """Some case fails on the rule files themselves: every mutant would look killed."""


@dataclass(frozen=True)
class Verdict:
    mutant: mutations.Mutant
    status: str            # killed | survived | refused | equivalent (no version's rules change)
    by: str = ""           # the case that killed it, or the check's first problem
    suggestion: str = ""   # for a survivor: a YAML case that kills it, or why none was found


# --- in the main process -------------------------------------------------------------

def plan(directory):
    """(mutants, cases) of the rule files and case files under `directory`."""
    _, _, found, loaded = _prepared(directory)
    return found, loaded


def _prepared(directory):
    """(rule files as read, the rule book they build, its mutants, the case files), each read and built once."""
    files, problems = rulebook.read(directory)
    book, built = rulebook.build(files, directory)
    if problems or built:
        raise errors.RuleFileError(problems + built)
    return files, book, mutations.mutants(files, book), cases_under(directory)


def run(directory, jobs):
    """The verdict on every mutant of the rule files under `directory`, judged in `jobs` processes."""
    files, book, found, loaded = _prepared(directory)
    engine.register_all(book)
    results = [case_files.run_case(book, c) for _, cs in loaded for c in cs]
    failing = [r.case for r in results if not r.ok]
    if failing:
        raise CasesFail(f"{len(failing)} case(s) fail on the rule files themselves, first {failing[0].file}:"
                        f"{failing[0].line}: run `ereje test {directory}` first")
    if jobs == 1:
        # One job is judged in this process, as `ereje compare --jobs 1`, from what was read and judged
        # above: a pool of one only adds a spawn.
        _install(Path(directory), files, book, found, loaded, [r.ruling for r in results])
        return _verdicts(len(found), map, map)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=init_worker, initargs=(str(directory),)) as pool:
        return _verdicts(len(found), functools.partial(pool.imap, chunksize=2), pool.imap)


def _verdicts(count, judge_all, suggest_all):
    """Judge mutants 0..count-1 (`judge_all`: a map), then look for a killing case for each survivor."""
    verdicts = list(judge_all(judge, range(count)))
    survivors = [i for i, v in enumerate(verdicts) if v.status == "survived"]
    for i, v in zip(survivors, suggest_all(suggest, survivors)):
        verdicts[i] = v
    return verdicts


def cases_under(directory):
    out = []
    for path in sorted(Path(directory).glob("*/tests/*.y*ml")):
        if case_files.is_case_file(path):
            out.append((path, case_files.load_file(path)[0]))
    return out


# --- in a worker process -------------------------------------------------------------

_state = {}


def init_worker(directory):
    """Load the rule files and cases once, judge every case under the rules, register them."""
    files, book, found, loaded = _prepared(directory)
    engine.register_all(book)
    _install(Path(directory), files, book, found, loaded,
             [case_files.run_case(book, c).ruling for _, cs in loaded for c in cs])


def _install(directory, files, book, found, loaded, rulings):
    """This process's state for `judge` and `suggest`: the rule files, their mutants, the cases and their rulings."""
    all_cases = [c for _, cs in loaded for c in cs]
    defaults = {str(path): _defaults(path) for path, _ in loaded}
    _state.update(directory=directory, files=files, book=book, mutants=found, cases=all_cases, rulings=rulings,
                  selected=[_selected(book, c.request) for c in all_cases], defaults=defaults,
                  schema=schemas.RulingRequestSchema, source=adapters.source_from_env())


def judge(index):
    """The verdict on mutant `index`: refused, killed (by which case) or survived."""
    mutant = _state["mutants"][index]
    book, problems = mutations.build(_state["files"], _state["directory"], mutant)
    problems = problems or compiler.problems(book)
    if problems:
        return Verdict(mutant, "refused", str(problems[0]))
    changed = _changed_versions(_state["book"], book)
    ran = 0
    for case, was in zip(_state["cases"], _state["selected"]):
        now = _selected(book, case.request)
        if (now.key if now else None) == (was.key if was else None) and (now is None or now.key not in changed):
            continue   # judged as before: under the same, unchanged version, or by no version at all
        ran += 1
        if now is not None:
            engine.register(now)
        if not case_files.run_case(book, case).ok:
            return Verdict(mutant, "killed", f"{case.file}:{case.line}: {case.name}")
    if not changed and not ran:
        # e.g. a branch that a parameter switches off: the rules as typed are the same
        return Verdict(mutant, "equivalent", "no version's rules change")
    return Verdict(mutant, "survived")


def suggest(index):
    """The survivor `index` with a case that kills it, found among generated applications."""
    mutant = _state["mutants"][index]
    book, _ = mutations.build(_state["files"], _state["directory"], mutant)
    changed = _changed_versions(_state["book"], book)
    seeds = [(c, was, _involved(mutant, was, ruling))
             for c, was, ruling in zip(_state["cases"], _state["selected"], _state["rulings"])
             if was is not None and (was.key in changed or not changed)]
    if not seeds:
        return Verdict(mutant, "survived", suggestion="no case is judged under a version this change affects")
    # Seeded with what the change is, not where the files lie: the same survivor gets the same search.
    rng = random.Random(f"{Path(mutant.file).name}:{mutant.line}:{mutant.change}:{mutant.entry}")
    seen = _seen_texts([c.request for c in _state["cases"]])
    vocab = {v.key: variants.vocabulary(v) for _, v, _ in seeds}
    options = [variants.changes(c.request, vocab[v.key][0], set(vocab[v.key][1]), seen) for c, v, _ in seeds]
    involved = [k for k, seed in enumerate(seeds) if seed[2] and options[k]] or \
        [k for k, (c, v, _) in enumerate(seeds) if options[k] and _applies(mutant, v, c)] or range(len(seeds))
    for _ in range(SEARCH_LIMIT):
        # Mostly from a case where what the mutant changes is at work; a fact, then a value for it.
        k = rng.choice(involved) if rng.random() < 0.7 else rng.randrange(len(seeds))
        (case, _, _), facts = seeds[k], options[k]
        if not facts:
            continue
        request = variants.changed(case.request, rng.choice(rng.choice(facts)))
        if rng.random() < 0.4:
            request = variants.changed(request, rng.choice(rng.choice(facts)))
        found = _tells_apart(book, case, request)
        if found is not None:
            return Verdict(mutant, "survived", suggestion=_as_case(case, request, found, mutant))
    return Verdict(mutant, "survived", suggestion=f"none found in {SEARCH_LIMIT} generated applications: "
                                                  "the change may not alter any ruling")


def _involved(mutant, version, ruling):
    """Whether what `mutant` changes is at work in a case's `ruling`: a derived fact it changes was
    concluded, or a requirement it changes applies."""
    if ruling is None:
        return False
    kind, _, rest = mutant.entry.partition(" ")
    if kind == "derive":
        fact = next((d.fact for d in version.derivations if d.id == rest.split(" ")[0]), None)
        return any((step.get("asserted") or {}).get("fact") == fact for step in ruling.get("trace") or [])
    return any(f["requirement"] in mutant.requirements and f["status"] != "not_applicable"
               for f in ruling["findings"])


def _applies(mutant, version, case):
    """Whether a requirement `mutant` may change applies in `case` under the rule."""
    ruling = _state["rulings"][_state["cases"].index(case)]
    return ruling is not None and any(f["requirement"] in mutant.requirements and f["status"] != "not_applicable"
                                      for f in ruling["findings"])


def _tells_apart(book, case, request):
    """(rule's ruling, mutant's ruling) of `request` when they differ, else None."""
    try:
        loaded = schemas.load(_state["schema"], request)
    except errors.EREJEError:
        return None
    source = case_files.Unreadable(case.unavailable, _state["source"]) if case.unavailable else _state["source"]
    results = []
    for b in (_state["book"], book):
        try:
            version = b.select(loaded.get("regulation"), loaded.get("version"), loaded.get("as_of"),
                               loaded["application"]["submitted_on"])
            engine.register(version)
            results.append(_statuses(rulings.judge_under(version, loaded, source=source, detail=False)))
        except errors.EREJEError as e:
            results.append({"error": e.code})
    return results if results[0] != results[1] else None


def _statuses(ruling):
    return {"version": ruling["version"], "outcome": ruling["outcome"],
            "findings": {f["requirement"]: f["status"] for f in ruling["findings"]}}


def _as_case(case, request, found, mutant):
    """The YAML of a case that kills `mutant`: `request` written against its case file's defaults."""
    rule, other = found
    sets, removes = variants.diff(_state["defaults"][case.file], request)
    entry = {"name": f"TODO: say what this pins down ({mutant.entry})"}
    if sets:
        entry["set"] = sets
    if removes:
        entry["remove"] = removes
    if case.unavailable:
        entry["unavailable"] = list(case.unavailable)
    if "error" in rule:
        entry["expect"] = {"error": rule["error"]}
    else:
        expect = {"version": rule["version"], "outcome": rule["outcome"]}
        differ = {r: s for r, s in rule["findings"].items() if (other.get("findings") or {}).get(r) != s}
        if differ:
            expect["findings"] = differ
        entry["expect"] = expect
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
    return f"# a case that kills it, to paste under `cases:` in {case.file}:\n" + \
        "".join("  " + line for line in text.splitlines(True))


def _defaults(path):
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return plain(doc.get("defaults") or {}) if isinstance(doc, dict) else {}


def _seen_texts(requests):
    out = {}
    for request in requests:
        for path, value in variants.leaves(request):
            if isinstance(value, str) and path:
                out.setdefault(path[-1:], set()).add(value)
    return out


def _selected(book, request):
    """The version a case's request is judged under, or None when it gets no ruling."""
    try:
        app = request.get("application") or {}
        return book.select(request.get("regulation"), request.get("version"), request.get("as_of"),
                           str(app.get("submitted_on")))
    except (errors.EREJEError, AttributeError, TypeError):
        return None


def _changed_versions(before, after):
    """Keys of the versions of `after` whose rules differ from the same version in `before`."""
    old = {v.key: _fingerprint(v) for reg in before.regulations.values() for v in reg.versions}
    return {v.key for reg in after.regulations.values() for v in reg.versions if old.get(v.key) != _fingerprint(v)}


def _fingerprint(v):
    """What a version's statuses depend on (texts left out)."""
    return (v.effective_from, v.effective_to, v.parameters, v.shifts,
            [(r.id, r.effect, r.scope, r.condition, tuple(sorted((k, n) for k, (_, n) in r.without.items())))
             for r in v.requirements],
            [(d.id, d.fact, d.foreach, d.when, d.value, d.set, d.stage) for d in v.derivations])
