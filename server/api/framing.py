"""Where one HTTP/1.1 request ends in the bytes received so far, before anything parses it.

The serving worker (server/api/worker.py) reads each request in its event loop and
only hands it to a thread once this says the request is complete, so a client that
stalls never holds a thread. The rules follow gunicorn's parser (RFC 9112): the head
ends at the first empty line, the body is `Content-Length` bytes or chunked. Anything
these rules do not cover in the head is handed to gunicorn as it is (`HANDOVER`), whose
parser then answers 400 from the bytes already here; it never waits for more. A malformed
chunked body is answered 400 here: gunicorn would only find it while the app reads the body.
"""
from dataclasses import dataclass

MORE = "more"            # wait for more bytes
COMPLETE = "complete"    # request ends at `end`
HANDOVER = "handover"    # malformed or beyond these rules: let gunicorn's parser answer
REJECT = "reject"        # answer `status` with `code` and `message`, then close

MAX_HEAD = 64 * 1024     # request line and headers; gunicorn allows 100 fields of 8 KiB each
MAX_CHUNK_LINE = 1024    # a chunk-size line with its extensions


@dataclass(frozen=True)
class Verdict:
    kind: str
    end: int = 0
    status: int = 0
    code: str = ""
    message: str = ""


class Framing:
    """The framing of one request, fed the connection's buffer as it grows.

    `max_body` bounds the body (declared or chunked); `max_line` is gunicorn's
    limit on the request line, past which its parser answers 414.
    """

    def __init__(self, max_body, max_line=4094, max_head=MAX_HEAD):
        self.max_body = max_body
        self.max_line = max_line
        self.max_head = max_head
        self.head_end = None
        self.method = self.path = None
        self.expects_continue = False
        self._http10 = False
        self._length = None      # Content-Length, or None when chunked / no body
        self._chunked = False
        self._pos = 0            # chunked: where the next chunk-size line starts
        self._decoded = 0
        self._trailers = False

    def feed(self, buf):
        """The verdict on `buf`, every byte received on the connection for this request."""
        if self.head_end is None:
            verdict = self._head(buf)
            if verdict is not None:
                return verdict
        if self._chunked:
            return self._chunks(buf)
        end = self.head_end + (self._length or 0)
        return Verdict(COMPLETE, end=end) if len(buf) >= end else Verdict(MORE)

    @property
    def started(self):
        return self.head_end is not None

    def _head(self, buf):
        start = 2 if buf[:2] == b"\r\n" else 0  # one empty line before the request line is allowed
        found = buf.find(b"\r\n\r\n", start)
        if found < 0:
            if buf.count(b"\n") != buf.count(b"\r\n"):
                return Verdict(HANDOVER, end=len(buf))  # bare LF: gunicorn's 400
            if buf.find(b"\r\n", start) < 0 and len(buf) - start > self.max_line + 2:
                return Verdict(HANDOVER, end=len(buf))  # gunicorn's 414
            if len(buf) > self.max_head:
                return _reject(431, "header_fields_too_large",
                               f"The request line and headers are over {self.max_head} bytes.")
            return Verdict(MORE)
        lines = bytes(buf[start:found]).split(b"\r\n")
        self.head_end = found + 4
        self._request_line(lines[0])
        return self._headers(lines[1:])

    def _request_line(self, line):
        parts = line.split(b" ")
        if len(parts) == 3:
            self.method = parts[0].decode("latin-1")
            self.path = parts[1].split(b"?", 1)[0].decode("latin-1")
        self._http10 = line.endswith(b"HTTP/1.0")

    def _headers(self, lines):
        lengths, codings = [], []
        for line in lines:
            name, colon, value = line.partition(b":")
            if not colon or line[:1] in (b" ", b"\t"):
                return Verdict(HANDOVER, end=self.head_end)  # gunicorn's 400 (no colon, folding)
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                lengths.append(value)
            elif name == b"transfer-encoding":
                codings += [c.strip(b" \t").lower() for c in value.split(b",")]
            elif name == b"expect" and value.lower() == b"100-continue":
                self.expects_continue = True
        if codings:
            if codings[-1] != b"chunked" or lengths or self._http10:
                return Verdict(HANDOVER, end=self.head_end)  # gunicorn's 400 or 501
            self._chunked, self._pos = True, self.head_end
            return None
        if not lengths:
            return None
        if len(lengths) > 1 or not lengths[0].isdigit():
            return Verdict(HANDOVER, end=self.head_end)  # gunicorn's 400
        self._length = int(lengths[0])
        if self._length > self.max_body:
            return self._too_large()
        return None

    def _chunks(self, buf):
        """Walk the chunks received so far; the request is complete after the trailers' empty line."""
        while True:
            line_end = buf.find(b"\r\n", self._pos)
            if line_end < 0:
                if len(buf) - self._pos > MAX_CHUNK_LINE:
                    return _malformed("a chunk-size line is too long")
                return Verdict(MORE)
            line = bytes(buf[self._pos:line_end])
            if self._trailers:
                self._pos = line_end + 2
                if not line:
                    return Verdict(COMPLETE, end=self._pos)
                if self._pos - self.head_end > 2 * self.max_body:
                    return self._too_large()
                continue
            size = _chunk_size(line)
            if size is None:
                return _malformed(f"bad chunk size {line[:40]!r}")
            if size == 0:
                self._trailers, self._pos = True, line_end + 2
                continue
            if self._decoded + size > self.max_body or line_end - self.head_end > 2 * self.max_body:
                return self._too_large()  # chunk overhead counts too: a body of 1-byte chunks
            after = line_end + 2 + size
            if len(buf) < after + 2:
                return Verdict(MORE)
            if buf[after:after + 2] != b"\r\n":
                return _malformed("a chunk does not end with CRLF")
            self._decoded += size
            self._pos = after + 2

    def _too_large(self):
        return _reject(413, "payload_too_large", f"The body is over the limit of {self.max_body} bytes.")


def _chunk_size(line):
    digits = line.split(b";", 1)[0].strip(b" \t")
    if not digits or len(digits) > 16 or any(c not in b"0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)


def _malformed(what):
    return _reject(400, "bad_request", f"The chunked body is malformed: {what}.")


def _reject(status, code, message):
    return Verdict(REJECT, status=status, code=code, message=message)
