"""Fact and session ids that durable_rules cannot confuse.

durable_rules 2.0.28 keys the facts of a session, and the sessions of a ruleset,
by `fnv1Hash32` of the id string (src/rules/state.c): 32-bit FNV-1a over the
id's bytes, each read as a C `char`. Two different ids with the same hash are the
same fact to it: the second is dropped (ERR_EVENT_OBSERVED) and a batch reports
one code for all its facts, so the drop can go unseen. Measured: the engine's own
session fact `sid-82548875` (it asserts `{"id": "sid-<sid>", "$s": 1}` when a session
starts) collides with `application`, and that ruling crashed the process.

So every id asserted in one session is claimed here first. An id whose hash is
taken gets a deterministic engine id (`<id>~1`, `<id>~2`, ...) and the runner maps
it back, so rules, findings and the trace only ever see the logical id. A session
is reused for many rulings (runner): its session fact and stage facts are held first,
and each ruling's facts are claimed after them.
"""
import itertools

_OFFSET = 0x811C9DC5
_PRIME = 16777619
_MASK = 0xFFFFFFFF
_CACHE_MAX = 1 << 16

_hashes = {}   # id -> hash; the runner's ids repeat (application, worker:0, $stage1, ...)


def fnv1a32(text, start=_OFFSET):
    """The engine's hash of `text`, continuing from `start` (a prefix's hash).

    Bytes from 0x80 are sign-extended as C `char` is on x86-64, the build used here;
    the runner's ids are ASCII, so the other reading would give the same hashes.
    """
    h = start
    for b in text.encode("utf-8"):
        h = ((h ^ (b if b < 0x80 else b | 0xFFFFFF00)) * _PRIME) & _MASK
    return h


def cached_hash(text):
    """`fnv1a32(text)`, remembered: about 50 ns instead of 1 µs for an id seen before."""
    h = _hashes.get(text)
    if h is None:
        if len(_hashes) >= _CACHE_MAX:
            _hashes.clear()  # bounded, whatever ids callers pass
        h = _hashes[text] = fnv1a32(text)
    return h


_SESSION_FACT_PREFIX = fnv1a32("sid-")
_last_session = ("", _SESSION_FACT_PREFIX)   # (sid without its last digit, hash of "sid-" + that)


def session_fact_hash(sid):
    """Hash of `sid-<sid>`, the fact the engine asserts when session `sid` starts.

    Successive sids share all but their last digit: that prefix's hash is kept.
    """
    global _last_session
    head, h = _last_session
    if sid[:-1] != head:
        head = sid[:-1]
        h = fnv1a32(head, _SESSION_FACT_PREFIX)
        _last_session = (head, h)
    return ((h ^ ord(sid[-1])) * _PRIME) & _MASK   # a sid is ASCII digits


def reserve(fixed):
    """Engine ids for `fixed` (ids every session of a version holds) and the hashes they hold."""
    session = SessionIds({})
    engine_ids = [session.claim(x) for x in fixed]
    return engine_ids, session._owner


class SessionIds:
    """The ids of one session: each hash held by one id, renamed ids mapped back.

    Start from `reserve(...)` of the runner's fixed ids and `admit_session` (a sid whose
    session fact collides with a fixed id is refused and another drawn); each ruling in
    that session starts from `held()` and `claim`s each fact's id.
    """

    __slots__ = ("_owner", "_logical", "sid")

    def __init__(self, reserved, sid=None):
        self._owner = dict(reserved)   # hash -> the engine id holding it
        self._logical = None           # renamed engine id -> logical id, once one is renamed
        self.sid = sid                 # the session, once admitted (or already admitted in `reserved`)

    def held(self):
        """The hashes held so far (to start the next ruling of a reused session from)."""
        return dict(self._owner)

    def claim(self, logical):
        """The engine id for `logical`: itself, or the first free `<logical>~k`."""
        h = _hashes.get(logical)   # inline: this runs for every fact of every ruling
        if h is not None and h not in self._owner:
            self._owner[h] = logical
            return logical
        h = cached_hash(logical)
        if h not in self._owner:
            self._owner[h] = logical
            return logical
        for k in itertools.count(1):
            candidate = f"{logical}~{k}"
            h = fnv1a32(candidate)
            if h not in self._owner:
                self._owner[h] = candidate
                self._logical = {**(self._logical or {}), candidate: logical}
                return candidate

    def admit_session(self, sid):
        """Take `sid` and hold the hash of the engine's own fact for it; False if an id here has it."""
        h = session_fact_hash(sid)
        if h in self._owner:
            return False
        self._owner[h] = "sid-" + sid
        self.sid = sid
        return True

    def logical(self, engine_id):
        """The id the rules gave the fact the engine knows as `engine_id`."""
        return self._logical.get(engine_id, engine_id) if self._logical else engine_id
