"""`ereje compare FILE --cluster ADDRESS`: the same chunks judged on a Dask distributed cluster.

The client splits JSON Lines and CSV files into byte ranges; each worker reads its
own range of the file (at the same path on every node), judges it in chunks with
batch.run's judge_chunk, and sends back the per-application results, numbered
from the range's first line, and how many lines the range spans. The client folds
the ranges in file order, adding the lines before each, so the results are those
of a local run. A JSON array cannot be split at lines: the client reads it and
sends the items in chunks.

A worker process loads the rule files once per run setup (policies digest,
regulation, versions, language) and keeps them for the next task of that setup.
"""
import collections
import contextlib
import hashlib
import importlib.metadata
import logging
import os
import re
import socket
from pathlib import Path

from server.batch import inputs
from server.batch.run import init_worker, judge_chunk

CONNECT_TIMEOUT_S = 5
CHUNK = 64                                  # applications per judge_chunk call, as the local pool sends
PART_MIN, PART_MAX = 64 * 1024, 16 * 2**20  # bytes of file per task
PARTS_PER_WORKER = 8                        # tasks per worker over a file, so a slow node does not hold the end
WINDOW_PER_WORKER = 3                       # tasks in flight per worker: results wait in order on the client
# Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which also pins glibc's mmap threshold:
# each engine session's buffers are then mapped and unmapped, and judging takes 1.8 times the CPU.
LOCAL_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
_ADDRESS = re.compile(r"^(tcp|tls|ws|wss|ucx|inproc)://\S+$|^[\w.-]+:\d+$")


class ClusterError(Exception):
    """The cluster cannot do the run (exit 2 with this message)."""


def check_address(text):
    """`local` or a scheduler address; ClusterError for anything else."""
    text = text.strip()
    if text == "local" or _ADDRESS.match(text):
        return text
    raise ClusterError(f"--cluster {text}: give a scheduler address (tcp://host:port) or 'local'")


def policies_digest(policies):
    """SHA-256 of the rule files under `policies` (those rulebook.load reads), or None if there are none."""
    directory = Path(policies)
    files = sorted(directory.glob("*/*.yaml")) + sorted(directory.glob("*/*.yml"))
    if not files:
        return None
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


# --- on a worker ----------------------------------------------------------------

_setup = [None]    # the setup this process has loaded


def _ready(setup):
    """Load the rule files for `setup` unless this process already has (once per run, not per task)."""
    if _setup[0] == setup:
        return
    policies, digest, regulation, versions, lang = setup
    found = policies_digest(policies)
    if found is None:
        raise ClusterError(f"worker on {socket.gethostname()}: no rule files at {policies}")
    if found != digest:
        raise ClusterError(f"worker on {socket.gethostname()}: the rule files at {policies} differ from the client's")
    init_worker(policies, regulation, versions, lang)
    _setup[0] = setup


def _judge(items):
    results, chunk = [], []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            results += judge_chunk(chunk)
            chunk = []
    return results + judge_chunk(chunk) if chunk else results


def judge_part(setup, path, name, fmt, start, end):
    """(lines the part spans, results numbered from its first line) for bytes [start, end) of `path`
    (`name`: the file as the user named it, for messages)."""
    _ready(setup)
    try:
        with open(path, "rb") as raw:
            lines, items = inputs.part_items(raw, fmt, start, end, name)
            results = _judge(items)
            return lines.count, results     # the count once the items are read
    except OSError as e:
        raise ClusterError(f"worker on {socket.gethostname()}: cannot read {path}: {e.strerror or e} "
                           "(the file must be at the same path on every node)") from None


def judge_items(setup, items):
    """(0, results) for items the client read (a JSON array): their lines are already the file's."""
    _ready(setup)
    return 0, _judge(items)


# --- on the client --------------------------------------------------------------

