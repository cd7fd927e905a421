"""`ereje compare FILE`: a file of applications judged under several versions (CONTRACT 4.4)."""
import itertools
import json
import os
import sys
from pathlib import Path

import click

from server import errors
from server.batch import report as report_mod
from server.batch.inputs import InputError, Meter, read_items
from server.batch.run import Summary, run, text_summary
from server.cli.common import LANGUAGE, POLICIES, BadInput, load_book


@click.command("compare")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--versions", help="Comma-separated versions in order (default: all versions of the regulation).")
@click.option("--regulation", help="Regulation id (default: kz-foreign-labour).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write one JSON line per application here.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--input-format", type=click.Choice(["json", "jsonl", "csv"]), help="Override detection by file name/content.")
@click.option("--lang", type=LANGUAGE, default="en", show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--policies", type=click.Path(file_okay=False, path_type=Path), default=None, help="Directory of rule files.")
def compare_command(file, versions, regulation, jobs, out, report, fmt, input_format, lang, progress, policies):
    """Judge every application in FILE under each version and summarise what changes.

    FILE is a JSON array of ruling requests, JSON Lines (one per line) or CSV whose
    header names dotted paths (application.employer.bin, application.foreign_workers.0.passport,
    registry.quota.remaining, ...). Lines that cannot be read are reported with their
    line numbers and the run goes on.
    """
    policies = policies or POLICIES
    book = load_book(policies, register=False)
    try:
        reg = book.regulation(regulation)
        chosen = [v.strip() for v in versions.split(",") if v.strip()] if versions else [v.version for v in reg.versions]
        for v in chosen:
            book.version(reg.id, v, "versions")
    except errors.EREJEError as e:
        raise BadInput(e.message) from None
    if len(chosen) < 1 or len(set(chosen)) != len(chosen):
        raise BadInput("--versions: name each version once")
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    if not os.access(file, os.R_OK):
        raise BadInput(f"{file}: cannot be read")
    jobs = jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    summary = Summary(reg.id, chosen, str(file))
    out_fh = None
    meter = Meter()
    # The bar follows the share of the file read (characters against bytes, so
    # non-ASCII text ends a little short of 100% before the final update).
    bar = click.progressbar(length=max(file.stat().st_size, 1), label="judging", file=sys.stderr,
                            show_eta=True, show_percent=True,
                            item_show_func=lambda _: f"{summary.read} application(s)") if show else None
    try:
        items = read_items(file, input_format, meter)
        first = next(items, None)   # surfaces an unreadable file before any work
        items = itertools.chain([first], items) if first is not None else iter(())
        out_fh = open(out, "w", encoding="utf-8") if out else None
        for result in run(items, policies=policies, regulation=reg.id, versions=chosen, lang=lang, jobs=jobs):
            summary.add(result)
            if out_fh:
                out_fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            if bar is not None and summary.read % 100 == 0:
                bar.update(max(0, meter.count - bar.pos), summary.read)
    except InputError as e:
        raise BadInput(str(e)) from None
    except OSError as e:
        raise BadInput(f"{e.filename or out}: {e.strerror or e}") from None
    finally:
        if out_fh:
            out_fh.close()
    if bar is not None:
        bar.update(bar.length - bar.pos, summary.read)
        bar.render_finish()
    s = summary.as_dict()
    if report:
        try:
            report.write_text(report_mod.render(s), encoding="utf-8")
        except OSError as e:
            raise BadInput(f"{report}: {e.strerror or e}") from None
    if fmt == "json":
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
    else:
        click.echo(text_summary(s))
