"""Exports kept beside the sessions: a second export of unchanged sessions reads what the first one
made, and gives exactly what evaluating every session again gives, or it evaluates again."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketascreen import exportcache
from ketascreen.answering import prune
from ketascreen.commands import export as export_command
from ketascreen.evaluate import evaluate_session
from ketascreen.scenarios import SCENARIOS_DIR, prepare_scenarios, scenario_session
from ketascreen.session import Answer, Session, SessionStatus
from ketascreen.store import Store, encode

STAMP = "2026-11-02T09:00:00+00:00"


def scenario_sessions() -> Iterator[Session]:
    """Every bundled scenario as a session, skip logic applied; every third one completed."""
    number = 0
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        source, prepared = prepare_scenarios(path)
        for one in prepared:
            session = scenario_session(source, one.answers)
            prune(source.questionnaire, session, "test")
            session.patient = f"MRN-{number:04d}"
            session.created = f"2026-11-{1 + number % 28:02d}T09:00:00+00:00"
            if number % 3 == 0:
                session.status, session.completed = SessionStatus.COMPLETED, session.created
            number += 1
            yield session


@pytest.fixture(scope="module")
def every_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a session of every bundled scenario, never exported."""
    directory = tmp_path_factory.mktemp("scenarios") / "data"
    store = Store(directory)
    store.prepare()
    for session in scenario_sessions():
        session.id = store.new_id()
        store.save(session)
    return directory


@pytest.fixture
def data(every_scenario: Path, tmp_path: Path) -> Path:
    """A copy of that directory for this test alone."""
    directory = tmp_path / "data"
    directory.mkdir(mode=0o700)
    for path in every_scenario.rglob("*"):
        target = directory / path.relative_to(every_scenario)
        if path.is_dir():
            target.mkdir(mode=0o700)
        else:
            target.write_bytes(path.read_bytes())
    return directory


