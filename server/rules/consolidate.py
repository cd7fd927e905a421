"""Consolidate one rule file, and the chain of versions it amends, into a checked Version.

A version may be written whole, or as an amendment of an earlier one (`amends:`)
that adds, replaces and removes requirements, derived facts and parameters.
"""
import datetime as dt
import hashlib
import re

from server.rules import elaborate, source
from server.rules.model import Version, plain
from server.rules.source import Problem

LANGS = ("en", "ru", "kk")

TOP_KEYS = {"regulation", "version", "effective_from", "effective_to", "title", "act", "amends",
            "readings", "parameters", "derive", "requirements", "sources", "open_questions", "notes"}
REQ_KEYS = {"id", "title", "citation", "scope", "condition", "effect", "explain", "readings", "note", "after"}
DERIVE_KEYS = {"id", "fact", "collection", "for_each", "when", "value", "set", "readings", "note", "after"}
ACT_KEYS = {"title", "number", "date", "registration", "url", "in_force", "note"}
READING_KEYS = {"id", "text", "source", "strength"}
PARAM_KEYS = {"value", "unit", "description", "readings"}
CHANGE_KEYS = {"add", "replace", "remove"}



class Consolidator:
    """Turn one file (and the chain it amends) into a checked, compiled Version."""

    def __init__(self, reg_id, raws, problems):
        self.reg_id, self.raws, self.problems = reg_id, raws, problems
        self._raw_cache = {}

    def err(self, rel, line, message):
        self.problems.append(Problem(rel, line, message))

    def version(self, name, chain=()):
        rel, doc, text = self.raws[name]
        if name in chain:
            self.err(rel, source.line_of(doc, "amends"), f"amendments form a cycle: {' -> '.join(chain + (name,))}")
            return None
        before = len(self.problems)
        for key in doc:
            if key not in TOP_KEYS:
                self.err(rel, source.line_of(doc, key), f"unknown key '{key}'; allowed: {', '.join(sorted(TOP_KEYS))}")
        eff_from = self.date(rel, doc, "effective_from", required=True)
        eff_to = self.date(rel, doc, "effective_to")
        title = self.texts(rel, doc, "title", required=True)
        act = self.act(rel, doc)
        base = None
        if "amends" in doc:
            target = str(doc["amends"])
            if target not in self.raws:
                self.err(rel, source.line_of(doc, "amends"),
                         f"amends version '{target}', which does not exist in {self.reg_id}/")
                return None
            base_raw = self.consolidated(target, chain + (name,))
            if base_raw is None:
                return None
            base = target
        readings = self.readings(rel, doc, base_raw["readings"] if base else [])
        params = self.parameters(rel, doc, base_raw["parameters"] if base else {})
        derive = self.changes(rel, doc, "derive", DERIVE_KEYS, base_raw["derive"] if base else None)
        reqs = self.changes(rel, doc, "requirements", REQ_KEYS, base_raw["requirements"] if base else None)
        if len(self.problems) > before or eff_from is None:
            return None
        acts = (base_raw["acts"] if base else []) + ([act] if act else [])
        files = (base_raw["files"] if base else []) + [(rel, text)]
        self._raw_cache[name] = {"readings": readings, "parameters": params, "derive": derive,
                                 "requirements": reqs, "acts": acts, "files": files}
        digest = hashlib.sha256()
        for _, t in files:
            digest.update(hashlib.sha256(t).digest())
        v = Version(self.reg_id, name, eff_from, eff_to, title, acts, readings, params, [], [], {}, {},
                    "sha256:" + digest.hexdigest(), [f for f, _ in files], base)
        elaborate.build(self, v, derive, reqs, readings, params)
        if len(self.problems) > before:
            return None
        return v

    def consolidated(self, name, chain):
        """The consolidated raw content of an earlier version (its problems are reported once)."""
        if name not in self._raw_cache and self.version(name, chain) is None:
            return None
        return self._raw_cache[name]

    # -- pieces -----------------------------------------------------------------

    def date(self, rel, doc, key, required=False):
        if key not in doc:
            if required:
                self.err(rel, doc.line, f"missing '{key}' (YYYY-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(str(doc[key])).isoformat()
        except ValueError:
            self.err(rel, source.line_of(doc, key), f"'{key}' must be a date YYYY-MM-DD, got {doc[key]!r}")
            return None

    def texts(self, rel, obj, key, required=False, where=""):
        val = obj.get(key) if isinstance(obj, dict) else None
        line = source.line_of(obj, key)
        if val is None:
            if required:
                self.err(rel, line, f"{where}missing '{key}' (with en and ru texts)")
            return {}
        if not isinstance(val, dict):
            self.err(rel, line, f"{where}'{key}' must have texts by language: en, ru (and optionally kk)")
            return {}
        for lang in val:
            if lang not in LANGS:
                self.err(rel, source.line_of(val, lang), f"{where}unknown language '{lang}' in '{key}'; use en, ru, kk")
            elif not isinstance(val[lang], str) or not val[lang].strip():
                self.err(rel, source.line_of(val, lang), f"{where}'{key}.{lang}' must be non-empty text")
        for lang in ("en", "ru"):
            if lang not in val:
                self.err(rel, line, f"{where}'{key}' has no {'Russian' if lang == 'ru' else 'English'} text ({lang})")
        return dict(val)

    def act(self, rel, doc):
        act = doc.get("act")
        if act is None:
            self.err(rel, doc.line, "missing 'act': the legal act this version encodes (title, number, date, url)")
            return None
        if not isinstance(act, dict):
            self.err(rel, source.line_of(doc, "act"), "'act' must be a mapping")
            return None
        self.keys(rel, act, ACT_KEYS, "act")
        self.texts(rel, act, "title", required=True, where="act: ")
        for k in ("number", "date", "url"):
            if not act.get(k):
                self.err(rel, act.line, f"act: missing '{k}'")
        return plain(act)

    def keys(self, rel, obj, allowed, where):
        for key in obj:
            if key not in allowed:
                self.err(rel, source.line_of(obj, key), f"{where}: unknown key '{key}'; allowed: {', '.join(sorted(allowed))}")

    def readings(self, rel, doc, base):
        out = list(base)
        items = doc.get("readings") or []
        if not isinstance(items, list):
            self.err(rel, source.line_of(doc, "readings"), "'readings' must be a list")
            return out
        ids = {r["id"] for r in out}
        for r in items:
            if not isinstance(r, dict) or not r.get("id"):
                self.err(rel, source.line_of(r) if isinstance(r, dict) else items.line, "each reading needs an id and a text")
                continue
            self.keys(rel, r, READING_KEYS, f"reading {r['id']}")
            self.texts(rel, r, "text", required=True, where=f"reading {r['id']}: ")
            if r["id"] in ids:
                self.err(rel, r.line, f"duplicate reading id '{r['id']}'")
            ids.add(r["id"])
            out.append(plain(r))
        return out

    def parameters(self, rel, doc, base):
        out = dict(base)
        params = doc.get("parameters") or {}
        if not isinstance(params, dict):
            self.err(rel, source.line_of(doc, "parameters"), "'parameters' must be a mapping of name: {value: ...}")
            return out
        for name, spec in params.items():
            line = source.line_of(params, name)
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
                self.err(rel, line, f"parameter name '{name}' must be lower_case_with_underscores")
            if not isinstance(spec, dict) or "value" not in spec:
                self.err(rel, line, f"parameter '{name}' must be a mapping with a 'value'")
                continue
            self.keys(rel, spec, PARAM_KEYS, f"parameter {name}")
            v = spec["value"]
            if not isinstance(v, (bool, int, float, str, list)):
                self.err(rel, line, f"parameter '{name}': value must be a number, text, true/false or a list")
            if name in base and type(base[name]["value"]) is not type(v) and not (
                    isinstance(v, (int, float)) and isinstance(base[name]["value"], (int, float))):
                self.err(rel, line, f"parameter '{name}' was a {type(base[name]['value']).__name__}, "
                                    f"the amendment makes it a {type(v).__name__}")
            out[name] = {**plain(spec), "line": line, "file": rel}
        return out

    def changes(self, rel, doc, key, allowed, base):
        """A whole list (base file) or add/replace/remove (amendment), consolidated."""
        val = doc.get(key)
        line = source.line_of(doc, key)
        if base is None:
            if val is None:
                val = []
            if not isinstance(val, list):
                self.err(rel, line, f"'{key}' must be a list (or, in an amendment, add/replace/remove)")
                return []
            return self.items(rel, val, allowed, key)
        out = list(base)
        if val is None:
            return out
        if not isinstance(val, dict):
            self.err(rel, line, f"in an amendment, '{key}' must have add, replace and/or remove")
            return out
        self.keys(rel, val, CHANGE_KEYS, key)
        ids = [i["id"] for i in out]
        for rid in val.get("remove") or []:
            if rid not in ids:
                self.err(rel, source.line_of(val, "remove"), f"{key}: cannot remove '{rid}': the amended version has no such id")
            else:
                out = [i for i in out if i["id"] != rid]
                ids.remove(rid)
        for item in self.items(rel, val.get("replace") or [], allowed, key):
            if item["id"] not in ids:
                self.err(rel, item.get("__line", line), f"{key}: cannot replace '{item['id']}': the amended version has no such id (use add)")
            else:
                out = [item if i["id"] == item["id"] else i for i in out]
        for item in self.items(rel, val.get("add") or [], allowed, key):
            if item["id"] in ids:
                self.err(rel, item.get("__line", line), f"{key}: cannot add '{item['id']}': it already exists (use replace)")
                continue
            after = item.get("after")
            pos = ids.index(after) + 1 if after in ids else len(out)
            if after and after not in ids:
                self.err(rel, item.get("__line", line), f"{key}: '{item['id']}' is to follow '{after}', which does not exist")
            out.insert(pos, item)
            ids.insert(pos, item["id"])
        return out

    def items(self, rel, items, allowed, key):
        out, seen = [], set()
        if not isinstance(items, list):
            self.err(rel, getattr(items, "line", 1), f"'{key}' entries must be a list")
            return out
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                self.err(rel, getattr(item, "line", getattr(items, "line", 1)), f"each entry of '{key}' needs an 'id'")
                continue
            self.keys(rel, item, allowed, f"{key[:-1] if key.endswith('s') else key} {item['id']}")
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", item["id"]):
                self.err(rel, item.line, f"id '{item['id']}' must be lower-case words joined by hyphens")
            if item["id"] in seen:
                self.err(rel, item.line, f"duplicate id '{item['id']}' in '{key}'")
            seen.add(item["id"])
            d = plain(item)
            d["__line"], d["__file"] = item.line, rel
            d["__lines"] = dict(item.key_lines)
            out.append(d)
        return out
