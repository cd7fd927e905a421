"""Turns (adapters/turns.py): one thread at a time runs a server worker's Python, and a thread
waiting on registries lets the others run."""
import threading

import pytest

from adapters import REGISTRIES, Query, Source, gather, turns

QUERY = Query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",),
              region="ALMATY", year=2025, quota_category="3")


@pytest.fixture
def enabled(monkeypatch):
    monkeypatch.setitem(turns._state, "turn", None)
    turns.enable()
    yield


class WaitsForAnother(Source):
    """A remote-like source whose quota answers only once another thread has had its turn."""

    name = "http"
    deadline_s = 10.0

    def __init__(self, other_ran):
        self.other_ran = other_ran

    def fetch(self, registry, query):
        if registry == "quota" and not self.other_ran.wait(10):
            raise TimeoutError("no other thread ran")
        return {"remaining": 3}, {"source": "http", "fetched_at": "2025-09-20T10:00:00Z"}


def test_a_thread_waiting_on_registries_lets_another_take_its_turn(enabled):
    other_ran, answered = threading.Event(), []

    def other():
        with turns.taken():
            other_ran.set()

    with turns.taken():
        helper = threading.Thread(target=other)
        helper.start()
        gathered = gather(WaitsForAnother(other_ran), REGISTRIES, QUERY)
        answered.append(gathered.missing)
    helper.join(10)
    assert answered == [[]]
    assert other_ran.is_set()


def test_one_thread_at_a_time_holds_a_turn(enabled):
    inside, most, lock = [0], [0], threading.Lock()
    start = threading.Barrier(4)

    def work():
        start.wait()
        for _ in range(200):
            with turns.taken():
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1


def test_a_turn_taken_again_in_the_same_thread_does_not_wait_for_itself(enabled):
    with turns.taken():
        with turns.taken():
            with turns.given_up():
                pass
        done = True
    assert done


def test_without_enable_turns_are_not_taken(monkeypatch):
    monkeypatch.setitem(turns._state, "turn", None)
    inside = []

    def work():
        with turns.taken():
            inside.append(1)

    with turns.taken():
        helper = threading.Thread(target=work)
        helper.start()
        helper.join(10)
    assert inside == [1]   # the other thread ran while this one held "its turn"


def test_while_a_thread_holds_its_turn_another_waits_for_it(enabled):
    entered = threading.Event()

    def other():
        with turns.taken():
            entered.set()

    with turns.taken():
        turns.enable()   # enabling again keeps the one turn this thread holds
        helper = threading.Thread(target=other)
        helper.start()
        # Not a clock check: a correct turn never lets the other thread in while this one holds it.
        assert not entered.wait(0.2)
    helper.join(10)
    assert entered.is_set()
