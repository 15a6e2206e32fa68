"""Session files: atomic, private, locked, and never overwritten when they cannot be read."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ketascreen.loading.load import load_source
from ketascreen.session import VALUE, Answer, Session
from ketascreen.store import SessionLocked, Store, StoreError, read_session


def make_session(store: Store) -> Session:
    source = load_source("ketamine-pretreatment")
    q = source.questionnaire
    session = Session(store.new_id(), "MRN-7", "AB", q.id, q.version, q.sha256, str(source.path), source.text)
    session.record("bp_systolic", Answer(VALUE, 150, "2026-11-29T09:00:00+00:00"), "AB")
    return session


def test_round_trip_with_the_questionnaire_copy_and_hash(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.prepare()
    session = make_session(store)
    path = store.save(session)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "ketascreen-session" and data["format_version"] == 2
    assert data["questionnaire"]["sha256"] == session.questionnaire_sha256
    assert "content" not in data["questionnaire"]
    copy = store.directory / ".questionnaires" / session.questionnaire_sha256
    assert copy.read_text(encoding="utf-8") == session.questionnaire_text
    assert data["answers"]["bp_systolic"] == {"state": "value", "value": 150, "at": "2026-11-29T09:00:00+00:00"}
    assert read_session(path).to_json() == session.to_json()


def test_permissions_are_private_even_with_umask_000(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = Store(tmp_path / "a" / "b")
        store.prepare()
        path = store.save(make_session(store))
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    copies = store.directory / ".questionnaires"
    assert stat.S_IMODE(copies.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in copies.iterdir()] == [0o600]  # one copy, no temporary file
    assert sorted(p.name for p in store.directory.iterdir()) == [".questionnaires", path.name]  # no temporary files left


def test_an_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o777)
    os.chmod(directory, 0o777)
    Store(directory).prepare()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_unusable_data_directory_is_an_error_before_anything_else(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as raised:
        Store(blocker / "sessions").prepare()
    assert "data directory" in str(raised.value)


DAMAGED = {
    "empty": b"",
    "truncated": b'{"format": "ketascreen-session", "format_version": 1, "id": "ab',
    "not json": b"hello\n",
    "not utf-8": b"\xff\xfe{}",
    "not ours": b'{"name": "something else"}',
    "a list": b"[1, 2]",
    "newer format": b'{"format": "ketascreen-session", "format_version": 99}',
    "missing fields": b'{"format": "ketascreen-session", "format_version": 1, "id": "x"}',
    "bad answer state": None,
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_unreadable_session_files_get_a_clear_error_and_stay_byte_for_byte(tmp_path: Path, name: str) -> None:
    store = Store(tmp_path)
    content = DAMAGED[name]
    if content is None:
        data = make_session(store).to_json()
        data["answers"]["bp_systolic"]["state"] = "maybe"
        content = json.dumps(data).encode()
    path = tmp_path / "abcd-efgh.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        read_session(path)
    message = str(raised.value)
    assert str(path) in message and ("left as it is" in message or "newer version" in message)
    assert path.read_bytes() == content
    if name == "newer format":
        assert "newer version of ketascreen" in message


def test_listing_skips_unreadable_files_and_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    good = make_session(store)
    store.save(good)
    (tmp_path / "zzzz-zzzz.json").write_text("{broken")
    found = list(store.sessions())
    assert [(s.id if s else None) for _, s, _ in found] == [good.id, None]
    assert "not valid JSON" in found[1][2]


def test_second_lock_on_a_session_is_refused_naming_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    with store.lock("abcd-efgh"):
        with pytest.raises(SessionLocked) as raised:
            with store.lock("abcd-efgh"):
                pass
    assert "abcd-efgh" in str(raised.value) and f"process {os.getpid()}" in str(raised.value)
    with store.lock("abcd-efgh"):  # released
        pass


def test_lock_of_a_killed_process_is_released(tmp_path: Path) -> None:
    holder = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ketascreen.store import Store
        with Store(Path({str(tmp_path)!r})).lock("abcd-efgh"):
            print("locked", flush=True)
            time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "locked"
        with pytest.raises(SessionLocked):
            with Store(tmp_path).lock("abcd-efgh"):
                pass
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with Store(tmp_path).lock("abcd-efgh"):
        pass


def test_ids_are_short_and_typable(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ids = {store.new_id() for _ in range(200)}
    assert len(ids) == 200
    for session_id in ids:
        assert len(session_id) == 9 and session_id[4] == "-"
        assert not set(session_id) & set("01ilo")


def test_resolve_by_id_or_path(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    path = store.save(session)
    assert store.resolve(session.id) == path
    assert store.resolve(session.id.upper()) == path
    assert store.resolve(str(path)) == path
    with pytest.raises(StoreError):
        store.resolve("zzzz-zzzz")


def test_save_failure_is_an_error_and_keeps_the_previous_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    path = store.save(session)
    before = path.read_bytes()
    session.patient = "\ud800"  # cannot be encoded: the save fails before the rename
    with pytest.raises(UnicodeEncodeError):
        store.save(session)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".questionnaires", path.name]


def test_a_session_file_whose_name_is_not_its_id_is_refused_untouched(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    original = store.save(session)
    copy = tmp_path / "backup.json"
    copy.write_bytes(original.read_bytes())
    with pytest.raises(StoreError) as raised:
        read_session(copy)
    assert "does not match" in str(raised.value) and copy.read_bytes() == original.read_bytes()
    data = json.loads(original.read_text())
    data["id"] = "../../x"
    original.write_text(json.dumps(data))
    with pytest.raises(StoreError):
        read_session(original)


def test_the_questionnaire_is_written_once_and_each_answer_writes_only_the_session(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from ketascreen import store as store_module

    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    written: list[str] = []
    real = store_module._write_durably

    def counting(path: Path, data: bytes, sync_parent: bool = True) -> None:
        written.append(path.parent.name if path.parent != tmp_path else "session")
        real(path, data, sync_parent)

    monkeypatch.setattr(store_module, "_write_durably", counting)
    for value in (150, 151, 152):
        session.record("bp_systolic", Answer(VALUE, value, "2026-11-29T09:00:00+00:00"), "AB")
        store.save(session)
    assert written == [".questionnaires", "session", "session", "session"]
    assert len(store.path_for(session.id).read_bytes()) < len(session.questionnaire_text)


def test_a_damaged_copy_is_written_again_and_a_changed_one_refuses_the_session(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    path = store.save(session)
    copy = tmp_path / ".questionnaires" / session.questionnaire_sha256
    copy.write_text(session.questionnaire_text.replace("systolic", "sistolic"), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="does not match its hash"):
        read_session(path)
    assert path.read_bytes() == before
    copy.unlink()
    with pytest.raises(StoreError, match="missing"):
        read_session(path)
    assert path.read_bytes() == before
    copy.write_text("damaged", encoding="utf-8")
    Store(tmp_path).save(session)  # a new process's store finds the copy does not match and writes it again
    assert copy.read_text(encoding="utf-8") == session.questionnaire_text
    assert read_session(path).questionnaire_text == session.questionnaire_text


def test_a_file_of_format_1_is_read_and_saved_again_as_format_2(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    path = store.path_for(session.id)
    path.write_text(json.dumps(session.to_json(inline_questionnaire=True), indent=1), encoding="utf-8")
    old = read_session(path)
    assert old.questionnaire_text == session.questionnaire_text and not old.questionnaire_verified
    store.save(old)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format_version"] == 2 and "content" not in data["questionnaire"]
    assert read_session(path).to_json() == session.to_json()


def test_a_text_that_does_not_match_its_hash_stays_inside_the_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prepare()
    session = make_session(store)
    session.questionnaire_text += "# changed\n"
    path = store.save(session)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format_version"] == 1 and data["questionnaire"]["content"] == session.questionnaire_text
    assert not (tmp_path / ".questionnaires").exists()
