"""The YAML reader: no silent YAML 1.1 surprises, positions for every problem, bounded work."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from conftest import EXAMPLES
from ketascreen.loading.load import check_file
from ketascreen.loading.yamlread import MAX_FILE_BYTES, Mark, YamlProblem, parse, read_text


def test_yaml_11_words_stay_as_written() -> None:
    located, problems = parse("a: no\nb: on\nc: off\nd: yes\ne: 2024-01-01\nf: 0755\ng: 1.10\nh: '1.10'\n")
    assert problems == []
    assert located.data == {"a": "no", "b": "on", "c": "off", "d": "yes", "e": "2024-01-01", "f": 755, "g": 1.1, "h": "1.10"}


def test_core_scalars_are_typed() -> None:
    located, _ = parse("a: true\nb: False\nc: null\nd: ~\ne: -3\nf: 2.5\ng: 0x1F\nh:\n")
    assert located.data == {"a": True, "b": False, "c": None, "d": None, "e": -3, "f": 2.5, "g": 31, "h": None}


def test_choice_codes_that_yaml_11_would_change_stay_text() -> None:
    questionnaire, problems = check_file(EXAMPLES / "valid" / "yaml-1.1-words.yaml")
    assert problems == []
    assert [c.code for c in questionnaire.question("answer").choices] == ["no", "on", "off", "2024-01-01"]


def test_positions_are_one_based_for_keys_and_values() -> None:
    located, _ = parse("top:\n  - id: a\n    text: hello\n")
    assert located.values[("top", 0, "text")] == Mark(3, 11)
    assert located.keys[("top", 0, "text")] == Mark(3, 5)
    assert located.position(("top", 0, "missing", 3)) == Mark(2, 5)


def test_duplicate_keys_are_reported_not_overwritten() -> None:
    located, problems = parse("a: 1\nb: 2\na: 3\n")
    assert located.data == {"a": 1, "b": 2}
    assert [(p.line, p.column) for p in problems] == [(3, 1)]
    assert "duplicate key 'a' (first at line 1)" in problems[0].message


@pytest.mark.parametrize("text", ["a: !!python/object/apply:os.system [ls]\n", "a: !custom x\n", "a: !!binary aGk=\n",
                                  "a: !!set {x}\n", "a: !!timestamp 2020-01-01\n"])
def test_tags_beyond_the_core_are_refused_with_a_position(text: str) -> None:
    with pytest.raises(YamlProblem) as raised:
        parse(text)
    assert "is not allowed" in raised.value.message
    assert (raised.value.line, raised.value.column) == (1, 4)


def _alias_bomb(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghijklmn"[:levels - 1]:
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def test_alias_bomb_is_refused_in_bounded_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(YamlProblem) as raised:
            parse(_alias_bomb())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "aliases" in raised.value.message
    assert raised.value.line >= 1
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_few_aliases_are_fine() -> None:
    located, problems = parse("base: &b {x: 1}\none: *b\ntwo: *b\n")
    assert problems == [] and located.data["two"] == {"x": 1}


def test_a_file_over_the_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    with pytest.raises(YamlProblem) as raised:
        read_text(big)
    assert "50.0 MB" in raised.value.message and f"{MAX_FILE_BYTES // 1024 // 1024} MB" in raised.value.message


def test_not_utf8_gives_the_position_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: ok\ntext: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlProblem) as raised:
        read_text(path)
    assert (raised.value.line, raised.value.column) == (2, 10)
    assert "UTF-8" in raised.value.message


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert parse(read_text(path))[0].data == {"a": 1}


@pytest.mark.parametrize("content, fragment", [
    ("", "is empty"),
    ("# only a comment\n", "is empty"),
    ("just text\n", "is a mapping"),
    ("- a\n- b\n", "is a mapping"),
    ("a: 1\n---\nb: 2\n", "more than one YAML document"),
    ("a: \x07\n", "control character (U+0007)"),
    ("a: [1, 2\n", "YAML syntax"),
    ("? [a]\n: 1\n", "plain word"),
])
def test_broken_files_get_a_clear_message(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(content, encoding="utf-8")
    questionnaire, problems = check_file(path)
    assert questionnaire is None
    assert len(problems) == 1 and fragment in problems[0].message, problems


def test_directory_and_missing_file(tmp_path: Path) -> None:
    _, problems = check_file(tmp_path)
    assert "is a directory" in problems[0].message
    _, problems = check_file(tmp_path / "nope.yaml")
    assert "no such file" in problems[0].message


def test_an_alias_loop_is_refused_with_its_position() -> None:
    with pytest.raises(YamlProblem) as raised:
        parse("answers: &a {x: *a}\n")
    assert "loop" in raised.value.message and raised.value.line == 1
