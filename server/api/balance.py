"""Keep-alive connections spread evenly over `ereje serve`'s workers.

All workers accept from one listening socket, and whichever wakes first takes the
connection: a worker that is idle (or booted first) takes every connection a client
pool opens at once, and since clients keep them alive it serves them all alone while
the other worker idles (rulings at c=8 fell from ~480/s to ~300/s).

Here each worker publishes, in memory the master shares with all of them, how many
connections it holds and when it last said so; a worker accepts only while it holds
no more than any other live worker. The one holding fewest always accepts, so some
worker always does. A worker that exited (the master clears its slot), is silent for
`STALE_S` (hung, or still loading the app) or is shutting down does not count, so it
never holds the others back. Counts are published on every turn of a worker's event
loop (at most `SWEEP_S` apart) and at once on each accept; a count read late only
ever errs high (drops are published on the next turn), so two workers can never both
refuse. Balance is struck as connections open: one kept alive stays where it is.
"""
import multiprocessing
import time

STALE_S = 2.0   # eight turns of a worker's loop missed (worker.SWEEP_S): starved, or hung


class Slots:
    """Per-worker (connections, last heard) pairs in shared memory, made in the master before forking."""

    def __init__(self, size):
        self._values = multiprocessing.RawArray("d", 2 * size)   # lock-free: each slot has one writer
        self.size = size
        self.taken = {}   # in the master: slot -> pid of the worker given it

    def assign(self, live_pids):
        """In the master, before forking a worker: a slot no live worker holds, emptied; None if all are."""
        self.taken = {slot: pid for slot, pid in self.taken.items() if pid in live_pids}
        for slot in range(self.size):
            if slot not in self.taken:
                self._values[2 * slot] = self._values[2 * slot + 1] = 0.0
                return slot
        return None

    def release(self, live_pids):
        """In the master, once workers have exited: their slots count no more, at once."""
        for slot, pid in list(self.taken.items()):
            if pid not in live_pids:
                del self.taken[slot]
                self._values[2 * slot] = self._values[2 * slot + 1] = 0.0

    def publish(self, slot, connections):
        self._values[2 * slot] = connections
        self._values[2 * slot + 1] = time.monotonic()   # CLOCK_MONOTONIC: one clock for every process

    def may_accept(self, slot, connections):
        """Whether the worker in `slot`, holding `connections`, holds no more than any other live one."""
        since = time.monotonic() - STALE_S
        values = self._values[:]   # one copy out of shared memory: reading it item by item costs more
        return not any(values[i] < connections and values[i + 1] > since
                       for i in range(0, len(values), 2) if i != 2 * slot)
