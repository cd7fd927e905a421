"""Turns: in a worker of `ereje serve`, one request thread at a time runs Python; a thread gives
up its turn while it waits on registries.

CPython runs one thread at a time anyway (the GIL), but it hands the GIL over by time slices:
with four threads judging at once, the worker's event loop and every thread back from a system
call queue behind the others' 5 ms slices (the convoy effect). Measured with wrk, 8 clients, 2
workers x 4 threads: p99 400-800 ms and 775-840 rulings/s; taking turns, p99 18-21 ms and
1,130/s. Threads still pay for themselves where they wait: on registries over HTTP, when the
turn is given up. Off (both context managers do nothing) until `enable()`: the CLI, the tests
and a batch never take turns.
"""
import threading
from contextlib import contextmanager

_state = {"turn": None}      # the process's one turn, once enabled
_mine = threading.local()    # whether this thread holds it


def enable():
    """Take turns from now on in this process (a server worker, after it forks)."""
    if _state["turn"] is None:
        _state["turn"] = threading.Lock()


@contextmanager
def taken():
    """Run the block in this thread's turn (at once if it holds it already)."""
    turn = _state["turn"]
    if turn is None or getattr(_mine, "held", False):
        yield
        return
    with turn:
        _mine.held = True
        try:
            yield
        finally:
            _mine.held = False


@contextmanager
def given_up():
    """Let other threads run the block's while: this thread only waits in it."""
    turn = _state["turn"]
    if turn is None or not getattr(_mine, "held", False):
        yield
        return
    _mine.held = False
    turn.release()
    try:
        yield
    finally:
        turn.acquire()
        _mine.held = True
