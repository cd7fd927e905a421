"""A ruling as the decision log keeps it: split into columns, lean, and put back whole.

The registry facts, findings and trace have columns of their own; the rest of the
ruling is the `ruling` column. A finding's title and citation are the texts of its
requirement in the rule files that judged it (in the language asked), which the log
keeps by digest (`rule_files`): a row stores them once there instead of in every
ruling, when the texts given are exactly those (else the finding keeps its own).
Such a row says so with `LEAN` in its `ruling` column (covered by the hash chain);
reading puts the texts back where they were, so a ruling reads back as it was
answered. Rows without the mark (all rows written before) are read as they are.
"""
import json

from server.languages import text_in

SPLIT = ("registry", "findings", "trace")
LEAN = "texts_in_rule_files"   # its value: the digest whose rule files hold the left-out texts


class TextsMissing(Exception):
    """A lean row whose rule files are not to be found (the log's table rule_files was altered)."""

    def __init__(self, digest):
        super().__init__(digest)
        self.message = f"the rule files of {digest}, which hold its titles and citations, are not in the log"


def lean_findings(findings, lang, version):
    """(findings to store, whether any left its texts to `version`'s rule files); `version`
    None (not known to be kept in the log) leaves every finding whole."""
    if version is None:
        return findings, False
    texts = _texts(version, lang)
    out, lean = [], False
    for f in findings:
        given = texts.get(f.get("requirement"))
        if given is not None and _in_place(tuple(f)) and (f["title"], f["citation"]) == given:
            out.append({k: v for k, v in f.items() if k != "title" and k != "citation"})
            lean = True
        else:
            out.append(f)
    return out, lean


_PLACES = {}   # a finding's keys -> whether reading can put its texts back in place


def _in_place(keys):
    """Whether title and citation come right before the explanation, where reading puts them."""
    found = _PLACES.get(keys)
    if found is None:
        at = keys.index("title") if "title" in keys else -1
        found = _PLACES[keys] = at >= 0 and keys[at + 1:at + 3] == ("citation", "explanation")
    return found


def whole(row, version_of):
    """A stored ruling with its split-out parts put back where the contract lists them;
    `version_of(ruling)` finds the version a lean row's texts come from (None: unknown)."""
    ruling = json.loads(row["ruling"])
    digest = ruling.pop(LEAN, None)
    parts = {k: json.loads(row[k]) for k in SPLIT if k not in ruling and row.get(k) is not None}
    if digest and "findings" in parts:
        version = version_of(ruling)
        if version is None or version.digest != digest:
            raise TextsMissing(digest)
        parts["findings"] = _with_texts(parts["findings"], row["lang"], version)
    out = {}
    for k, v in ruling.items():
        out[k] = v
        if k == "ruleset_digest" and "findings" in parts:
            out["findings"] = parts.pop("findings")
        elif k == "missing":
            out.update((name, parts.pop(name)) for name in ("registry", "trace") if name in parts)
    out.update(parts)
    return out


def _with_texts(findings, lang, version):
    texts = _texts(version, lang)
    out = []
    for f in findings:
        if "title" in f:
            out.append(f)
            continue
        given = texts.get(f["requirement"])
        if given is None:
            raise TextsMissing(version.digest)
        filled = {}
        for k, v in f.items():
            if k == "explanation":
                filled["title"], filled["citation"] = given
            filled[k] = v
        out.append(filled)
    return out


_TEXTS = {}   # (digest, lang) -> {requirement id: (title, citation)}: the same for every ruling


def _texts(version, lang):
    key = (version.digest, lang)
    found = _TEXTS.get(key)
    if found is None:
        if len(_TEXTS) >= 64:
            _TEXTS.clear()
        found = _TEXTS[key] = {r.id: (text_in(r.title, lang), text_in(r.citation, lang))
                               for r in version.requirements}
    return found
