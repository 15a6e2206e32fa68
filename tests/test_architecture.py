"""The shape a newcomer relies on: the core has no terminal code, commands live where their names
say, only the command line prints, and no module-level import goes round in a circle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "ketascreen"
# The only modules that may talk to a person: the command line, and the interview it starts.
TERMINAL_MODULES = {"ketascreen.cli", "ketascreen.interview", "ketascreen.__main__",
                    "ketascreen.commands.run", "ketascreen.commands.resume"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(PACKAGE.rglob("*.py"))}


def top_level_imports(tree: ast.Module, name: str) -> set[str]:
    """Modules of ours imported when this module is imported (not those imported inside functions)."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        for child in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                base = child.module
                if child.level:
                    base = ".".join(name.split(".")[:-child.level] + [child.module])
                found.add(base)
                found.update(f"{base}.{a.name}" for a in child.names)
    return {m for m in found if m.startswith("ketascreen")}


def test_no_import_cycles_among_modules() -> None:
    trees = modules()
    graph = {name: {m for m in top_level_imports(tree, name) if m in trees and m != name}
             for name, tree in trees.items()}
    # A package's __init__ is imported first by its submodules, so an edge to it is not a cycle risk.
    graph = {name: {m for m in edges if not (name.startswith(m + "."))} for name, edges in graph.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_only_the_command_line_and_the_interview_print() -> None:
    speaking = []
    for name, tree in modules().items():
        if name in TERMINAL_MODULES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input"):
                speaking.append(f"{name}:{node.lineno} {node.func.id}()")
            if (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr", "stdin")
                    and isinstance(node.value, ast.Name) and node.value.id == "sys"):
                speaking.append(f"{name}:{node.lineno} sys.{node.attr}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] in ("rich", "typer", "click") for n in names):
                    speaking.append(f"{name}:{node.lineno} imports {names}")
    assert speaking == []


def test_every_command_has_a_module_of_its_name() -> None:
    from ketascreen.cli import app

    names = [c.name or c.callback.__name__.rstrip("_") for c in app.registered_commands if c.callback]
    assert len(names) >= 15
    missing = [n for n in names if not (PACKAGE / "commands" / f"{n.replace('-', '_')}.py").is_file()]
    assert missing == []


def fresh_python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


def imported(stderr: str) -> set[str]:
    """Module names from -X importtime's report."""
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")} - {"package"}


def test_the_core_imports_no_terminal_code() -> None:
    core = sorted(n for n in modules() if n not in TERMINAL_MODULES and n != "ketascreen.commands.__init__")
    # An import statement, not importlib: -X importtime reports only what the statement imports.
    done = fresh_python("import sys\nfor name in sys.argv[1:]: exec(f'import {name}')", *core)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = imported(done.stderr)
    assert "ketascreen.evaluate" in loaded and "ketascreen.commands.export" in loaded  # the report was read
    terminal = sorted(m for m in loaded if m.split(".")[0] in ("rich", "typer", "click")
                      or m in TERMINAL_MODULES)
    assert terminal == []


def test_a_csv_export_loads_neither_rich_nor_the_interview(tmp_path: Path) -> None:
    done = fresh_python("import sys; from ketascreen.cli import main; sys.exit(main(sys.argv[1:]))",
                        "export", "--format", "csv", "--data-dir", str(tmp_path / "sessions"))
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = imported(done.stderr)
    assert "ketascreen.commands.export" in loaded and "ketascreen.csvexport" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] == "rich" or m in TERMINAL_MODULES - {"ketascreen.cli"}) == []


def test_an_internal_fault_exits_70_not_1(tmp_path: Path) -> None:
    """A fault of ours must not read as "problems found" to a script: a crash inside a command
    (simulated by a session renderer that raises) gives 70 and no traceback."""
    code = (
        "import sys\n"
        "import ketascreen.commands.schema as command\n"
        "def broken(*_): raise RuntimeError('secret answer 42')\n"
        "command.schema = broken\n"
        "from ketascreen.cli import main\n"
        "sys.exit(main(['schema']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 70
    assert "unexpected internal error (RuntimeError)" in done.stderr
    assert "secret answer" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("key", ["summary_format", "data_dir"])
def test_settings_precedence_is_option_then_environment_then_file_then_default(tmp_path: Path, key: str) -> None:
    from ketascreen.settings import resolve_settings

    config = tmp_path / "config.yaml"
    from_file = "pdf" if key == "summary_format" else str(tmp_path / "from-file")
    config.write_text(f"{key}: {from_file}\n", encoding="utf-8")
    environ = {"KETASCREEN_DATA_DIR": str(tmp_path / "from-env")}
    option = "html" if key == "summary_format" else str(tmp_path / "from-option")

    def value(settings: object) -> str:
        return str(getattr(settings, key))

    assert value(resolve_settings({}, None, {})) == ("text" if key == "summary_format" else "None")
    assert value(resolve_settings({}, config, {})) == from_file
    expected_env = from_file if key == "summary_format" else environ["KETASCREEN_DATA_DIR"]
    assert value(resolve_settings({}, config, environ)) == expected_env
    assert value(resolve_settings({key: option}, config, environ)) == option
    assert resolve_settings({key: option}, config, environ).sources[key] in ("--format", "--data-dir")


def test_formats_come_from_one_registry(cli) -> None:  # type: ignore[no-untyped-def]
    from ketascreen.formats import SUMMARY_FORMATS

    done = cli("summary", "--help")
    assert done.code == 0
    listed = " ".join(done.out.split())
    assert ", ".join(list(SUMMARY_FORMATS)[:-1]) + " or " + list(SUMMARY_FORMATS)[-1] in listed


def test_the_settings_check_names_the_registered_formats(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from ketascreen.formats import SUMMARY_FORMATS

    config = tmp_path / "config.yaml"
    config.write_text("summary_format: docx\n", encoding="utf-8")
    done = cli("--config", str(config), "config")
    assert done.code == 1
    assert f"summary_format 'docx' is not one of {', '.join(SUMMARY_FORMATS)}" in done.err
