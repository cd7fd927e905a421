"""Bare Flask under `ereje serve`'s gunicorn set-up: the reference the HTTP benchmark divides by.

One route, `POST /`, that returns `{}`: the same master, worker class, workers,
threads and keep-alive as `ereje serve`, so what remains between the two is Ereje's
own request layer, judging and storing.

    python bench/bare_flask.py --port 18190 [--workers 2] [--threads 4]
"""
import argparse

from flask import Flask

from server.api.serving import Server

try:
    from server.api.serving import serve_options
except ImportError:   # an older checkout, measured for comparison: `ereje serve`'s options as they were
    def serve_options(host, port, workers, threads, access_log=True):
        return {"bind": f"{host}:{port}", "workers": workers, "worker_class": "server.api.worker.Worker",
                "threads": threads, "preload_app": False, "keepalive": 30, "control_socket_disable": True,
                "proc_name": "ereje", "logger_class": "server.api.accesslog.AccessLog",
                "accesslog": "-" if access_log else None}


class _NoRules:
    """The master's rule-file duties, of which a bare app has none."""

    def poll(self, log):
        pass

    def reload(self, log):
        pass


class Bare(Server):
    def load(self):
        app = Flask("bare")
        app.post("/")(lambda: {})
        return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    options = serve_options("127.0.0.1", args.port, args.workers, args.threads, access_log=False)
    Bare({}, options, _NoRules()).run()


if __name__ == "__main__":
    main()
