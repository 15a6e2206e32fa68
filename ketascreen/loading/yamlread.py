"""Read YAML into plain Python values, remembering where every key and value stands.

PyYAML speaks YAML 1.1, where ``no`` is false, ``2024-01-01`` a date and ``0755`` octal, and a repeated
key silently wins. Questionnaires are written by hand by people who are not programmers, so nothing
may change meaning behind their back: this reader resolves only the YAML 1.2 core scalars (``true``,
``false``, ``null``, decimal numbers), keeps everything else as the text that was written, reports
repeated keys, refuses non-standard tags and refuses alias expansions that grow out of proportion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import yaml

MAX_FILE_BYTES = 10 * 1024 * 1024
# Aliases may legitimately repeat a block or two; an alias bomb repeats it exponentially. Allow the
# expanded tree to be a few times the written one, with room for small files.
ALIAS_EXPANSION_FACTOR = 4
ALIAS_EXPANSION_ALLOWANCE = 10_000

Path_ = tuple[str | int, ...]


class Mark(NamedTuple):
    """A 1-based position; ``file`` is empty for the file being read, or names another file
    (the questionnaire a clinic file extends) when data was merged from there."""

    line: int
    column: int
    file: str = ""

    def where(self) -> str:
        """How a message refers to it: "line 12", or "base.yaml:12" for another file."""
        return f"{self.file}:{self.line}" if self.file else f"line {self.line}"

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _CoreResolver(yaml.resolver.BaseResolver):
    """The YAML 1.2 core schema's implicit scalars, and nothing else."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _CoreResolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _Composer(Protocol):
    """What parsing needs of a loader, libyaml's or PyYAML's own."""

    def get_single_node(self) -> yaml.Node | None: ...
    def dispose(self) -> None: ...


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser as _Parser

    class _CLoader(_Parser, _CoreResolver):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _CoreResolver.__init__(self)

    _Loader: Callable[[str], _Composer] = _CLoader

