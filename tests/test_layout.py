"""The layout rules of the server and adapters packages, read from their source (ast, nothing imported).

- no import cycle among the project's modules;
- no import inside a function unless its line (or the comment right above it) says why;
- no module over 300 lines and no function over 60, unless the module's first
  lines give the reason in a `# long: ...` comment.
"""
import ast
import io
import re
import tokenize

import pytest

from tests.conftest import ROOT

PACKAGES = ("server", "adapters")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
LONG_REASON = re.compile(r"^# long: \S.{9,}$")   # within the first lines: a reason, not a bare tag


class Module:
    """One source file: its dotted name, lines, syntax tree and comment lines."""

    def __init__(self, path):
        self.path = path
        self.rel = path.relative_to(ROOT).as_posix()
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        self.is_package = parts[-1] == "__init__"
        self.name = ".".join(parts[:-1] if self.is_package else parts)
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.splitlines()
        self.tree = ast.parse(self.text, filename=self.rel)
        self.comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(self.text).readline)
                         if tok.type == tokenize.COMMENT}

    def imported(self, known):
        """The project modules this one imports, anywhere in it."""
        found = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name in known}
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                # `from adapters import turns` runs the package `adapters` first (its __init__,
                # which may import this module back), then the module adapters.turns.
                found.add(base)
                for alias in node.names:
                    child = f"{base}.{alias.name}"
                    if child in known:
                        found.add(child)
        return (found & set(known)) - {self.name}

    def _absolute(self, node):
        if not node.level:
            return node.module
        package = self.name.split(".") if self.is_package else self.name.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        return ".".join(package + ([node.module] if node.module else []))

    def long_reason(self):
        return any(LONG_REASON.match(line) for line in self.lines[:10])

    def functions(self):
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node

    def inner_imports(self):
        """(line, text) of each import inside a function with no comment saying why."""
        for function in self.functions():
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not self._explained(node):
                    yield node.lineno, self.lines[node.lineno - 1].strip()

    def _explained(self, node):
        above = node.lineno - 1
        return (any(n in self.comments for n in range(node.lineno, node.end_lineno + 1))
                or (above in self.comments and self.lines[above - 1].lstrip().startswith("#")))


MODULES = [Module(p) for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
BY_NAME = {m.name: m for m in MODULES}
GRAPH = {m.name: m.imported(BY_NAME) for m in MODULES}


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan), each as a sorted list."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


CYCLES = {name: cycle for cycle in _cycles(GRAPH) for name in cycle}


IDS = [m.rel for m in MODULES]


def test_the_walk_sees_the_packages_and_their_imports():
    assert {"server.cli", "server.rules.rulebook", "adapters.base"} <= set(BY_NAME)
    assert "server.rules.rulebook" in GRAPH["server.cli.common"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_no_module_is_part_of_an_import_cycle(module):
    cycle = CYCLES.get(module.name, [])
    assert cycle == [], f"{module.name} is in an import cycle among {', '.join(cycle)}"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_imports_inside_functions_say_why(module):
    unexplained = [f"{module.rel}:{line}: {text}" for line, text in module.inner_imports()]
    assert unexplained == [], "import at the top, or say why not in a comment on the line"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_modules_and_functions_are_short_or_say_why(module):
    if module.long_reason():
        return
    too_long = [f"{module.rel}: {len(module.lines)} lines"] if len(module.lines) > MAX_MODULE_LINES else []
    too_long += [f"{module.rel}:{f.lineno}: {f.name} has {f.end_lineno - f.lineno + 1} lines"
                 for f in module.functions() if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES]
    assert too_long == [], "split it, or give the reason in a '# long: ...' line among its first lines"
