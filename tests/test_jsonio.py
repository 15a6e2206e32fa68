"""Session files are written with orjson, and with the standard library for what orjson refuses:
the standard library reads back exactly what was saved, and nothing that could be saved before
fails now."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketascreen import jsonio
from ketascreen.session import VALUE, Answer, Session
from ketascreen.store import Store, StoreError, encode, read_session

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_what_is_written_reads_back_the_same_with_either_library(value: object) -> None:
    try:
        written = jsonio.dumps(value)
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 file can hold it, as before
        return
    assert json.loads(written.decode("utf-8")) == value


def session_with(tmp_path: Path, value: object) -> tuple[Store, Session]:
    store = Store(tmp_path / "data")
    store.prepare()
    session = Session(store.new_id(), "MRN-1", "T", "q", "1", "a" * 64, "q.yaml", "text")
    session.answers["count"] = Answer(VALUE, value, "2026-12-01T09:00:00+00:00")  # type: ignore[arg-type]
    session.questionnaire_text = "format: 1\n"
    return store, session


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**40, 1e300, 1.5, "Ärztin 🙂 \u2028 \x7f"])
def test_a_number_beyond_64_bits_or_any_text_is_saved_and_read_back(tmp_path: Path, value: object) -> None:
    store, session = session_with(tmp_path, value)
    path = store.save(session)
    assert json.loads(path.read_bytes())["answers"]["count"]["value"] == value
    read = read_session(path).answers["count"].value
    assert read == value and type(read) is type(value)  # a whole number stays whole


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize("where", ["answer", "audit"])
def test_a_file_holding_nan_or_infinity_is_refused_untouched(tmp_path: Path, number: bytes, where: str) -> None:
    """Not JSON, though Python reads them; saved again they would be written as null."""
    store, session = session_with(tmp_path, 7)
    session.log("changed", "T", question="count", old={"state": "value", "value": 6}, new={"state": "value", "value": 7})
    path = store.save(session)
    target = b'"value":7,' if where == "answer" else b'"value":6}'
    assert path.read_bytes().count(target) == 1
    path.write_bytes(path.read_bytes().replace(target, target.replace(b"7", number).replace(b"6", number)))
    damaged = path.read_bytes()
    with pytest.raises(StoreError, match="is damaged or not a session file \\(not valid JSON"):
        read_session(path)
    assert path.read_bytes() == damaged


def test_a_number_too_long_to_be_finite_is_asked_again() -> None:
    from ketascreen.answering import InvalidAnswer, parse_typed
    from ketascreen.model import Question, QuestionType

    question = Question("n", QuestionType.NUMBER, "How many?", "How many", "s")  # type: ignore[arg-type]
    assert parse_typed(question, "1" * 300).value == float("1" * 300)
    with pytest.raises(InvalidAnswer):
        parse_typed(question, "9" * 400)


@pytest.mark.parametrize("stray", [datetime(2026, 12, 1, tzinfo=UTC), date(2026, 12, 1), Answer(VALUE, 1, "t")])
def test_an_object_json_does_not_hold_is_an_error_as_before(stray: object) -> None:
    with pytest.raises(TypeError):
        jsonio.dumps({"audit": [{"at": stray}]})
    with pytest.raises(TypeError):
        json.dumps({"audit": [{"at": stray}]})


@pytest.mark.parametrize("damage", [b"\xff\xfe not text", b'{"format": "ketascreen-session",', b"[1, 2"])
def test_damaged_files_are_refused_as_before_with_the_line(tmp_path: Path, damage: bytes) -> None:
    store, session = session_with(tmp_path, 7)
    path = store.save(session)
    path.write_bytes(damage)
    with pytest.raises(StoreError, match="damaged or not a session file") as raised:
        read_session(path)
    if damage.startswith(b"{"):
        assert "at line 1" in str(raised.value)
    assert path.read_bytes() == damage  # left as it is


def test_the_session_file_is_the_compact_json_the_standard_library_would_write(tmp_path: Path) -> None:
    _, session = session_with(tmp_path, "a few words")
    data = session.to_json()
    assert json.loads(encode(data)) == json.loads(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    assert b"\n" not in encode(data) and b", " not in encode(data)


def test_the_parts_kept_between_saves_are_the_answers_as_they_are_now(tmp_path: Path) -> None:
    """A save makes only the parts of the answers changed since the last one: after any change,
    however it is made, the content is the one made afresh, in the same order."""
    import random

    rng = random.Random(7)
    store, session = session_with(tmp_path, 1)
    ids = [f"q{number}" for number in range(12)]
    reordered = 0
    for step in range(400):
        qid, answers = rng.choice(ids), session.answers
        way = rng.randrange(6)
        if way <= 2:
            session.record(qid, Answer(VALUE, rng.randrange(5), f"t{step}"), "T")
        elif way == 3:
            answers.pop(qid, None)
        elif way == 4 and qid in answers:
            del answers[qid]
            answers[qid] = Answer(VALUE, "again", f"t{step}")  # taken away and given again: now last
            reordered += 1
        else:
            session.forget(qid, "T", reason="test")
        kept = session.to_json(kept_parts=True)
        fresh = session.to_json()
        assert kept == fresh and list(kept["answers"]) == list(fresh["answers"]) == list(session.answers)
        if step % 50 == 0:
            saved = json.loads(store.save(session).read_bytes())["answers"]
            assert saved == json.loads(json.dumps(fresh["answers"])) and list(saved) == list(session.answers)
    assert reordered > 10
