"""What a version says, as data for people and clients (GET /v1/regulations/.../versions/...)."""
from server.documents import plain
from server.languages import text_in


def describe(version, lang="en"):
    """This version's requirements, parameters, citations and readings, for people and clients."""
    return {
        "regulation": version.regulation, "version": version.version,
        "effective": {"from": version.effective_from, "to": version.effective_to},
        "title": text_in(version.title, lang), "amends": version.amends,
        "acts": version.acts, "digest": version.digest,
        "readings": [_reading(version, r, lang) for r in version.readings],
        "parameters": plain(version.parameters),
        "requirements": [{
            "id": r.id, "title": text_in(r.title, lang), "citation": text_in(r.citation, lang), "effect": r.effect,
            "scope": r.scope_src, "condition": r.condition_src, **without_registries(r), "readings": r.readings,
            "registries": sorted(r.registries)} for r in version.requirements],
        "derived_facts": [{"id": d.id, "fact": d.fact, **{k: plain(d.raw[k]) for k in ("for_each", "when", "value", "set") if k in d.raw}}
                          for d in version.derivations],
    }


def without_registries(r):
    """{"without_registries": {"met" | "unmet": source}} when the requirement has the key, else {}."""
    return {"without_registries": {s: src for s, (src, _) in r.without.items()}} if r.without else {}


def reading(version, r, lang):
    """One reading: its text and, where the rule file gives one, what it reads (citation) and its strength."""
    out = {"id": r["id"], "text": text_in(version.reading_texts.get(r["id"]) or r.get("text"), lang)}
    if r.get("strength"):
        out["strength"] = r["strength"]
    if version.reading_citations.get(r["id"]):
        out["citation"] = text_in(version.reading_citations[r["id"]], lang)
    return out


def _reading(version, r, lang):
    out = reading(version, r, lang)
    if r.get("source"):
        out["source"] = r["source"]
    return out
