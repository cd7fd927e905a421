"""The gunicorn worker `ereje serve` runs: gthread, except that no thread ever waits on a client.

gunicorn's gthread worker hands a connection to a thread as soon as its first bytes
arrive, and that thread then blocks reading the rest: a dozen clients that send
`Content-Length: 1000` and 3 bytes hold every thread, and every other request waits.
Here the worker's event loop reads each request itself, without blocking (selectors),
until `framing` says it is complete, and only then hands it to a thread, whose parser
reads those bytes and never the socket. A request not complete within `read_timeout`
of its first byte (or of the connection opening) gets 408 and is closed; a body over
`max_body`, declared or chunked, gets 413 at once. Threads write answers with a
`write_timeout`. Errors gunicorn itself answers (414, 431, 400 ...) are sent in the
API's one error shape instead of gunicorn's HTML page.

Plain HTTP/1.1 only: TLS belongs to a reverse proxy in front. Each connection's buffer
holds at most a request head (64 KiB) and body (`max_body`), so a worker's memory under
attack is bounded by `worker_connections` (gunicorn's default 1000) times that.
"""
import errno
import selectors
import socket
import time
from dataclasses import dataclass
from functools import partial

from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

from adapters import turns
from server.api import framing
from server.api.plainanswers import CODES, Page, code_of, error_response

READ_SIZE = 64 * 1024
SWEEP_S = 0.25           # how often deadlines are checked
LINGER_DRAIN = 4 * 1024 * 1024  # what a closing connection may still read and discard

@dataclass(frozen=True)
class Limits:
    """What one request may take; `ereje serve` sets them (server/api/serving.py)."""

    max_body: int = 1024 * 1024
    read_timeout: float = 5.0
    write_timeout: float = 10.0
    linger: float = 2.0


class _Conn(TConn):
    def __init__(self, cfg, sock, client, server):
        super().__init__(cfg, sock, client, server)  # non-blocking from here
        # ThreadWorker.handle: no TLS or HTTP/2 set-up, no waiting for data.
        self.initialized = self.data_ready = True
        self.buffer = bytearray()
        self.framing = None
        self.started = 0.0
        self.continued = False
        self.lingering = False
        self.drained = 0
        self.closed = False


