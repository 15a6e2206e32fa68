"""The compiled-questionnaire cache: a hit builds the same questionnaire without checking it; an
entry that is damaged, changed, foreign or out of date is never trusted; validate never uses it."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from conftest import EXAMPLES
from ketascreen.loading import compiled, load
from ketascreen.loading.load import BUNDLED_DIR, load_source
from ketascreen.session import Session
from ketascreen.stored import _CHECKED, stored_questionnaire

CLINIC = """\
format: 1
extends: base.yaml
id: sunrise-clinic
title: Sunrise Clinic pre-treatment screen
version: "1.0"
"""


def _cache() -> Path:
    directory = compiled.cache_dir()
    assert directory is not None
    return directory


def _entries() -> list[Path]:
    return sorted(p for p in _cache().glob("*") if not p.name.startswith(".")) if _cache().is_dir() else []


def _copy_of_bundled(tmp_path: Path) -> Path:
    path = tmp_path / "screen.yaml"
    path.write_bytes((BUNDLED_DIR / "ketamine-pretreatment.yaml").read_bytes())
    return path


@pytest.fixture
def no_checks(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """After this, any full check fails the test: what loads came from the cache."""

    def refuse() -> None:
        def checked(*args: object, **kwargs: object) -> None:
            raise AssertionError("the questionnaire was checked again instead of built from the cache")

        monkeypatch.setattr(load, "_check", checked)

    return refuse


def test_a_hit_builds_the_identical_questionnaire_without_checking_it(tmp_path: Path, no_checks) -> None:  # type: ignore[no-untyped-def]
    path = _copy_of_bundled(tmp_path)
    first = load_source(str(path))
    assert len(_entries()) == 1
    no_checks()
    second = load_source(str(path))
    assert second.questionnaire == first.questionnaire and second.text == first.text
    assert second.questionnaire.sha256 == first.questionnaire.sha256 == hashlib.sha256(first.text.encode()).hexdigest()
    assert [q.id for q in second.questionnaire.questions] == [q.id for q in first.questionnaire.questions]


def test_the_cache_is_private_and_under_the_users_cache_directory(tmp_path: Path) -> None:
    os.umask(0)
    try:
        load_source(str(_copy_of_bundled(tmp_path)))
    finally:
        os.umask(0o022)
    directory = _cache()
    assert directory.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    for folder in (directory, directory.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [entry] = _entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [p.name for p in directory.iterdir()] == [entry.name]  # no temporary file left


@pytest.mark.parametrize("damage", ["data", "hash", "truncated", "version", "key", "not json"])
def test_a_damaged_or_foreign_entry_is_ignored_and_written_again(tmp_path: Path, damage: str) -> None:
    path = _copy_of_bundled(tmp_path)
    good = load_source(str(path))
    [entry] = _entries()
    original = entry.read_bytes()
    recorded, _, body = original.partition(b"\n")
    found = json.loads(body)
    if damage == "data":  # a changed flag label, with the old hash: the hash gives it away
        changed = body.replace(b"Several days", b"Severel days", 1)
        assert changed != body
        entry.write_bytes(recorded + b"\n" + changed)
    elif damage == "hash":
        entry.write_bytes(b"0" * 64 + b"\n" + body)
    elif damage == "truncated":
        entry.write_bytes(original[: len(original) // 2])
    elif damage == "not json":
        entry.write_bytes(hashlib.sha256(b"{").hexdigest().encode() + b"\n{")
    else:  # consistent in itself, but written by another version, or for another file
        found["tool" if damage == "version" else "key"] = "0.0.0-other" if damage == "version" else "0" * 64
        found["data"]["title"] = "Not this questionnaire"
        rebody = json.dumps(found).encode()
        entry.write_bytes(hashlib.sha256(rebody).hexdigest().encode() + b"\n" + rebody)
    again = load_source(str(path))
    assert again.questionnaire == good.questionnaire
    assert entry.read_bytes() == original  # rebuilt from the file and written again


def test_an_edited_file_misses(tmp_path: Path) -> None:
    path = _copy_of_bundled(tmp_path)
    load_source(str(path))
    text = path.read_text()
    assert "Ketamine and esketamine pre-treatment screening" in text
    path.write_text(text.replace("Ketamine and esketamine pre-treatment screening",
                                 "Edited Ketamine and esketamine pre-treatment screening", 1))
    edited = load_source(str(path))
    assert edited.questionnaire.title.get(None).startswith("Edited ")
    assert len(_entries()) == 2


def test_an_edited_base_misses_for_the_clinic_file_that_extends_it(tmp_path: Path) -> None:
    base = _copy_of_bundled(tmp_path)
    base.rename(tmp_path / "base.yaml")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(CLINIC)
    first = load_source(str(clinic))
    base_text = (tmp_path / "base.yaml").read_text()
    (tmp_path / "base.yaml").write_text(base_text.replace("Several days", "Some days", 1))
    second = load_source(str(clinic))
    assert second.text != first.text and "Some days" in second.text
    assert load_source(str(clinic)).text == second.text


def test_validate_never_reads_the_cache(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = _copy_of_bundled(tmp_path)
    load_source(str(path))

    def refuse(key: str) -> None:
        raise AssertionError("validate looked in the cache")

    monkeypatch.setattr(compiled, "lookup", refuse)
    done = cli("validate", str(path))
    assert done.code == 0, done.err
    path.write_text(path.read_text().replace("type: yes_no", "type: yes_or_no", 1))
    assert cli("validate", str(path)).code == 1


def test_the_cache_can_be_moved_or_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy_of_bundled(tmp_path)
    monkeypatch.setenv("KETASCREEN_CACHE_DIR", "off")
    assert compiled.cache_dir() is None
    load_source(str(path))
    assert not Path(os.environ["XDG_CACHE_HOME"], "ketascreen").exists()
    monkeypatch.setenv("KETASCREEN_CACHE_DIR", str(tmp_path / "elsewhere"))
    load_source(str(path))
    assert len(list((tmp_path / "elsewhere").iterdir())) == 1


def test_a_sessions_stored_questionnaire_is_cached_and_no_answer_is(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    done = cli("run", "--answers", str(EXAMPLES / "answers" / "several-flags.yaml"), "--data-dir", str(data))
    assert done.code == 0, done.err
    [path] = data.glob("*.json")
    from ketascreen.store import read_session

    session: Session = read_session(path)
    _CHECKED.clear()
    first = stored_questionnaire(session)
    entries = _entries()
    assert any(compiled.text_key(session.questionnaire_text) == e.name for e in entries)
    _CHECKED.clear()
    assert stored_questionnaire(session) == first
    for entry in entries:
        content = entry.read_bytes()
        assert b"MRN-0042" not in content and session.id.encode() not in content


@pytest.mark.parametrize("variables", [
    {"XDG_CACHE_HOME": "/srv/cache", "HOME": "/home/nurse"},
    {"XDG_CACHE_HOME": "/srv/cache/", "HOME": "/home/nurse"},
    {"XDG_CACHE_HOME": "", "HOME": "/home/nurse"},
    {"XDG_CACHE_HOME": "relative/cache", "HOME": "/home/nurse"},
    {"HOME": "/home/nurse"},
    {"HOME": "/home/nurse/"},
])
def test_the_cache_directory_is_the_one_platformdirs_names(variables: dict[str, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert compiled.user_cache_dir() == Path(user_cache_dir("ketascreen", appauthor=False))
