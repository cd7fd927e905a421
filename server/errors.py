"""Every error Ereje reports on purpose: one class per kind, each with its HTTP status.

The API turns these into the contract's error body
`{"error": {"code", "message", "fields"}}`; the CLI turns them into a message and
exit code 2 (bad input) or 1 (a finding).
"""


class EREJEError(Exception):
    """Base class: a code, a message, optional field paths."""

    status = 400
    code = "bad_request"

    def __init__(self, message, fields=None, code=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def body(self):
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class InvalidRequest(EREJEError):
    """The request does not fit the contract (HTTP 422)."""

    status = 422
    code = "invalid_request"


class NoVersionInForce(InvalidRequest):
    """No version of the regulation was in force on the date asked."""

    code = "no_version_in_force"


class UnknownVersion(InvalidRequest):
    """The version named in the request does not exist."""

    code = "unknown_version"


class UnknownRegulation(InvalidRequest):
    """The regulation named in the request does not exist."""

    code = "unknown_regulation"


class NotFound(EREJEError):
    """No such resource (HTTP 404)."""

    status = 404
    code = "not_found"


class RuleFileError(EREJEError):
    """One or more rule files are invalid; `problems` lists (file, line, message)."""

    status = 500
    code = "rule_file_error"

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [f"{p.file}:{p.line}: {p.message}" for p in self.problems]
        super().__init__("invalid rule files:\n" + "\n".join(lines))


class EngineError(EREJEError):
    """The rule engine failed while judging (a defect, never the client's fault)."""

    status = 500
    code = "engine_error"


class NotJSON(EREJEError):
    """The body is not valid JSON (HTTP 400)."""

    status = 400
    code = "not_json"


class Unauthorized(EREJEError):
    """A bearer token is required and was missing or wrong (HTTP 401)."""

    status = 401
    code = "unauthorized"


class MethodNotAllowed(EREJEError):
    """The resource exists but not with this HTTP method (HTTP 405)."""

    status = 405
    code = "method_not_allowed"


class PayloadTooLarge(EREJEError):
    """The body is over the configured limit (HTTP 413)."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(EREJEError):
    """The body is not declared as application/json (HTTP 415)."""

    status = 415
    code = "unsupported_media_type"
