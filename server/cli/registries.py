"""`ereje registries serve`: the registry gateway simulator (adapters.simulator) over HTTP."""
import logging
import signal
import threading

import click
from werkzeug.serving import make_server

from adapters.base import REGISTRIES
from adapters.simulator import MaskIdentifiers, create_simulator, parse_fault


def _fault_option(ctx, param, values):
    faults = {}
    for value in values:
        registry, sep, spec = value.partition("=")
        if not sep or registry not in REGISTRIES:
            raise click.BadParameter(
                f"{value!r}: expected REGISTRY=SPEC with REGISTRY one of {', '.join(REGISTRIES)}"
            )
        try:
            faults.setdefault(registry, {}).update(parse_fault(spec))
        except ValueError as err:
            raise click.BadParameter(str(err)) from None
    return faults


def _access_log():
    """One line per request on stderr, set up before the first request.

    werkzeug attaches its own handler on the first line it logs; requests answered
    in parallel meanwhile find a handler-less logger and their lines are lost.
    Passports, BINs and IINs in the URLs are masked.
    """
    log = logging.getLogger("werkzeug")
    log.setLevel(logging.INFO)
    if not log.handlers:
        log.addHandler(logging.StreamHandler())
    if not any(isinstance(f, MaskIdentifiers) for f in log.filters):
        log.addFilter(MaskIdentifiers())


@click.group()
def registries():
    """The state registries a ruling reads facts from."""


@registries.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8090, show_default=True, help="Port to listen on (0: any free port).")
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Directory of registry JSON files.  [default: the repository's fixtures/registries]",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    callback=_fault_option,
    metavar="REGISTRY=SPEC",
    help="Make a registry misbehave; SPEC is an HTTP status (503), delay:SECONDS, "
    "not_json or wrong_shape, several joined by commas. Repeatable.",
)
def serve(host, port, fixtures_dir, faults):
    """Serve registry fixtures over HTTP as the registry gateway would.

    Answers the gateway protocol (CONTRACT section 5) from the fixture files, so
    that `ereje serve` can read registries over HTTP: start this, then run
    `EREJE_REGISTRY_URL=http://127.0.0.1:8090 ereje serve`.

    Faults can also be changed while it runs:

    \b
      curl -X PUT localhost:8090/_faults/ulcrs -H 'Content-Type: application/json' -d '{"status": 503}'
      curl -X PUT localhost:8090/_faults/quota -H 'Content-Type: application/json' -d '{"delay": 2.5}'
      curl -X PUT localhost:8090/_faults/offences -H 'Content-Type: application/json' -d '{"body": "not_json"}'
      curl -X DELETE localhost:8090/_faults

    Stops cleanly on Ctrl-C or SIGTERM.
    """
    app = create_simulator(fixtures_dir, faults)
    _access_log()
    server = make_server(host, port, app, threaded=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="simulator")
    thread.start()
    click.echo(f"Registry simulator on http://{host}:{server.port}")
    for registry, fault in faults.items():
        click.echo(f"  fault {registry}: {fault}")
    try:
        stop.wait()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    click.echo("Registry simulator stopped")
