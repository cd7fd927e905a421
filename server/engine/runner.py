"""The only door to durable_rules: register compiled versions, run rulings one at a time.

We drive durable's C engine directly rather than through `durable.engine.Host`:
the Host starts timer threads that race the caller and segfault once two sessions
overlap, its batch assert drops actions when one fact matches no rule, and it
swallows exceptions raised in actions. Here every call into the engine holds one
process-wide lock, and actions are plain data (assert a derived fact / conclude a
finding) carried out in `actions`, so a failure surfaces as an exception instead of silence.

Sessions are reused: each ruleset keeps one live session per process (creating and
deleting one was a quarter of a ruling). After each ruling every fact asserted in it
is retracted in one call, stage facts first so no rule can fire while it empties; on
any error the session is deleted and the next ruling starts a fresh one.
"""
import functools
import itertools
import threading

import durable_rules_engine as _dre

from server import errors, jsontext
from server.engine import actions
from server.engine import compile as compiler
from server.engine import ids

Run = actions.Run

_lock = threading.Lock()
_loaded = {}             # engine name -> _Version
_live = {}               # ruleset handle -> _Session (at most one per ruleset, see _draw_sid)
_session_ids = itertools.count(1)
_stuck = set()           # hashes of sids whose session may be live though we dropped it (see _draw_sid)
_NOT_HANDLED = 1         # the highest assert result code that is not a failure (see _refused)
_CODES = {0: "RULES_OK", 1: "ERR_EVENT_NOT_HANDLED", 2: "ERR_EVENT_OBSERVED", 3: "ERR_EVENT_DEFERRED"}


class _Version:
    """A registered version: its ruleset, compiled form, stage ids, and the multi-application
    ruleset once one was asked for (None: not yet; False: the engine cannot run it)."""

    def __init__(self, handle, compiled):
        self.handle, self.compiled = handle, compiled
        self.stages, self.reserved = ids.reserve([f"$stage{n}" for n in range(1, compiled.stages + 1)])
        self.multi = None


class _Session:
    """A live engine session: its sid, the hashes every ruling in it starts from, its stage facts."""

    def __init__(self, sid, held, stage_texts, reusable):
        self.sid, self.held, self.stage_texts, self.reusable = sid, held, stage_texts, reusable


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
            _loaded[name] = _Version(_dre.create_ruleset(name, jsontext.dumps(compiled.rules)), compiled)
    return name


def register_all(book):
    """Register every version of every regulation in `book` (where a process starts)."""
    for reg in book.regulations.values():
        for v in reg.versions:
            register(v)


def _registered(version):
    loaded = _loaded.get(compiler.engine_name(version))
    if loaded is None:
        raise errors.EngineError(f"{version.key} was never registered with the engine (engine.register_all at start)")
    return loaded


def run(version, input_facts):
    """Judge one set of facts under `version`: forward-chain to quiescence, stage by stage."""
    loaded = _registered(version)
    result = Run()
    with _lock:
        live = _session(loaded.handle, loaded.stages, loaded.reserved, loaded.compiled.reusable)
        session = ids.SessionIds(live.held, live.sid)
        payload = _payload(loaded.compiled, session, input_facts, None, [])
        _judge(loaded.handle, live, version, payload,
               functools.partial(actions.apply, compiled=loaded.compiled, session=session, result=result))
    return result


def run_many(version, many):
    """Judge several applications' facts (a list of lists) in one session; one Run each, in order,
    the same as `run` on each. If anything fails, each is judged alone: one whose own ruling fails
    gets its exception in its place instead of a Run."""
    loaded = _registered(version)
    if len(many) > 1 and _multi(loaded):
        handle, compiled = loaded.multi
        results = [Run() for _ in many]
        with _lock:
            live = _session(handle, loaded.stages, loaded.reserved, compiled.reusable)
            session = ids.SessionIds(live.held, live.sid)

            def apply(message, pending):
                app = actions.app_of(message)
                actions.apply(message, pending, compiled, session, results[app], app)
            try:
                payload = []
                for app, input_facts in enumerate(many):
                    _payload(compiled, session, input_facts, app, payload)
                _judge(handle, live, version, payload, apply)
                return results
            except Exception:
                pass   # nothing asserted, or the session was dropped: judge each alone below
    return [_alone(version, input_facts) for input_facts in many]


def _alone(version, input_facts):
    try:
        return run(version, input_facts)
    except Exception as e:   # one application's failure is its own
        return e


def _multi(loaded):
    """The multi-application ruleset of a version, registered on first use; False if it cannot be."""
    if loaded.multi is None:
        compiled = compiler.multi(loaded.compiled)
        with _lock:
            if loaded.multi is None:
                try:
                    loaded.multi = (_dre.create_ruleset(compiled.name, jsontext.dumps(compiled.rules)), compiled)
                except _dre.error:
                    loaded.multi = False
    return loaded.multi


