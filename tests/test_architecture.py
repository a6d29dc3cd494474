"""The direction of the layers, read from every import in ``src/`` with :mod:`ast`.

scenario -> plan -> engine -> analysis -> report -> api -> cli: a module may import its own
layer and the layers before it, never one after it. Function-level imports (anywhere in a
body, not just at the top of the module) are read too. They are allowed only for optional
dependencies and for the heavy modules in ``LAZY`` (kept out of start-up on purpose, each with
its reason); an import of this package's own modules is always at module level. The graph of
the package's own modules has no cycles (imports under ``if TYPE_CHECKING:`` are for
annotations only and do not count as cycles). See docs/architecture.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "onzekerheid"

# the order of the layers; a module belongs to the first prefix it starts with
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("onzekerheid.errors", "onzekerheid._display", "onzekerheid._version",
              "onzekerheid.families", "onzekerheid.opcodes")),
    ("scenario", ("onzekerheid.scenario",)),
    ("plan", ("onzekerheid.plan",)),
    ("engine", ("onzekerheid.engine",)),
    ("analysis", ("onzekerheid.analysis",)),
    ("report", ("onzekerheid.report",)),
    ("api", ("onzekerheid.api",)),
    ("package", ("onzekerheid",)),  # the package's __init__: the public names
    ("cli", ("onzekerheid.cli", "onzekerheid.__main__")),
)
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}

# optional dependencies: imported where used, so the package works without them
OPTIONAL = ("dask", "distributed", "openpyxl", "odf", "pyarrow", "matplotlib")

# heavy modules imported on first use to keep start-up short (`onzekerheid --help`, a warm
# `run`): measured with `python -X importtime` (docs/architecture.md has the figures)
LAZY = {
    "scipy": "scipy.stats alone costs ~0.3 s; only some distributions and analyses need it",
    "pandas": "~0.3 s; only DataFrame views of results and spreadsheet export need it",
    "importlib.metadata": "~50 ms; only the version string needs it",
    "xml.etree": "~3 ms with pyexpat; only check --junit writes XML",
    # this package's modules that import the above (or matplotlib) at their top
    "onzekerheid.report.plots": "matplotlib (~0.4 s): only figures need it",
    "onzekerheid.report.html": "imports report.plots",
    "onzekerheid.analysis.sensitivity": "scipy.stats and scipy.stats.qmc at its top",
    "onzekerheid.analysis.voi": "scipy.stats and scipy.interpolate at its top",
    "onzekerheid.analysis.switching": "scipy.optimize at its top",
    "onzekerheid.report.studies": "matplotlib at its top",
}

# besides the direction: what a layer must not import even though it lies below
FORBIDDEN = {
    "engine": {"scenario"},  # the engine sees the plan's arrays only
    "report": {"engine", "plan"},  # renderers draw results; they run no simulations
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _layer(module: str) -> str:
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes if p != PACKAGE):
            return name
    assert module == PACKAGE, module
    return "package"


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """The modules an ``import from`` names (a submodule when the name is one)."""
    path = MODULES[module]
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1])
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module or ""
    found = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    if len(found) < len(node.names):
        found.append(target)
    return found


def _typing_only(tree: ast.Module) -> set[int]:
    """Ids of the imports under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    return {id(n) for stmt in tree.body if isinstance(stmt, ast.If)
            and isinstance(stmt.test, ast.Name) and stmt.test.id == "TYPE_CHECKING"
            for n in ast.walk(stmt)}


TYPING_ONLY: set[tuple[str, str]] = set()


