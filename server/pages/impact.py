"""What a draft version would change: rulings judged again under it, flips counted.

Stored rulings are judged again with the registry facts they recorded (as replay
does); uploaded requests are judged under the law in force, then under the draft
with the registry facts that first ruling gathered. Nothing is stored.
"""
from collections import Counter

from server import errors
from server.contract import request as schemas
from server.judging import rulings

MAX_LINES = 200   # uploaded requests judged at most


def of_stored(draft, stored, source, lang):
    """Each stored (ruling, request) of the draft's regulation, judged again under the draft."""
    rows = []
    for ruling, request in stored:
        if ruling.get("regulation") != draft.regulation:
            continue
        rows.append(_row(ruling.get("id"), _reference(request), ruling,
                         lambda r=ruling, q=request: rulings.judge_under(
                             draft, q, source=source, lang=lang, recorded=r.get("registry"))))
    return rows


def of_uploaded(book, draft, items, source, lang):
    """Each uploaded request (from batch.inputs.read_items), judged now and under the draft."""
    rows = []
    for number, (line, doc, error) in enumerate(items):
        if number >= MAX_LINES:
            break
        if error is None:
            try:
                request = schemas.load(schemas.RulingRequestSchema(), doc)
                now = rulings.judge(book, {**request, "regulation": draft.regulation}, source=source, lang=lang)
            except errors.EREJEError as e:
                error = e.message
        if error is not None:
            rows.append({"id": f"line {line}", "reference": "", "error": error})
            continue
        rows.append(_row(f"line {line}", _reference(request), now,
                         lambda n=now, q=request: rulings.judge_under(
                             draft, q, source=source, lang=lang, recorded=n.get("registry"))))
    return rows


def _row(label, reference, before, judge_again):
    """One case: its outcome before and under the draft, and the requirements whose status moved."""
    try:
        after = judge_again()
    except errors.EREJEError as e:
        return {"id": label, "reference": reference, "error": e.message}
    was = {f["requirement"]: f["status"] for f in before["findings"]}
    moved = [{"requirement": f["requirement"], "title": f["title"], "before": was.get(f["requirement"], "absent"),
              "after": f["status"]} for f in after["findings"] if was.get(f["requirement"], "absent") != f["status"]]
    return {"id": label, "reference": reference, "version": before.get("version"), "before": before["outcome"],
            "after": after["outcome"], "flipped": before["outcome"] != after["outcome"], "moved": moved}


def _reference(request):
    return (request.get("application") or {}).get("reference", "")


def summary(rows):
    """Counts over the rows: judged, flipped, flips by outcome pair and by requirement."""
    judged = [r for r in rows if "error" not in r]
    flipped = [r for r in judged if r["flipped"]]
    by_requirement = Counter(m["requirement"] for r in flipped for m in r["moved"])
    return {"judged": len(judged), "not_judged": len(rows) - len(judged), "flipped": flipped,
            "unchanged": len(judged) - len(flipped),
            "flips": Counter(f"{r['before']} -> {r['after']}" for r in flipped).most_common(),
            "by_requirement": by_requirement.most_common(),
            "errors": [r for r in rows if "error" in r]}
