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
from server.engine import ids
from server.rules import calendar

_lock = threading.Lock()
_loaded = {}             # engine name -> (ruleset handle, Compiled, (stage fact ids, hashes they hold))
_session_ids = itertools.count(1)
_stuck = set()           # hashes of sids whose session may outlive its ruling (see _draw_sid)
_NOT_HANDLED = 1         # the highest assert result code that is not a failure (see _refused)
_CODES = {0: "RULES_OK", 1: "ERR_EVENT_NOT_HANDLED", 2: "ERR_EVENT_OBSERVED", 3: "ERR_EVENT_DEFERRED"}


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
            _loaded[name] = (_dre.create_ruleset(name, jsontext.dumps(compiled.rules)), compiled,
                             ids.reserve([f"$stage{n}" for n in range(1, compiled.stages + 1)]))
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
    handle, compiled, (stages, reserved) = loaded
    session, payload = _open(compiled, reserved, input_facts)
    sid = session.sid
    result = Run()
    with _lock:
        state_handle = None
        try:
            code, state_handle = _dre.assert_facts(handle, jsontext.dumps(payload))
            if code > _NOT_HANDLED:
                raise _refused(code, "the input facts")
            for stage, stage_id in enumerate(stages, 1):
                if result.pending:
                    # Facts derived at a lower stage, asserted in one call: a rule only
                    # reads facts of lower stages, so none of them could fire earlier.
                    code = _dre.assert_facts(handle, jsontext.dumps(result.pending))[0]
                    if code > _NOT_HANDLED:
                        raise _refused(code, "derived facts")
                    result.pending = []
                code, state_handle = _dre.assert_fact(
                    handle, f'{{"sid": "{sid}", "id": "{stage_id}", "t": "$stage", "n": {stage}}}')
                if code > _NOT_HANDLED:
                    raise _refused(code, f"stage {stage}")
                _drain(handle, state_handle, session, version, compiled, result)
        except BaseException as e:
            if state_handle is not None:
                _discard(handle, state_handle)
            if isinstance(e, _dre.error):
                raise errors.EngineError(f"durable_rules failed in {version.key}: {e}") from e
            raise
        finally:
            try:
                _dre.delete_state(handle, sid)
            except BaseException:
                _stuck.add(ids.fnv1a32(sid))   # it may still be live: never draw a sid with its hash
                raise
    return result


def _draw_sid():
    """A session id that no live session of any ruleset shares a hash with.

    The engine keys a ruleset's sessions by the hash of the sid. Every ruling creates its
    session (first assert) and deletes it (in a `finally`) while holding `_lock`,
    so at most one session is live in the process and no two live sessions can share a hash.
    A session whose deletion failed may still be live: its hash is in `_stuck`, never drawn again.
    """
    while True:
        sid = str(next(_session_ids))
        if not _stuck or ids.fnv1a32(sid) not in _stuck:
            return sid


def _open(compiled, reserved, input_facts):
    """The ids of one ruling's session (its sid among them), and its input facts as the engine gets them:
    the fields some rule reads, under an id whose hash no other fact in the session holds."""
    session_ids = ids.SessionIds(reserved)
    claim, fields = session_ids.claim, compiled.fields
    sid = _draw_sid()
    payload = []
    for f in input_facts:
        keep = fields.get(f["t"])
        if keep is None:
            continue  # no rule reads this kind of fact
        fact = {"t": f["t"], "id": claim(f["id"]), "sid": sid}
        for k in keep:
            fact[k] = f[k]
        payload.append(fact)
    while not session_ids.admit_session(sid):
        # The engine's own fact for this session would collide with one of ours: take
        # the next sid (rare: about one ruling in 4e9 per fact) rather than rename a fact.
        sid = _draw_sid()
        for fact in payload:
            fact["sid"] = sid
    return session_ids, payload


def _refused(code, what):
    """EngineError naming a result code of an assert other than success.

    0 is success. 1 (ERR_EVENT_NOT_HANDLED) says no rule's pattern accepts some fact of
    the call, so no rule could ever see it: a normal outcome (a person whose status no rule
    tests for). Anything else, such as 2 (ERR_EVENT_OBSERVED: a fact dropped because its id
    hash was taken), means the engine did not hold what we asserted. A batch reports one
    code for all its facts, and a later 1 hides an earlier 2: ids are made distinct before
    asserting (`ids`) rather than trusting this check alone.
    """
    return errors.EngineError(f"durable_rules refused {what}: result code {code} ({_CODES.get(code, 'unknown')})")


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


def _drain(handle, state_handle, session, version, compiled, result):
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
                _derive(session, version, action, rule, jsontext.loads(message)[rule], result)
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


def _derive(session, version, action, rule, matched, result):
    step = len(result.trace) + 1
    env = matched
    # Matched facts carry engine ids; the rules, the trace and the findings speak logical ones.
    of = session.logical(env[action.foreach]["id"]) if action.foreach else None
    key = action.fact if of is None else f"{action.fact}:{of}"
    bucket = result.derived.setdefault(action.fact, {})
    if key in bucket:
        return
    fact = {"t": action.fact, "id": key}
    if of is not None:
        fact["of"] = of
    if action.value is not None:
        fact["value"] = action.value
    for name, fn in action.set.items():
        fact[name] = fn(env, {})
    bucket[key] = fact
    result.trace.append({"step": step, "rule": rule, "asserted": _readable(version, fact)})
    result.pending.append({**fact, "id": session.claim(key), "sid": session.sid})


def _readable(version, fact):
    ft = version.fact_types.get(fact["t"])
    out = {"fact": fact["t"]}
    for k, val in fact.items():
        if k in ("t", "sid"):
            continue
        out[k] = calendar.readable(val, ft is not None and ft.fields.get(k) == "date")
    return out