def _imports() -> list[tuple[str, str, bool, int]]:
    """``(importer, imported, at module level, line)`` for every import in the package."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = _typing_only(tree)
        top = {id(n) for n in tree.body}
        top |= {id(n) for stmt in tree.body if isinstance(stmt, ast.If | ast.Try)
                for n in ast.walk(stmt)}  # `if TYPE_CHECKING:` and try/except at the top
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(module, node)
            else:
                continue
            found.extend((module, t, id(node) in top, node.lineno) for t in targets)
            if id(node) in typing_only:
                TYPING_ONLY.update((module, t) for t in targets)
    return found


IMPORTS = _imports()
OWN = [(a, b, top, line) for a, b, top, line in IMPORTS
       if b == PACKAGE or b.startswith(PACKAGE + ".")]


def test_the_reader_sees_the_whole_package():
    assert {"onzekerheid.engine.runner", "onzekerheid.plan", "onzekerheid.cli.app"} <= set(MODULES)
    assert any(b == "onzekerheid.scenario.model" for _, b, _, _ in OWN)
    assert any(not top for _, _, top, _ in IMPORTS)  # function-level imports are read too


def test_imports_follow_the_layers():
    against = [f"{a}:{line} imports {b} ({_layer(a)} -> {_layer(b)})" for a, b, _, line in OWN
               if RANK[_layer(b)] > RANK[_layer(a)]]
    assert not against, "imports against the direction of the layers:\n" + "\n".join(against)


def test_layers_skip_nothing_they_must_not_see():
    against = [f"{a}:{line} imports {b}" for a, b, _, line in OWN
               if _layer(b) in FORBIDDEN.get(_layer(a), set())]
    assert not against, "\n".join(against)


# The command line goes through the API for every workflow; it renders with the report layer.
CLI_SEES = {"base", "report", "api", "package", "cli"}
CLI_EXCEPTIONS = {  # `new` writes a scenario from the templates: the scenario layer's authoring
    ("onzekerheid.cli.new", "onzekerheid.scenario"),
    ("onzekerheid.cli.new", "onzekerheid.scenario.templates"),
}


def test_the_command_line_reaches_the_workflows_through_the_api():
    past = [f"{a}:{line} imports {b}" for a, b, _, line in OWN
            if _layer(a) == "cli" and _layer(b) not in CLI_SEES and (a, b) not in CLI_EXCEPTIONS]
    assert not past, "\n".join(past)


def test_function_level_imports_are_optional_or_listed_as_heavy():
    def allowed(name: str) -> bool:
        return any(name == m or name.startswith(m + ".") for m in (*OPTIONAL, *LAZY))

    late = [f"{a}:{line} imports {b} inside a function" for a, b, top, line in IMPORTS
            if not top and not allowed(b)]
    assert not late, "\n".join(late)


def test_no_import_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for a, b, _, _ in OWN:  # imports for annotations only (TYPE_CHECKING) do not run
        if b in MODULES and b != a and (a, b) not in TYPING_ONLY:
            graph[a].add(b)
    cycles = _strongly_connected(graph)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(sorted(c)) for c in cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm; components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:
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
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [{"a", "b"}]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, expected):  # type: ignore[no-untyped-def]
    assert _strongly_connected(graph) == expected


# ------------------------------------------------------------------ the caller's vocabulary

# An option of the command line, long (--output) or short (-n), inside a string.
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*(?![\w-])|(?:(?<=[\s(])|^)-[a-zA-Z](?![\w-])")

# Strings outside cli/ that may name options, each because the text is for the command line.
COMMAND_LINE_TEXT: dict[str, tuple[set[str], str]] = {
    "onzekerheid.report.html": (
        {"--seed", "-n", "--ci", "--variant", "--set", "--lang", "--no-sensitivity", "--prior",
         "--population", "--years", "-o"},
        "reproduce_command writes the command line that makes the report again"),
    "onzekerheid.report.terminal": (
        {"--json", "-n"}, "the command line's terminal tables and notes; only cli/ calls it"),
    "onzekerheid.scenario.templates": (
        {"--point"}, "a comment in a new scenario file: how to run it"),
    "onzekerheid.scenario.cases": (
        {"--allow-outside"}, "names load(allow_outside=True) and the option side by side: "
        "the fix lies with whoever loads the file"),
    "onzekerheid.scenario.evidence": (
        {"--prior"}, "names prior=True and the option side by side, as scenario.cases"),
    "onzekerheid.analysis.posterior": (
        {"--prior"}, "names prior=True and the option side by side, as scenario.cases"),
    "onzekerheid.engine.runner": ({"-v"}, "-v: `ulimit -v`, a shell command"),
    "onzekerheid.analysis.voi": (
        {"--set"}, "PENDING: voi.py is being changed for issue 15; 'a --set or variant' "
        "should read 'an override or variant'"),
}


def _docstrings(tree: ast.Module) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _flags_in(source: str) -> list[tuple[int, str]]:
    """``(line, option)`` for every option named in a string of ``source`` (f-strings'
    literal parts included, docstrings and comments not)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [(node.lineno, match.group()) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip for match in FLAG.finditer(node.value)]


@pytest.mark.parametrize("source, expected", [
    ('raise ScenarioError(f"--stat {stat}: unknown")', ["--stat"]),
    ('x = "use fewer iterations (-n)"', ["-n"]),
    ('def f():\n    """``--output`` in a docstring."""\n    return "a-b x^-t e-mail"', []),
])
def test_the_option_finder_finds_options(source, expected):  # type: ignore[no-untyped-def]
    assert [flag for _, flag in _flags_in(source)] == expected


def test_messages_outside_the_command_line_name_python_arguments():
    """Errors and texts of scenario/, plan, engine/, analysis/, report/ and api.py name the
    Python argument (``stat``, ``population``); the CLI writes its option instead through
    ``errors.Problem.render`` and ``OPTION_NAMES``. Exceptions: ``COMMAND_LINE_TEXT``."""
    found = []
    for module, path in MODULES.items():
        if _layer(module) in ("cli", "package"):
            continue
        allowed, _ = COMMAND_LINE_TEXT.get(module, (set(), ""))
        found += [f"{module}:{line} names {flag}"
                  for line, flag in _flags_in(path.read_text(encoding="utf-8"))
                  if flag not in allowed]
    assert not found, "\n".join(found)


