"""The only door to durable_rules: register compiled versions, run one ruling at a time.

We drive durable's C engine directly rather than through `durable.engine.Host`:
the Host starts timer threads that race the caller and segfault once two sessions
overlap, its batch assert drops actions when one fact matches no rule, and it
swallows exceptions raised in actions. Here every call into the engine holds one
process-wide lock, each ruling has its own session that is always deleted, and
actions are plain data (assert a derived fact / conclude a finding) carried out
in this module, so a failure surfaces as an exception instead of silence.
"""
import itertools
import threading

import durable_rules_engine as _dre

from server import errors, jsontext
from server.engine import compile as compiler
from server.rules import calendar

_lock = threading.Lock()
_loaded = {}             # engine name -> (ruleset handle, Compiled)
_session_ids = itertools.count(1)


def register(version):
    """Compile and register a version once per process; the same digest again is a no-op.

    Raises RuleFileError when the engine cannot run the version.
    """
    name = compiler.engine_name(version)
    with _lock:
        if name in _loaded:
            return name
    compiled, problems = compiler.from_model(version)
    if problems:
        raise errors.RuleFileError(problems)
    with _lock:
        if name not in _loaded:
            # durable mutates the definition it is given: pass a fresh JSON text.
            _loaded[name] = (_dre.create_ruleset(name, jsontext.dumps(compiled.rules)), compiled)
    return name


def register_all(book):
    """Register every version of every regulation in `book` (where a process starts)."""
    for reg in book.regulations.values():
        for v in reg.versions:
            register(v)


class Run:
    """What one ruling produced: findings by requirement, derived facts, the trace."""

    def __init__(self):
        self.findings = {}    # requirement id -> status
        self.derived = {}     # fact type -> {id: fact}
        self.trace = []
        self.pending = []     # derived facts waiting for the next stage


def run(version, input_facts):
    """Judge one set of facts under `version`: forward-chain to quiescence, stage by stage."""
    loaded = _loaded.get(compiler.engine_name(version))
    if loaded is None:
        raise errors.EngineError(f"{version.key} was never registered with the engine (engine.register_all at start)")
    handle, compiled = loaded
    sid = str(next(_session_ids))
    result = Run()
    fields = compiled.fields
    payload = []
    for f in input_facts:
        keep = fields.get(f["t"])
        if keep is None:
            continue  # no rule reads this kind of fact
        fact = {"t": f["t"], "id": f["id"], "sid": sid}
        for k in keep:
            fact[k] = f[k]
        payload.append(fact)
    with _lock:
        state_handle = None
        try:
            state_handle = _dre.assert_facts(handle, jsontext.dumps(payload))[1]
            for stage in range(1, compiled.stages + 1):
                if result.pending:
                    # Facts derived at a lower stage, asserted in one call: a rule only
                    # reads facts of lower stages, so none of them could fire earlier.
                    _dre.assert_facts(handle, jsontext.dumps(result.pending))
                    result.pending = []
                state_handle = _dre.assert_fact(
                    handle, f'{{"sid": "{sid}", "id": "$stage{stage}", "t": "$stage", "n": {stage}}}')[1]
                _drain(handle, state_handle, sid, version, compiled, result)
        except BaseException:
            if state_handle is not None:
                _discard(handle, state_handle)
            raise
        finally:
            _dre.delete_state(handle, sid)
    return result


def _discard(handle, state_handle):
    """Complete every pending action unrun: sessions deleted with actions never started have
    corrupted the heap in experiments here."""
    try:
        started = _dre.start_action_for_state(handle, state_handle)
        for _ in range(100_000):
            if not started or not _dre.complete_and_start_action(handle, state_handle):
                break
    except Exception:  # the original error is the one worth reporting
        pass


def _drain(handle, state_handle, sid, version, compiled, result):
    started = _dre.start_action_for_state(handle, state_handle)
    if not started:
        return
    state, message = started
    while message:
        try:
            # A message is {"<rule name>": {matched facts}}; findings need only the name,
            # so the (large) matched facts are decoded for derivations alone.
            rule = message[2:message.index('"', 2)]
            action = compiled.actions[rule]
            if action.kind == "finding":
                _conclude(action, rule, result)
            else:
                _derive(handle, sid, version, action, rule, jsontext.loads(message)[rule], result)
        except Exception as e:
            _dre.abandon_action(handle, state_handle)
            raise errors.EngineError(f"rule action failed in {version.key}: {e}") from e
        message = _dre.complete_and_start_action(handle, state_handle)


def _conclude(action, rule, result):
    if action.source_id in result.findings:
        return  # another clause of the same conclusion already fired
    result.findings[action.source_id] = action.status
    result.trace.append({"step": len(result.trace) + 1, "rule": rule, "asserted": {
        "finding": action.source_id, "status": action.status}})


def _derive(handle, sid, version, action, rule, matched, result):
    step = len(result.trace) + 1
    env = matched
    key = action.fact if not action.foreach else f"{action.fact}:{env[action.foreach]['id']}"
    bucket = result.derived.setdefault(action.fact, {})
    if key in bucket:
        return
    fact = {"t": action.fact, "id": key}
    if action.foreach:
        fact["of"] = env[action.foreach]["id"]
    if action.value is not None:
        fact["value"] = action.value
    for name, fn in action.set.items():
        fact[name] = fn(env, {})
    bucket[key] = fact
    result.trace.append({"step": step, "rule": rule, "asserted": _readable(version, fact)})
    result.pending.append({**fact, "sid": sid})


def _readable(version, fact):
    ft = version.fact_types.get(fact["t"])
    out = {"fact": fact["t"]}
    for k, val in fact.items():
        if k in ("t", "sid"):
            continue
        out[k] = calendar.readable(val, ft is not None and ft.fields.get(k) == "date")
    return out