def _payload(compiled, session, input_facts, app, out):
    """Append to `out` the input facts as the engine gets them: the fields some rule reads, under
    an id whose hash no other fact in the session holds (in a multi-application session, the
    application's number first, as `<app>/<id>`)."""
    claim, fields, sid = session.claim, compiled.fields, session.sid
    for f in input_facts:
        keep = fields.get(f["t"])
        if keep is None:
            continue  # no rule reads this kind of fact
        if app is None:
            fact = {"t": f["t"], "id": claim(f["id"]), "sid": sid}
        else:
            fact = {"app": app, "t": f["t"], "id": claim(f"{app}/{f['id']}"), "sid": sid}
        for k in keep:
            fact[k] = f[k]
        out.append(fact)
    return out


def _judge(handle, live, version, payload, apply):
    """Assert `payload`, then each stage with the facts derived below it, carrying out every action
    with `apply(message, pending)`; then empty the session. Called holding `_lock`."""
    state_handle = None
    asserted = []    # JSON texts of every fact asserted, to retract them
    try:
        pending, what = payload, "the input facts"
        for stage, stage_text in enumerate(live.stage_texts, 1):
            # The facts of lower stages and then the stage fact, in one call: the engine takes a
            # batch in order, and a rule reads only lower stages, so none could fire earlier.
            body = jsontext.dumps(pending)[1:-1]
            code, state_handle = _dre.assert_facts(handle, f"[{body},{stage_text}]" if body else f"[{stage_text}]")
            if code > _NOT_HANDLED:
                raise _refused(code, f"{what} or stage {stage}")
            asserted.append(body)
            pending, what = [], "derived facts"
            _drain(handle, state_handle, version, apply, pending)
        if live.reusable:
            _empty(handle, live, asserted)
        else:
            _drop(handle, live)
    except BaseException as e:
        if state_handle is not None:
            _discard(handle, state_handle)
        _drop(handle, live)
        if isinstance(e, _dre.error):
            raise errors.EngineError(f"durable_rules failed in {version.key}: {e}") from e
        raise


def _empty(handle, live, asserted):
    """Retract every fact of the ruling, stage facts first: with no stage fact no rule can
    fire, so retracting a fact that a negated pattern denies starts no action."""
    texts = [t for t in (*live.stage_texts, *asserted) if t]
    code, state_handle = _dre.retract_facts(handle, f"[{','.join(texts)}]")
    if code > _NOT_HANDLED:
        raise _refused(code, "the retraction of the ruling's facts")
    if _dre.start_action_for_state(handle, state_handle):   # never seen: complete it unrun, drop the session
        _discard(handle, state_handle)
        raise errors.EngineError("durable_rules started an action while a session was emptied")


def _session(handle, stages, reserved, reusable):
    """The live session of a ruleset, or a new one. Called holding `_lock`."""
    live = _live.get(handle)
    if live is None:
        session = ids.SessionIds(reserved)
        sid = _draw_sid()
        while not session.admit_session(sid):   # its session fact would collide with a stage fact
            sid = _draw_sid()
        texts = [f'{{"sid": "{sid}", "id": "{stage_id}", "t": "$stage", "n": {n}}}'
                 for n, stage_id in enumerate(stages, 1)]
        live = _live[handle] = _Session(sid, session.held(), texts, reusable)
    return live


def _drop(handle, live):
    """Delete a session after an error; the next ruling opens a fresh one."""
    _live.pop(handle, None)
    try:
        _dre.delete_state(handle, live.sid)
    except BaseException:
        _stuck.add(ids.fnv1a32(live.sid))   # it may still be live: never draw a sid with its hash
        raise


def drop_sessions():
    """Delete every live session (the next ruling of each version opens a fresh one)."""
    with _lock:
        for handle, live in list(_live.items()):
            _drop(handle, live)


def _draw_sid():
    """A session id that no live session of any ruleset shares a hash with.

    The engine keys a ruleset's sessions by the hash of the sid. A session is created by
    the first assert into it and deleted when a ruling fails, both holding `_lock`; a
    ruleset has at most one live session, each with a sid never drawn before, so no two
    live sessions can share a hash. A session whose deletion failed may still be live:
    its hash is in `_stuck`, never drawn again.
    """
    while True:
        sid = str(next(_session_ids))
        if not _stuck or ids.fnv1a32(sid) not in _stuck:
            return sid


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
    corrupted the heap in experiments here, and an action started and never completed locks
    its session for 30 s."""
    try:
        started = _dre.start_action_for_state(handle, state_handle)
        for _ in range(100_000):
            if not started or not _dre.complete_and_start_action(handle, state_handle):
                break
    except Exception:  # the original error is the one worth reporting
        pass


def _drain(handle, state_handle, version, apply, pending):
    started = _dre.start_action_for_state(handle, state_handle)
    if not started:
        return
    message = started[1]
    while message:
        try:
            apply(message, pending)
        except Exception as e:
            _dre.abandon_action(handle, state_handle)
            raise errors.EngineError(f"rule action failed in {version.key}: {e}") from e
        message = _dre.complete_and_start_action(handle, state_handle)