@contextlib.contextmanager
def connect(address, jobs):
    """A Client of the scheduler at `address`, or of a LocalCluster of `jobs` one-thread processes."""
    # Imported here: distributed is needed only with --cluster, and every other command would pay its import.
    import dask.config
    import distributed  # (as above: only with --cluster)
    cluster = None
    try:
        if address == "local":
            # Its web page on a free port: two runs at once must not both ask for 8787.
            with dask.config.set(LOCAL_CONFIG):
                cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                   dashboard_address=":0", silence_logs=logging.CRITICAL)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as e:
        if cluster is not None:
            cluster.close()
        where = "a local cluster" if address == "local" else f"the scheduler at {address}"
        raise ClusterError(f"--cluster: cannot reach {where} within {CONNECT_TIMEOUT_S} s ({e})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_workers(client, address, policies, digest):
    """The number of workers, once each has one thread, this package's version and the same rule files."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise ClusterError(f"--cluster {address}: no worker joined the scheduler within {CONNECT_TIMEOUT_S} s") from None
    workers = client.scheduler_info(n_workers=-1)["workers"]
    for addr, info in sorted(workers.items()):
        if info.get("nthreads", 1) != 1:
            raise ClusterError(f"worker {addr} runs {info['nthreads']} threads: start workers with --nthreads 1 "
                               "(one engine per process)")
    mine = importlib.metadata.version("ereje")
    # A stdlib function, so that a worker without the package can still answer.
    for addr, found in sorted(client.run(importlib.metadata.version, "ereje", on_error="return").items()):
        if isinstance(found, BaseException):
            raise ClusterError(f"worker {addr}: the ereje package is not installed there ({mine} is needed)")
        if found != mine:
            raise ClusterError(f"worker {addr}: ereje {found} is installed there, the client has {mine}")
    for addr, found in sorted(client.run(policies_digest, policies, on_error="return").items()):
        if found is None or isinstance(found, BaseException):
            raise ClusterError(f"worker {addr}: no rule files at {policies} (each node needs them at that path)")
        if found != digest:
            raise ClusterError(f"worker {addr}: the rule files at {policies} differ from the client's")
    return len(workers)


class Judged:
    """The results of a file judged on a cluster, in input order with the file's line numbers.

    Iterate it once; `position` is the byte of the file up to which results came back.
    """

    def __init__(self, client, file, fmt, judging, workers):
        policies = str(Path(judging["policies"]).resolve())
        self.setup = (policies, policies_digest(policies), judging["regulation"], tuple(judging["versions"]),
                      judging["lang"])
        self.client, self.name, self.fmt, self.workers = client, str(file), fmt, workers
        self.file = Path(file).resolve()
        self.position = 0

    def __iter__(self):
        if self.fmt == "json":
            return self._array()
        return self._parts()

    def _parts(self):
        size = os.path.getsize(self.file)
        step = min(PART_MAX, max(PART_MIN, size // (self.workers * PARTS_PER_WORKER) + 1))
        ranges = [(a, min(a + step, size)) for a in range(0, size, step)]
        tasks = ((judge_part, self.setup, str(self.file), self.name, self.fmt, a, b) for a, b in ranges)
        before = 0
        try:
            for (_, end), (spans, results) in zip(ranges, self._ordered(tasks)):
                for r in results:
                    yield {**r, "line": r["line"] + before}
                before += spans
                self.position = end
        except inputs.SplitError as e:   # its line counts from the first of its part, which follows `before`
            raise inputs.InputError(f"{self.name}: line {before + e.line}: {e.reason}") from None

    def _array(self):
        with open(self.name, "rb") as raw:
            items = inputs.read_items(raw, "json")
            tasks = ((judge_items, self.setup, chunk) for chunk in _batches(items, CHUNK * 16))
            for _, results in self._ordered(tasks):
                yield from results
                self.position = raw.tell()

    def _ordered(self, tasks):
        """Each task's value in submission order, with at most a window of tasks in flight."""
        pending = collections.deque()
        window = self.workers * WINDOW_PER_WORKER
        for fn, *args in tasks:
            pending.append(self.client.submit(fn, *args, pure=False))
            if len(pending) >= window:
                yield self._value(pending.popleft())
        while pending:
            yield self._value(pending.popleft())

    def _value(self, future):
        try:
            return future.result()
        except (ClusterError, inputs.InputError):
            raise
        except Exception as e:  # a worker died, lacked a module, or the scheduler went away: say which, no traceback
            raise ClusterError(f"the cluster could not judge {self.file}: {type(e).__name__}: {e}") from None


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
