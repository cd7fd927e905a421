"""`ereje serve` spreads kept-alive connections over its workers (server/api/balance.py)."""

import threading
import time
from pathlib import Path

import pytest
import requests

from server.api.balance import Slots
from tests.helpers import sample_request
from tests.test_serve import Served


def workers(master):
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def established(port):
    """Socket inodes of the server's side of established TCP connections on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                found.add(fields[9])
    return found


def held(pid, inodes):
    """How many of `inodes` (sockets) process `pid` holds open."""
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.append(fd.readlink().name)
        except OSError:   # closed meanwhile
            pass
    return sum(link.startswith("socket:[") and link[8:-1] in inodes for link in links)


def wait_loaded(pids, db, timeout=60):
    """Until every worker has loaded the app (it then holds the decision log open)."""
    deadline = time.monotonic() + timeout
    while not all(any(fd.resolve() == db for fd in Path(f"/proc/{pid}/fd").iterdir()) for pid in pids):
        assert time.monotonic() < deadline, "workers did not load the app"
        time.sleep(0.1)
    time.sleep(0.5)   # and is turning its event loop


@pytest.mark.slow
def test_eight_kept_alive_clients_are_served_by_both_workers(tmp_path, free_port):
    db = tmp_path / "log.db"
    served = Served(db, free_port())
    try:
        pids = workers(served.process.pid)
        assert len(pids) == 2
        wait_loaded(pids, db.resolve())
        sessions = [requests.Session() for _ in range(8)]
        start = threading.Barrier(8)
        statuses = []

        def client(session):
            start.wait()   # all connect at once, as a client pool does
            for _ in range(3):
                statuses.append(session.post(f"{served.base}/v1/rulings", json=sample_request(), timeout=30).status_code)

        threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inodes = established(served.port)
        shares = sorted(held(pid, inodes) for pid in pids)
    finally:
        served.stop()
    assert statuses == [201] * 24
    assert sum(shares) == 8   # each client kept its one connection ...
    assert shares == [4, 4], f"connections per worker: {shares}"   # ... and each worker holds its share


def test_a_worker_accepts_only_while_it_holds_no_more_than_every_other_live_worker():
    slots = Slots(4)
    a = slots.assign(set())
    slots.taken[a] = 1
    b = slots.assign({1})
    slots.taken[b] = 2
    slots.publish(a, 3)
    slots.publish(b, 2)
    assert not slots.may_accept(a, 3) and slots.may_accept(b, 2)
    slots.publish(b, 3)
    assert slots.may_accept(a, 3) and slots.may_accept(b, 3)   # equal: both take the next
    slots.publish(b, float("inf"))   # b shutting down
    assert slots.may_accept(a, 9)
    slots.publish(b, 0)
    slots.release({1})   # b exited
    assert slots.may_accept(a, 9)
    c = slots.assign({1})
    assert c == b and slots.may_accept(a, 9)   # a new worker counts once it speaks
