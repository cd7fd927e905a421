"""The HTML report of `ereje compare --report`: one self-contained page (inline CSS
and SVG, nothing fetched), with the same numbers as the summary."""
from html import escape

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;max-width:60rem;
     padding:0 1rem;color:#1d2430;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5dae1}
p.meta{color:#5a6472;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;min-width:24rem}
th,td{border:1px solid #d5dae1;padding:.3rem .7rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f1f3f6}
svg text{font-family:inherit;font-size:12px;fill:#1d2430}
.none{color:#5a6472;font-style:italic}
"""
_COLOURS = {"approve": "#2f855a", "refuse": "#c53030", "undetermined": "#b7791f"}
_OUTCOMES = ("approve", "refuse", "undetermined")


def _e(x):
    return escape(str(x), quote=True)


def _table(headers, rows, cls=None):
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{_e(c)}</td>' if isinstance(c, int) else f"<td>{_e(c)}</td>" for c in row) + "</tr>"
        for row in rows)
    return f'<table{f" class={cls!r}" if cls else ""}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _hbars(title, items, colour="#2b6cb0"):
    """A horizontal bar chart of (label, count) items."""
    if not items:
        return f'<p class="none">{_e(title)}: none.</p>'
    label_w, bar_w, row_h = 230, 420, 26
    top = max(n for _, n in items) or 1
    h = row_h * len(items) + 10
    parts = [f'<svg role="img" aria-label="{_e(title)}" width="{label_w + bar_w + 80}" height="{h}" '
             f'viewBox="0 0 {label_w + bar_w + 80} {h}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{_e(title)}</title>"]
    for i, (label, n) in enumerate(items):
        y = 5 + i * row_h
        w = max(1, round(bar_w * n / top)) if n else 0
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_e(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}" class="count">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _outcome_chart(s):
    """Grouped bars: outcomes per version."""
    versions = s["versions"]
    top = max([n for v in versions for n in s["outcomes"][v].values()] + [1])
    group_w, bar_w, chart_h, base = 3 * 46 + 40, 40, 220, 250
    width = 60 + group_w * len(versions) + 160
    parts = [f'<svg role="img" aria-label="Outcomes by version" width="{width}" height="290" '
             f'viewBox="0 0 {width} 290" xmlns="http://www.w3.org/2000/svg"><title>Outcomes by version</title>',
             f'<line x1="50" y1="{base}" x2="{width - 160}" y2="{base}" stroke="#8a94a3"/>']
    for gi, v in enumerate(versions):
        x0 = 60 + gi * group_w
        for oi, o in enumerate(_OUTCOMES):
            n = s["outcomes"][v].get(o, 0)
            h = round(chart_h * n / top)
            x = x0 + oi * 46
            parts.append(f'<rect x="{x}" y="{base - h}" width="{bar_w}" height="{h}" fill="{_COLOURS[o]}">'
                         f"<title>{_e(v)} {_e(o)}: {n}</title></rect>")
            parts.append(f'<text x="{x + bar_w / 2}" y="{base - h - 4}" text-anchor="middle" class="count">{n}</text>')
        parts.append(f'<text x="{x0 + 3 * 46 / 2}" y="{base + 20}" text-anchor="middle">{_e(v)}</text>')
    lx = width - 140
    for oi, o in enumerate(_OUTCOMES):
        parts.append(f'<rect x="{lx}" y="{20 + oi * 22}" width="14" height="14" fill="{_COLOURS[o]}"/>')
        parts.append(f'<text x="{lx + 20}" y="{32 + oi * 22}">{_e(o)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(s):
    """The report for a summary (batch.Summary.as_dict())."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(s['regulation'])}: comparison of versions {_e(', '.join(s['versions']))}</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>{_e(s['regulation'])}: what changes between versions</h1>",
           f'<p class="meta">File {_e(s["file"])}: {s["read"]} application(s) read, {s["judged"]} judged, '
           f'{s["not_judged"]} could not be judged.</p>',
           "<h2>Outcomes by version</h2>",
           _table(["version", *_OUTCOMES], [[v, *(s["outcomes"][v].get(o, 0) for o in _OUTCOMES)]
                                            for v in s["versions"]], "outcomes"),
           _outcome_chart(s)]
    for p in s["pairs"]:
        out.append(f"<h2>{_e(p['from'])} → {_e(p['to'])}</h2>")
        rows = [["read", p["read"]], ["judged", p["judged"]], ["unchanged", p["unchanged"]], ["changed", p["changed"]]]
        rows += [[f"changed {k}", n] for k, n in p["flips"].items()]
        rows.append(["could not be judged", p["not_judged"]])
        out.append(_table(["", "applications"], rows, "pair"))
        out.append("<h3>Requirements causing the changes</h3>")
        if p["requirements"]:
            out.append(_table(["requirement", "applications"], list(p["requirements"].items()), "causes"))
        out.append(_hbars(f"Changes by requirement, {p['from']} to {p['to']}", list(p["requirements"].items())))
    out.append("<h2>Could not be judged</h2>")
    if s["errors"]:
        out.append(_table(["reason", "count", "first lines"],
                          [[e["reason"], e["count"], ", ".join(map(str, e["lines"]))] for e in s["errors"]], "errors"))
    else:
        out.append('<p class="none">Every application was judged.</p>')
    out.append("</body></html>")
    return "\n".join(out)