class Counted:
    """evaluate_session, counting its calls: a kept entry is used only when nothing is evaluated."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        return evaluate_session(*args, **kwargs)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> Counted:
    counted = Counted()
    monkeypatch.setattr(export_command, "evaluate_session", counted)
    return counted


def csv_of(cli, data: Path, out: Path, *extra: str) -> bytes:  # type: ignore[no-untyped-def]
    done = cli("export", "--format", "csv", "--output", str(out), "--data-dir", str(data), *extra)
    assert done.code == 0, done.err
    return out.read_bytes()


def fhir_of(cli, data: Path, out: Path, *ids: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    chosen = list(ids) or sorted(p.stem for p in data.glob("*.json"))
    done = cli("export", *chosen, "--format", "fhir", "--output-dir", str(out), "--data-dir", str(data))
    assert done.code == 0, done.err
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def fresh(cli, data: Path, out: Path, monkeypatch: pytest.MonkeyPatch, fmt: str = "csv"):  # type: ignore[no-untyped-def]
    """The export with nothing kept: every session evaluated."""
    with monkeypatch.context() as patch:
        patch.setenv("KETASCREEN_CACHE_DIR", "off")
        return csv_of(cli, data, out) if fmt == "csv" else fhir_of(cli, data, out)


def test_a_second_export_reads_what_the_first_made_and_is_the_same(cli, data: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     evaluations: Counted,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = len(list(data.glob("*.json")))
    assert sessions >= 100
    first = csv_of(cli, data, tmp_path / "first.csv")
    assert evaluations.calls == sessions
    second = csv_of(cli, data, tmp_path / "second.csv")
    assert evaluations.calls == sessions  # nothing evaluated again
    assert second == first
    assert fresh(cli, data, tmp_path / "fresh.csv", monkeypatch) == first
    assert first.count(b"\r\n") == sessions + 1

    fhir_first = fhir_of(cli, data, tmp_path / "fhir-first")
    calls = evaluations.calls
    fhir_second = fhir_of(cli, data, tmp_path / "fhir-second")
    assert evaluations.calls == calls
    assert fhir_second == fhir_first == fresh(cli, data, tmp_path / "fhir-fresh", monkeypatch, "fhir")
    assert len(fhir_first) == sessions


def test_sessions_of_one_questionnaire_are_written_from_their_kept_lines(cli, data: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                         evaluations: Counted,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    by_copy: dict[str, list[str]] = {}
    for path in sorted(data.glob("*.json")):
        by_copy.setdefault(json.loads(path.read_bytes())["questionnaire"]["sha256"], []).append(path.stem)
    ids = max(by_copy.values(), key=len)
    assert len(by_copy) > 1 and len(ids) >= 20
    first = csv_of(cli, data, tmp_path / "first.csv", *ids)
    assert evaluations.calls == len(ids)
    second = csv_of(cli, data, tmp_path / "second.csv", *ids)
    assert evaluations.calls == len(ids)
    with monkeypatch.context() as patch:
        patch.setenv("KETASCREEN_CACHE_DIR", "off")
        assert csv_of(cli, data, tmp_path / "fresh.csv", *ids) == second == first
    assert first.count(b"\r\n") == len(ids) + 1
    # The same cells as the table of every session, which is laid out from the cells of each.
    alone = list(csv.DictReader(io.StringIO(first.decode("utf-8-sig"))))
    every = {row["session_id"]: row for row in csv.DictReader(io.StringIO(csv_of(cli, data, tmp_path / "all.csv").decode("utf-8-sig")))}
    assert len(alone[0]) > 30
    for row in alone:
        assert row == {column: every[row["session_id"]][column] for column in row}
        assert all(value == "" for column, value in every[row["session_id"]].items() if column not in row)


def test_one_session_to_standard_output_is_the_same_from_an_entry(cli, data: Path, evaluations: Counted,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = sorted(p.stem for p in data.glob("*.json"))[0]
    first = cli("export", session_id, "--format", "fhir", "--data-dir", str(data))
    second = cli("export", session_id, "--format", "fhir", "--data-dir", str(data))
    monkeypatch.setenv("KETASCREEN_CACHE_DIR", "off")
    third = cli("export", session_id, "--format", "fhir", "--data-dir", str(data))
    assert first.code == second.code == third.code == 0
    assert evaluations.calls == 2
    assert first.out == second.out == third.out
    assert json.loads(first.out)["resourceType"] == "QuestionnaireResponse"


def test_a_changed_session_is_evaluated_again(cli, data: Path, tmp_path: Path, evaluations: Counted,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(data)
    before = csv_of(cli, data, tmp_path / "before.csv")
    path = next(p for p in sorted(data.glob("*.json"))
                if "bp_systolic" in json.loads(p.read_bytes())["answers"])
    session = store.load(path)
    session.record("bp_systolic", Answer("value", 231, STAMP), "test")
    store.save(session)
    calls = evaluations.calls
    after = csv_of(cli, data, tmp_path / "after.csv")
    assert evaluations.calls == calls + 1  # this session alone
    assert after != before and b",231," in after
    assert after == fresh(cli, data, tmp_path / "fresh.csv", monkeypatch)


def _damage(kind: str, entry: Path, other: Path) -> None:
    raw = entry.read_bytes()
    if kind == "a byte changed":
        at = len(raw) - 5
        entry.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])
    elif kind == "cut short":
        entry.write_bytes(raw[: len(raw) // 2])
    elif kind == "empty":
        entry.write_bytes(b"")
    elif kind == "another session's entry":
        entry.write_bytes(other.read_bytes())
    elif kind == "made from other bytes":
        # Its own hash is right, but it names another key: as if the session had changed since.
        _hash, _, body = raw.partition(b"\n")
        header, _, output = body.partition(b"\n")
        about = json.loads(header)
        about["key"] = "0" * 64
        body = encode(about) + b"\n" + output
        import hashlib

        entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    elif kind == "a link to another entry":
        entry.unlink()
        entry.symlink_to(other)
    elif kind == "a directory":
        entry.unlink()
        entry.mkdir()
    else:
        raise AssertionError(kind)


DAMAGE = ["a byte changed", "cut short", "empty", "another session's entry", "made from other bytes",
          "a link to another entry", "a directory"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_or_foreign_entry_is_never_used(cli, data: Path, tmp_path: Path, evaluations: Counted,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    expected = csv_of(cli, data, tmp_path / "first.csv")
    entries = sorted((data / exportcache.DIRECTORY / "csv").iterdir())
    victim, other = entries[0], entries[1]
    _damage(kind, victim, other)
    calls = evaluations.calls
    assert csv_of(cli, data, tmp_path / "again.csv") == expected
    assert evaluations.calls == calls + 1  # the damaged one evaluated again, the others read
    if kind != "a directory":
        calls = evaluations.calls
        assert csv_of(cli, data, tmp_path / "third.csv") == expected
        assert evaluations.calls == calls  # written again, and used
        assert not victim.is_symlink()


def test_entries_made_by_other_code_are_not_used(cli, data: Path, tmp_path: Path, evaluations: Counted,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first = csv_of(cli, data, tmp_path / "first.csv")
    calls = evaluations.calls
    monkeypatch.setattr(exportcache, "code_fingerprint", lambda: "another version")
    assert csv_of(cli, data, tmp_path / "second.csv") == first
    assert evaluations.calls == 2 * calls


def test_an_edited_installation_has_another_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "ketascreen"
    package.mkdir()
    (package / "exportcache.py").write_text(Path(exportcache.__file__).read_text())
    (package / "evaluate.py").write_text("RULE = 1\n")
    ours = exportcache.code_fingerprint.__wrapped__  # type: ignore[attr-defined]
    monkeypatch.setattr(exportcache, "__file__", str(package / "exportcache.py"))
    before = ours()
    (package / "evaluate.py").write_text("RULE = 2\n")
    assert ours() != before
    assert exportcache.key("csv", b"{}") != exportcache.key("fhir", b"{}")


def test_a_missing_questionnaire_copy_is_reported_as_without_entries(cli, data: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    csv_of(cli, data, tmp_path / "first.csv")
    for copy in (data / ".questionnaires").iterdir():
        copy.unlink()
    out = tmp_path / "out.csv"
    with_entries = cli("export", "--format", "csv", "--output", str(out), "--data-dir", str(data))
    with monkeypatch.context() as patch:
        patch.setenv("KETASCREEN_CACHE_DIR", "off")
        without = cli("export", "--format", "csv", "--output", str(out), "--data-dir", str(data))
    assert with_entries.code == without.code
    assert with_entries.err == without.err
    assert with_entries.err.count("skipped:") == len(list(data.glob("*.json")))
    assert "is missing or cannot be read" in with_entries.err


def test_filters_read_from_entries_choose_the_same_sessions(cli, data: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             evaluations: Counted,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    csv_of(cli, data, tmp_path / "all.csv")
    for extra in (("--status", "completed"), ("--status", "in_progress"), ("--since", "2026-11-20")):
        calls = evaluations.calls
        kept = csv_of(cli, data, tmp_path / "kept.csv", *extra)
        assert evaluations.calls == calls, extra  # chosen by what the entries say
        with monkeypatch.context() as patch:
            patch.setenv("KETASCREEN_CACHE_DIR", "off")
            assert kept == csv_of(cli, data, tmp_path / "fresh.csv", *extra), extra
        assert 1 < kept.count(b"\r\n") < len(list(data.glob("*.json"))) + 1, extra


def test_entries_are_private_and_go_with_the_session(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0)
    try:
        csv_of(cli, data, tmp_path / "out.csv")
        fhir_of(cli, data, tmp_path / "fhir")
    finally:
        os.umask(old)
    kept = data / exportcache.DIRECTORY
    for path in [kept, *kept.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    session_id = sorted(p.stem for p in data.glob("*.json"))[0]
    assert exportcache.entries_of(data, session_id) == [kept / "csv" / session_id, kept / "fhir" / session_id]
    done = cli("delete", session_id, "--yes", "--data-dir", str(data))
    assert done.code == 0, done.err
    assert exportcache.entries_of(data, session_id) == []
    assert not list(data.rglob(f"*{session_id}*"))


def test_with_the_cache_off_nothing_is_kept(cli, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KETASCREEN_CACHE_DIR", "off")
    csv_of(cli, data, tmp_path / "out.csv")
    fhir_of(cli, data, tmp_path / "fhir")
    assert not (data / exportcache.DIRECTORY).exists()


def test_a_session_of_the_old_format_or_from_elsewhere_keeps_no_entry(cli, data: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       evaluations: Counted) -> None:
    store = Store(data)
    path = sorted(data.glob("*.json"))[0]
    session = store.load(path)
    path.write_bytes(encode(session.to_json(inline_questionnaire=True)))  # format 1: the questionnaire inside
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".questionnaires").mkdir()
    other = sorted(data.glob("*.json"))[1]
    (elsewhere / other.name).write_bytes(other.read_bytes())
    digest = json.loads(other.read_bytes())["questionnaire"]["sha256"]
    (elsewhere / ".questionnaires" / digest).write_bytes((data / ".questionnaires" / digest).read_bytes())
    for _ in range(2):
        for reference in (session.id, str(elsewhere / other.name)):
            done = cli("export", reference, "--format", "fhir", "--data-dir", str(data))
            assert done.code == 0, done.err
    assert evaluations.calls == 4
    assert not (data / exportcache.DIRECTORY).exists()