PER_COMMAND_NAMES = {  # arguments a command renames itself: user_errors(names=...)
    "name": "cli/new.py: scenario.templates.shipped(name) is `new --from`",
}


def test_every_argument_an_error_names_has_its_option():
    """A Python argument named in an error outside cli/ (``argument_error("stat", ...)``,
    ``argument="threshold"``) is one the CLI can translate (``cli.app.OPTION_NAMES``)."""
    from onzekerheid.cli.app import OPTION_NAMES

    named = set()
    for module, path in MODULES.items():
        if _layer(module) in ("cli", "package"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if called == "argument_error" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                named.add((module, node.args[0].value))
            named |= {(module, k.value.value) for k in node.keywords
                      if k.arg == "argument" and isinstance(k.value, ast.Constant)}
    assert {"stat", "threshold", "population"} <= {name for _, name in named}
    missing = [f"{module} names '{name}'" for module, name in sorted(named)
               if name not in OPTION_NAMES and name not in PER_COMMAND_NAMES]
    assert not missing, "\n".join(missing)


# ------------------------------------------------------------------ state kept between calls

# Module-level state that functions write, each a documented cache or registry (see
# docs/architecture.md). Anything else one call leaves for the next is passed explicitly
# (the write guard: report.guard.Guard, one per command).
DOCUMENTED_STATE = {
    ("onzekerheid._display", "_RENDERERS"): "the Jupyter display hooks: report/notebook.py "
    "registers its renderers on import (a registry filled once, never per call)",
    ("onzekerheid.scenario._fitcache", "_memory"): "remembered interval fits and truncated "
    "means (the documented fit cache; ONZEKERHEID_NO_CACHE=1 turns it off)",
}
MUTATORS = {"append", "add", "update", "setdefault", "pop", "popitem", "clear", "extend",
            "insert", "remove", "discard", "sort", "reverse", "__setitem__", "__delitem__"}
CONTAINER_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


def _module_state(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Module-level names bound to a mutable container, and to an object made by a class."""
    containers, objects = set(), set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        called = (value.func.id if isinstance(value.func, ast.Name) else
                  value.func.attr if isinstance(value.func, ast.Attribute) else ""
                  ) if isinstance(value, ast.Call) else ""
        if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp
                      | ast.SetComp) or called in CONTAINER_CALLS:
            containers |= names
        elif called.lstrip("_")[:1].isupper():
            objects |= names
    return containers, objects


def _state_writes(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` where a function writes module-level state: a ``global`` statement,
    a module-level container changed (method, item assignment or ``del``), or an attribute
    set on a module-level object. A name the function binds itself is its own."""
    tree = ast.parse(source)
    containers, objects = _module_state(tree)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        own = {a.arg for a in (*function.args.posonlyargs, *function.args.args,
                               *function.args.kwonlyargs)}
        own |= {n.id for n in ast.walk(function)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found += [(node.lineno, name) for name in node.names]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and isinstance(node.func.value, ast.Name) and node.func.attr in MUTATORS
                  and node.func.value.id in containers - own):
                found.append((node.lineno, node.func.value.id))
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = node.targets if isinstance(node, ast.Assign | ast.Delete) \
                    else [node.target]
                found += [(node.lineno, t.value.id) for t in targets
                          if isinstance(t, ast.Subscript | ast.Attribute)
                          and isinstance(t.value, ast.Name)
                          and t.value.id in ((containers if isinstance(t, ast.Subscript)
                                              else objects) - own)]
    return found


@pytest.mark.parametrize("source, expected", [
    ("_seen = {}\ndef f(k):\n    _seen[k] = 1", ["_seen"]),
    ("_seen: set[str] = set()\ndef f(k):\n    _seen.add(k)", ["_seen"]),
    ("_n = 0\ndef f():\n    global _n\n    _n += 1", ["_n"]),
    ("S = Session()\ndef f(x):\n    S.allow = x", ["S"]),
    ("_seen = {}\ndef f(k):\n    _seen = {}\n    _seen[k] = 1", []),  # a local of its own
    ("NAMES = {'a': 1}\ndef f(k):\n    return NAMES.get(k)", []),
])
def test_the_state_finder_finds_writes(source, expected):  # type: ignore[no-untyped-def]
    assert [name for _, name in _state_writes(source)] == expected


def test_functions_keep_no_state_in_their_module_but_documented_caches():
    writes = [f"{module}:{line} writes {name}" for module, path in MODULES.items()
              for line, name in _state_writes(path.read_text(encoding="utf-8"))
              if (module, name) not in DOCUMENTED_STATE]
    assert not writes, "\n".join(writes)
