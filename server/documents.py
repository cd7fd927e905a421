"""JSON-like documents: plain copies and dotted paths (`application.foreign_workers.0.iin`)."""


def plain(obj):
    """A deep copy made of plain dicts (string keys) and lists, whatever mapping types it held."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return obj


def set_path(doc, dotted, value):
    """Set `dotted` in `doc`, creating missing mappings, and lists where the next key is an index.

    An index one past a list's end appends; a farther one pads with None (callers
    that read sparse columns drop the holes). Raises ValueError when a path
    crosses a value that is neither a mapping nor a list.
    """
    keys = dotted.split(".")
    node = doc
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            if not key.isdigit():
                raise ValueError(f"{dotted}: '{key}' is not an index into a list")
            idx = int(key)
            while len(node) <= idx:
                node.append(None)
            if last:
                node[idx] = value
            else:
                if node[idx] is None:
                    node[idx] = [] if keys[i + 1].isdigit() else {}
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, [] if keys[i + 1].isdigit() else {})
        else:
            raise ValueError(f"{dotted}: '{'.'.join(keys[:i])}' is not a mapping or a list")
    return doc


def remove_path(doc, dotted):
    """Remove `dotted` from `doc` if present."""
    keys = dotted.split(".")
    node = doc
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if isinstance(node, list):
        del node[int(keys[-1])]
    else:
        node.pop(keys[-1], None)