class Worker(ThreadWorker):
    """gunicorn's ThreadWorker whose event loop, not its threads, reads requests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = getattr(self.app, "limits", None) or Limits()
        self._deadlines = {}  # connection being read or closed -> monotonic deadline
        self._next_sweep = 0.0
        # (shared slots, this worker's slot) under `ereje serve`'s master (balance.py), else None.
        self._balance = getattr(self.app, "balance", None)

    def init_process(self):
        turns.enable()   # in the worker, after the fork: see adapters/turns.py
        super().init_process()

    def load_wsgi(self):
        super().load_wsgi()
        app = self.wsgi

        def in_turn(environ, start_response):
            # The app's own work takes a turn; sending the answer (a slow reader) does not.
            with turns.taken():
                return app(environ, start_response)
        self.wsgi = in_turn

    # -- the event loop --------------------------------------------------------------

    def accept(self, listener):
        try:
            sock, addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._share()
        self._await_request(_Conn(self.cfg, sock, addr, listener.getsockname()))

    # -- taking an equal share of connections (balance.py) -----------------------------

    def _share(self):
        """Say how many connections this worker holds; stop accepting while it holds more than another."""
        if self._balance is None:
            return
        slots, slot = self._balance
        # A worker shutting down accepts nothing more: it must not hold the others back.
        slots.publish(slot, self.nr_conns if self.alive else float("inf"))
        if self._accepting and not slots.may_accept(slot, self.nr_conns):
            super().set_accept_enabled(False)

    def set_accept_enabled(self, enabled):
        # The loop asks on every turn while accepting is off but a connection would fit.
        if enabled and self._balance is not None:
            slots, slot = self._balance
            enabled = slots.may_accept(slot, self.nr_conns)
        super().set_accept_enabled(enabled)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection has its next request coming."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn)

    def _await_request(self, conn):
        conn.framing = framing.Framing(self.limits.max_body, self.cfg.limit_request_line or 1 << 20)
        conn.started = time.monotonic()
        conn.continued = False
        self._deadlines[conn] = conn.started + self.limits.read_timeout
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
        if conn.buffer:
            self._judge(conn)  # the client sent it behind the previous request
        else:
            self._on_readable(conn)  # usually here already: no need to wait for the poller

    def _on_readable(self, conn, _sock=None):
        data = _recv(conn)
        if data is None:
            return
        if not data:
            self._drop(conn)  # the client went away mid-request
            return
        conn.buffer += data
        self._judge(conn)

    def _judge(self, conn):
        verdict = conn.framing.feed(conn.buffer)
        if verdict.kind == framing.MORE:
            if conn.framing.started and conn.framing.expects_continue and not conn.continued:
                conn.continued = True
                _send(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._forget(conn)
        if verdict.kind == framing.REJECT:
            self._answer(conn, verdict.status, verdict.code, verdict.message)
            self._linger(conn)
            return
        request, conn.buffer = bytes(conn.buffer[:verdict.end]), conn.buffer[verdict.end:]
        # The thread's parser reads these bytes only, never the socket.
        conn.parser = RequestParser(self.cfg, [request], conn.client)
        self.enqueue_req(conn)

    def finish_request(self, conn, fs):
        """Back from a thread: wait for the next request, or close."""
        try:
            keep = not fs.cancelled() and fs.result()
        except Exception:
            keep = False
        try:
            conn.sock.setblocking(False)
            if keep and conn.buffer:
                self._await_request(conn)
            elif keep:
                conn.set_timeout()
                if not self.alive:
                    conn.timeout = min(conn.timeout, time.monotonic() + STOP_KEEPALIVE_LINGER)
                self.keepalived_conns.append(conn)
                self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn))
            else:
                self._linger(conn)
        except Exception:
            self._drop(conn)

    def wait_for_and_dispatch_events(self, timeout):
        self._share()
        super().wait_for_and_dispatch_events(min(timeout, SWEEP_S))

    def murder_pending(self):
        """Called on every turn of the loop: also close what is past its deadline."""
        super().murder_pending()
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_S
        for conn, deadline in list(self._deadlines.items()):
            if deadline <= now:
                self._expire(conn)

    def _expire(self, conn):
        if not conn.lingering and conn.buffer:
            message = f"The request was not complete within {self.limits.read_timeout:g} s."
            self._answer(conn, 408, CODES[408], message)
        self._drop(conn)

    def _answer(self, conn, status, code, message):
        _send(conn.sock, error_response(status, code, message))
        ms = (time.monotonic() - conn.started) * 1000
        _access(self.log, conn.framing.method, conn.framing.path, status, ms)

    def _linger(self, conn):
        """Close after the answer: stop sending, then read and discard what the client
        still sends for a moment, so that closing with unread bytes does not reset
        the connection before the client has read the answer (RFC 9112 s.9.6)."""
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._drop(conn)
            return
        conn.lingering = True
        self._deadlines[conn] = time.monotonic() + self.limits.linger
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering, conn))

    def _on_lingering(self, conn, _sock=None):
        data = _recv(conn)
        if data is None:
            return
        conn.drained += len(data)
        if not data or conn.drained > LINGER_DRAIN:
            self._drop(conn)

    def _forget(self, conn):
        self._deadlines.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass  # not registered

    def _drop(self, conn):
        if conn.closed:
            return
        conn.closed = True
        self._forget(conn)
        self.nr_conns -= 1
        conn.close()

    # -- in a thread -------------------------------------------------------------------

    def handle_request(self, req, conn):
        # The body is here already: the event loop sent any 100 Continue it needed.
        req._expected_100_continue = False
        conn.sock.settimeout(self.limits.write_timeout)
        try:
            return super().handle_request(req, conn)
        except TimeoutError:
            self.log.info("closed a connection from %s: its client read no answer for %g s",
                          conn.client[0] if conn.client else "-", self.limits.write_timeout)
            return False

    def handle_error(self, req, client, addr, exc):
        """gunicorn's status for `exc` (and its logging), in the one error shape."""
        page = Page()
        super().handle_error(req, page, addr, exc)
        status, reason = page.status()
        message = f"{reason}: {exc}" if status < 500 else "Internal error."
        if req is None:  # gunicorn logs only a request it could read
            _access(self.log, None, None, status, 0)
        try:
            client.settimeout(self.limits.write_timeout)
            client.sendall(error_response(status, CODES.get(status, code_of(reason)), message))
        except OSError:
            self.log.debug("failed to send an error answer")


def _recv(conn):
    """What the socket holds now: bytes; b"" when the client closed or the socket failed; None when nothing yet."""
    try:
        return conn.sock.recv(READ_SIZE)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""


def _send(sock, data):
    """Best effort from the event loop, which must never block: a short answer fits the
    socket's buffer, and a client that does not read it loses nothing it would not anyway."""
    try:
        sock.send(data)
    except OSError:
        pass


def _access(log, method, path, status, ms):
    line = getattr(log, "request", None)  # server.api.accesslog.AccessLog
    if line is not None:
        line(method, path, status, ms)
