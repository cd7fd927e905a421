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

from . import errors, facts as factmodel, jsontext

_lock = threading.Lock()
_handles = {}            # engine name -> ruleset handle
_session_ids = itertools.count(1)


def register(version):
    """Register a compiled version once; re-registration of the same digest is a no-op."""
    name = f"{version.key}#{version.digest[7:19]}"
    with _lock:
        if name not in _handles:
            # durable mutates the definition it is given: pass a fresh JSON text.
            _handles[name] = _dre.create_ruleset(name, jsontext.dumps(version.rules))
    version.engine_name = name
    return name


class Run:
    """What one ruling produced: findings by requirement, derived facts, the trace."""

    def __init__(self):
        self.findings = {}    # requirement id -> status
        self.derived = {}     # fact type -> {id: fact}
        self.trace = []
        self.pending = []     # derived facts waiting for the next stage


def run(version, input_facts):
    """Judge one set of facts under `version`: forward-chain to quiescence, stage by stage."""
    if not version.engine_name:
        register(version)
    handle = _handles[version.engine_name]
    sid = str(next(_session_ids))
    result = Run()
    fields = version.engine_fields
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
            for stage in range(1, version.stages + 1):
                if result.pending:
                    # Facts derived at a lower stage, asserted in one call: a rule only
                    # reads facts of lower stages, so none of them could fire earlier.
                    _dre.assert_facts(handle, jsontext.dumps(result.pending))
                    result.pending = []
                state_handle = _dre.assert_fact(
                    handle, f'{{"sid": "{sid}", "id": "$stage{stage}", "t": "$stage", "n": {stage}}}')[1]
                _drain(handle, state_handle, sid, version, result)
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


def _drain(handle, state_handle, sid, version, result):
    started = _dre.start_action_for_state(handle, state_handle)
    if not started:
        return
    state, message = started
    while message:
        try:
            # A message is {"<rule name>": {matched facts}}; findings need only the name,
            # so the (large) matched facts are decoded for derivations alone.
            rule = message[2:message.index('"', 2)]
            action = version.actions[rule]
            if action.kind == "finding":
                _conclude(action, rule, result)
            else:
                _derive(handle, sid, version, action, rule, jsontext.loads(message)[rule], result)
        except Exception as e:
            _dre.abandon_action(handle, state_handle)
            raise errors.EngineError(f"rule action failed in {version.key}: {e}") from e
        # _dre.update_state(handle, state)
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
        out[k] = factmodel.readable(val, ft is not None and ft.fields.get(k) == "date")
    return out