else:  # pragma: no cover - pure-Python fallback when libyaml is missing

    class _PyLoader(
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _CoreResolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _CoreResolver.__init__(self)

    _Loader = _PyLoader


def _compose(text: str) -> yaml.Node | None:
    """yaml.compose with our loader (whose type PyYAML's signature does not name)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass
class Located:
    """Parsed data plus the 1-based (line, column) of each value and key, by path."""

    data: object
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)
    # the text as written, for numbers: 1.10 reads as 1.1, and a hint must quote what was written
    written: dict[Path_, str] = field(default_factory=dict)
    # ids removed by a clinic file, with where: a reference to one can say who removed it
    removed: dict[str, Mark] = field(default_factory=dict)
    _index: dict[Path_, list[Path_]] | None = field(default=None, repr=False, compare=False)

    def position(self, path: Path_) -> Mark:
        """Where the value at ``path`` stands, or its nearest enclosing value."""
        path = tuple(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Mark(1, 1))

    def graft(self, source: Located, source_path: Path_, path: Path_, file: str = "", skip: tuple[str, ...] = ()) -> None:
        """Copy the positions of ``source``'s subtree at source_path to ``path`` here, marking them with
        ``file`` where they come from another file (merging a clinic file onto its base). Keys named
        in ``skip`` are left out at the top level of the subtree."""
        children = source._children()
        top = tuple(source_path)
        stack = [(top, tuple(path))]
        while stack:
            here, there = stack.pop()
            for table, target in ((source.values, self.values), (source.keys, self.keys)):
                mark = table.get(here)
                if mark is not None:
                    target[there] = mark._replace(file=mark.file or file)
            for child in children.get(here, ()):
                if here == top and child[-1] in skip:
                    continue
                stack.append((child, there + child[len(here):]))
        if tuple(source_path) in source.written:
            self.written[tuple(path)] = source.written[tuple(source_path)]

    def _children(self) -> dict[Path_, list[Path_]]:
        if self._index is None:
            index: dict[Path_, list[Path_]] = {}
            for path in self.values:
                if path:
                    index.setdefault(path[:-1], []).append(path)
            self._index = index
        return self._index

    def key_position(self, path: Path_) -> Mark:
        """Where the key of the mapping entry at ``path`` stands (its value if there is no key)."""
        return self.keys.get(tuple(path)) or self.position(path)


class YamlProblem(Exception):
    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_text(path: Path) -> str:
    """The file's text, or a YamlProblem saying plainly why it cannot be read."""
    if path.is_dir():
        raise YamlProblem("is a directory, not a file")
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise YamlProblem("no such file") from None
    except PermissionError:
        raise YamlProblem("cannot be read: permission denied") from None
    except OSError as error:
        raise YamlProblem(f"cannot be read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = path.stat().st_size if path.is_file() else len(raw)
        raise YamlProblem(
            f"is {size / 1024 / 1024:.1f} MB; questionnaire files may be at most {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise YamlProblem("is not UTF-8 text (save it as UTF-8)", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def parse(text: str) -> tuple[Located, list[YamlProblem]]:
    """Parse one YAML document; syntax errors raise YamlProblem, softer problems are returned."""
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlProblem(_yaml_message(error, text), *(_pos(mark)[:2] if mark else (0, 0))) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise YamlProblem(f"a control character (U+{error.character:04X}) that YAML does not allow", line, column) from None
    except yaml.YAMLError as error:
        raise YamlProblem("is not valid YAML: " + " ".join(str(error).split())) from None
    if root is None:
        raise YamlProblem("is empty")
    builder = _Builder()
    data = builder.build(root, ())
    return Located(data, builder.values, builder.keys, builder.written), builder.problems


def _pos(mark: yaml.Mark) -> Mark:
    return Mark(mark.line + 1, mark.column + 1)


def _yaml_message(error: yaml.MarkedYAMLError, text: str) -> str:
    problem = (error.problem or "").strip()
    context = (error.context or "").strip()
    if "expected a single document" in context:
        return "holds more than one YAML document (a line '---'); a questionnaire is one document"
    mark = error.problem_mark
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t" or "'\\t'" in problem:
        return "a tab character: YAML indentation must use spaces"
    message = problem or context or "is not valid YAML"
    if context and problem:
        message = f"{problem} ({context})"
    return f"YAML syntax: {message}"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, recording positions."""

    def __init__(self) -> None:
        self.values: dict[Path_, Mark] = {}
        self.keys: dict[Path_, Mark] = {}
        self.written: dict[Path_, str] = {}
        self.problems: list[YamlProblem] = []
        self._seen: set[int] = set()
        self._open: set[int] = set()  # mappings and lists being built: an alias back to one is a loop
        self._visits = 0

    def build(self, node: yaml.Node, path: Path_) -> object:
        self._count(node)
        self.values[path] = _pos(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            if node.tag in (_INT, _FLOAT):
                self.written[path] = node.value
            return self._scalar(node)
        if id(node) in self._open:
            raise YamlProblem("an alias (*name) refers to the block that contains it, a loop with no end",
                              *_pos(node.start_mark)[:2])
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            self._check_tag(node, _SEQ)
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _count(self, node: yaml.Node) -> None:
        self._visits += 1
        self._seen.add(id(node))
        if self._visits > ALIAS_EXPANSION_FACTOR * len(self._seen) + ALIAS_EXPANSION_ALLOWANCE:
            raise YamlProblem(
                "aliases (*name) expand to far more data than the file holds; write the repeated parts out",
                *_pos(node.start_mark)[:2],
            )

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, object]:
        self._check_tag(node, _MAP)
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            self._count(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("a key must be a plain word, not a list or mapping", *_pos(key_node.start_mark)[:2])
            key = self._scalar(key_node)
            if not isinstance(key, str):
                key = key_node.value  # `1:` or `true:` as a key means the text the author wrote
            if key in result:
                first = self.keys[path + (key,)]
                self.problems.append(
                    YamlProblem(f"duplicate key '{key}' (first at line {first.line}); keep one", *_pos(key_node.start_mark)[:2])
                )
                continue
            self.keys[path + (key,)] = _pos(key_node.start_mark)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _scalar(self, node: yaml.Node) -> object:
        tag = node.tag
        value = node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                return int(value, 0) if value[:2].lower() in ("0o", "0x") else int(value, 10)
            except ValueError:
                # The value is not repeated: in an answers file it is health data, and it may be huge.
                raise YamlProblem(f"a whole number of {len(value)} digits is more than any answer or setting takes",
                                  *_pos(node.start_mark)[:2]) from None
        if tag == _FLOAT:
            try:
                return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
            except ValueError:
                raise YamlProblem("this is not a number that can be read", *_pos(node.start_mark)[:2]) from None
        raise YamlProblem(
            f"the tag {_short_tag(tag)} is not allowed here; questionnaires use plain YAML without tags",
            *_pos(node.start_mark)[:2],
        )

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise YamlProblem(
                f"the tag {_short_tag(node.tag)} is not allowed here; questionnaires use plain YAML without tags",
                *_pos(node.start_mark)[:2],
            )
