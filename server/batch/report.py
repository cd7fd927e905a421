"""The HTML report of `ereje compare --report`: one self-contained page (inline CSS
and SVG, nothing fetched), with the same numbers as the summary.

The markup is the Jinja2 template templates/report.html (escaping everything it
prints); this module lays out the tables' rows and the charts' geometry.
"""
import jinja2

from server import messages

_COLOURS = {"approve": "#2f855a", "refuse": "#c53030", "undetermined": "#b7791f"}
_OUTCOMES = ["approve", "refuse", "undetermined"]
_PAGE = jinja2.Environment(
    loader=jinja2.PackageLoader("server.batch", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
).get_template("report.html")


def render(s, lang="en"):
    """The report for a summary (batch.Summary.as_dict()), its headings and labels in `lang`."""
    return _PAGE.render(
        s=s, lang=lang, say=lambda key, **values: messages.say(f"report.{key}", lang, **values),
        outcome_names=[messages.name("outcome", o, lang) for o in _OUTCOMES],
        outcome_rows=[[v, *(s["outcomes"][v].get(o, 0) for o in _OUTCOMES)] for v in s["versions"]],
        chart=_outcome_chart(s, lang),
        pairs=[_pair(p, lang) for p in s["pairs"]],
        error_rows=[[e["reason"], e["count"], ", ".join(map(str, e["lines"]))] for e in s["errors"]],
    )


def _pair(p, lang):
    def say(key, **values):
        return messages.say(f"report.{key}", lang, **values)

    rows = [[say("read"), p["read"]], [say("judged"), p["judged"]], [say("unchanged"), p["unchanged"]],
            [say("changed"), p["changed"]]]
    for flip, n in p["flips"].items():
        start, _, end = flip.partition(" -> ")
        rows.append([say("changed_flip", start=messages.name("outcome", start, lang),
                         end=messages.name("outcome", end, lang)), n])
    rows.append([say("not_judged"), p["not_judged"]])
    causes = list(p["requirements"].items())
    return {"from": p["from"], "to": p["to"], "rows": rows, "causes": causes,
            "chart": _hbars(say("by_requirement", start=p["from"], end=p["to"]), causes)}


def _hbars(title, items, colour="#2b6cb0"):
    """A horizontal bar chart of (label, count) items."""
    label_w, bar_w, row_h = 230, 420, 26
    top = max((n for _, n in items), default=0) or 1
    rows = [{"label": label, "n": n, "y": 5 + i * row_h, "width": max(1, round(bar_w * n / top)) if n else 0}
            for i, (label, n) in enumerate(items)]
    return {"title": title, "rows": rows, "colour": colour, "label_width": label_w, "bar_height": row_h - 8,
            "width": label_w + bar_w + 80, "height": row_h * len(items) + 10}


def _outcome_chart(s, lang):
    """Grouped bars: outcomes per version."""
    versions = s["versions"]
    top = max([n for v in versions for n in s["outcomes"][v].values()] + [1])
    step, group_w, chart_h = 46, 3 * 46 + 40, 220
    groups = []
    for gi, v in enumerate(versions):
        x0 = 60 + gi * group_w
        bars = [{"outcome": messages.name("outcome", o, lang), "n": s["outcomes"][v].get(o, 0), "x": x0 + oi * step,
                 "colour": _COLOURS[o]}
                for oi, o in enumerate(_OUTCOMES)]
        for bar in bars:
            bar["height"] = round(chart_h * bar["n"] / top)
        groups.append({"version": v, "bars": bars, "centre": x0 + 3 * step / 2})
    width = 60 + group_w * len(versions) + 160
    legend = [{"outcome": messages.name("outcome", o, lang), "colour": _COLOURS[o], "y": 20 + oi * 22}
              for oi, o in enumerate(_OUTCOMES)]
    return {"width": width, "base": 250, "bar_width": 40, "groups": groups, "legend": legend,
            "legend_x": width - 140}
