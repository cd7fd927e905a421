"""The answers the worker sends itself, outside the app (408, 413, 414, 431 ...), in the API's one error shape."""
import http
import json

# The error codes of statuses answered outside the app (the app's own are in server/errors.py).
CODES = {400: "bad_request", 403: "forbidden", 408: "request_timeout", 413: "payload_too_large",
         414: "uri_too_long", 417: "expectation_failed", 431: "header_fields_too_large",
         500: "internal_error", 501: "not_implemented"}


def error_response(status, code, message):
    """A complete HTTP/1.1 answer in the one error shape, closing the connection."""
    body = json.dumps({"error": {"code": code, "message": message, "fields": {}}}).encode()
    head = (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class Page:
    """Stands in for the socket gunicorn writes its HTML error page to; keeps the status line."""

    def __init__(self):
        self.data = b""

    def gettimeout(self):
        return 0.0

    def setblocking(self, flag):
        pass

    def sendall(self, data):
        self.data += data

    def status(self):
        line = self.data.split(b"\r\n", 1)[0].decode("latin-1")  # HTTP/1.1 414 URI Too Long
        _, status, reason = (line.split(" ", 2) + ["", ""])[:3]
        return (int(status), reason) if status.isdigit() else (500, "Internal Server Error")


def code_of(reason):
    return reason.lower().replace(" ", "_") or "error"
