"""Paper forms typed in later, and times in the clinic's own zone: where answers came from, when
the form was filled in, the same form never entered twice by accident, and every time a person
reads shown in the zone the clinic is in, with the zone named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES

FORM = (EXAMPLES / "answers" / "nothing-flagged.yaml").read_text(encoding="utf-8")


def form(tmp_path: Path, extra: str = "", name: str = "paper-form.yaml") -> Path:
    path = tmp_path / name
    path.write_text(FORM + extra, encoding="utf-8")
    return path


def entered(cli, path: Path, data_dir: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("run", "--answers", str(path), "--data-dir", str(data_dir), *extra)


def test_the_form_and_when_it_was_filled_in_are_on_the_summary(cli, tmp_path: Path, data_dir: Path) -> None:
    done = entered(cli, form(tmp_path, "collected_at: 2026-12-01 09:30\n"), data_dir)
    assert done.code == 0, done.err
    session_id = done.out.split("\t")[0]
    text = cli("summary", session_id, "--data-dir", str(data_dir)).out
    assert "Entered from:      answers file paper-form.yaml; form filled in 2026-12-01 09:30" in text
    data = json.loads(cli("summary", session_id, "-f", "json", "--data-dir", str(data_dir)).out)
    assert data["session"]["entered_from"] == {"file": "paper-form.yaml", "collected_at": "2026-12-01T09:30"}
    stored = json.loads((data_dir / f"{session_id}.json").read_text(encoding="utf-8"))
    [event] = [e for e in stored["audit"] if e["event"] == "entered_from_file"]
    assert event["collected_at"] == "2026-12-01T09:30" and len(event["sha256"]) == 64 and event["by"] == "AB"


def test_an_interview_at_the_terminal_says_nothing_of_a_file(cli, tmp_path: Path, data_dir: Path) -> None:
    done = entered(cli, form(tmp_path), data_dir)
    data = json.loads(cli("summary", done.out.split("\t")[0], "-f", "json", "--data-dir", str(data_dir)).out)
    assert data["session"]["entered_from"] == {"file": "paper-form.yaml", "collected_at": None}


@pytest.mark.parametrize("written, message", [
    ("next tuesday", "a date as year-month-day (2026-12-01)"),
    ("2026-13-01", "a date as year-month-day"),
    ("2999-01-01", "is in the future"),
])
def test_a_collection_date_that_cannot_be_right_is_a_problem_at_its_line(cli, tmp_path: Path, data_dir: Path,
                                                                          written: str, message: str) -> None:
    path = form(tmp_path, f"collected_at: {written}\n")
    done = entered(cli, path, data_dir)
    line = len(FORM.splitlines()) + 1
    assert done.code == 1
    assert f"{path}:{line}:15: collected_at: {message}" in done.err
    assert not data_dir.exists() or not list(data_dir.glob("????-????.json"))


def test_the_same_form_twice_for_a_patient_is_refused_unless_again(cli, tmp_path: Path, data_dir: Path) -> None:
    path = form(tmp_path)
    first = entered(cli, path, data_dir).out.split("\t")[0]
    again = entered(cli, path, data_dir)
    assert again.code == 1
    assert f"this answers file was entered for this patient already: session {first}" in again.err
    assert "add --again" in again.err
    assert len(list(data_dir.glob("????-????.json"))) == 1
    # A copy under another name is the same form; another patient's entry of it is not a duplicate.
    assert entered(cli, form(tmp_path, name="copy.yaml"), data_dir).code == 1
    assert entered(cli, path, data_dir, "--patient", "MRN-9999").code == 0
    assert entered(cli, path, data_dir, "--again").code == 0
    assert len(list(data_dir.glob("????-????.json"))) == 3


def test_the_same_answers_saved_again_are_the_same_form_and_another_answer_is_not(cli, tmp_path: Path,
                                                                                  data_dir: Path) -> None:
    assert entered(cli, form(tmp_path), data_dir).code == 0
    resaved = tmp_path / "resaved.yaml"
    resaved.write_bytes(("# checked again with the patient\n" + FORM).replace("\n", "\r\n").encode("utf-8"))
    assert entered(cli, resaved, data_dir).code == 1
    changed = tmp_path / "changed.yaml"
    changed.write_text(FORM.replace("bp_systolic: 122", "bp_systolic: 124"), encoding="utf-8")
    assert "bp_systolic: 122" in FORM
    assert entered(cli, changed, data_dir).code == 0


def test_a_form_from_standard_input_is_fingerprinted_by_what_it_says(tmp_path: Path) -> None:
    from conftest import run_installed

    data = tmp_path / "sessions"
    first = run_installed("run", "--answers", "/dev/stdin", "--data-dir", str(data), input=FORM)
    assert first.returncode == 0, first.stderr
    other = run_installed("run", "--answers", "/dev/stdin", "--data-dir", str(data),
                          input=FORM.replace("bp_systolic: 122", "bp_systolic: 124"))
    assert other.returncode == 0, other.stderr
    again = run_installed("run", "--answers", "/dev/stdin", "--data-dir", str(data), input=FORM)
    assert again.returncode == 1 and f"session {first.stdout.split()[0]}" in again.stderr
    stored = json.loads((data / f"{first.stdout.split()[0]}.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in stored["audit"] if e["event"] == "entered_from_file"] == ["standard input or a pipe"]


def test_answers_set_aside_say_what_happened(cli, tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("patient: P-1\nstaff: AB\nanswers:\n  suicidal_thoughts: false\n  suicide_plan_or_intent: false\n",
                    encoding="utf-8")
    done = entered(cli, path, data_dir)
    assert "warning: suicide_plan_or_intent is not asked with these answers" in done.err
    [stored] = [json.loads(p.read_text(encoding="utf-8")) for p in data_dir.glob("????-????.json")]
    [removed] = [e for e in stored["audit"] if e["event"] == "removed"]
    assert removed["reason"] == "not asked because of another answer in this file"


def test_an_unknown_question_id_points_to_where_ids_are_listed(cli, tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("patient: P-1\nstaff: AB\nanswers:\n  zzzz: 1\n", encoding="utf-8")
    done = entered(cli, path, data_dir)
    assert done.code == 1
    assert (f"{path}:4:3: no question 'zzzz' in ketamine-pretreatment; ketascreen show ketamine-pretreatment "
            "lists every question id") in done.err


def settings_file(tmp_path: Path, zone: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(f"timezone: {zone}\n", encoding="utf-8")
    return path


def test_times_are_shown_in_the_clinics_zone_and_json_keeps_the_offset(cli, tmp_path: Path, data_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796202000")  # 2026-12-02 09:00 UTC
    session_id = entered(cli, form(tmp_path), data_dir).out.split("\t")[0]
    stored = json.loads((data_dir / f"{session_id}.json").read_text(encoding="utf-8"))
    settings = settings_file(tmp_path, "America/New_York")
    text = cli("--config", str(settings), "summary", session_id, "--data-dir", str(data_dir)).out
    assert "Generated:         2026-12-02 04:00 EST" in text
    assert " UTC" not in text.split("EVERY ANSWER")[0]
    utc = cli("summary", session_id, "--data-dir", str(data_dir)).out
    assert "Generated:         2026-12-02 09:00 UTC" in utc
    data = json.loads(cli("--config", str(settings), "summary", session_id, "-f", "json",
                          "--data-dir", str(data_dir)).out)
    assert data["session"]["created"] == stored["created"] and data["session"]["created"].endswith("+00:00")
    listed = cli("--config", str(settings), "sessions", "--data-dir", str(data_dir)).out
    assert "started (America/New_York)" in listed


def test_summer_time_follows_the_date(cli, tmp_path: Path) -> None:
    from ketascreen.clock import shown, zone_named

    berlin = zone_named("Europe/Berlin")
    assert shown("2026-01-15T12:00:00+00:00", berlin) == "2026-01-15 13:00 CET"
    assert shown("2026-07-15T12:00:00+00:00", berlin) == "2026-07-15 14:00 CEST"
    assert shown("2026-07-15T12:00:00+00:00", zone_named("Asia/Dubai")) == "2026-07-15 16:00 UTC+04:00"


def test_an_unknown_zone_is_a_settings_problem_at_its_line(cli, tmp_path: Path) -> None:
    done = cli("--config", str(settings_file(tmp_path, "Mars/Olympus")), "config")
    assert done.code == 1
    assert "settings.yaml:1: timezone 'Mars/Olympus' is not a time zone name known here" in done.err


def test_config_names_the_zone_in_force(cli, tmp_path: Path) -> None:
    assert "timezone: Europe/Lisbon  [" in cli("--config", str(settings_file(tmp_path, "Europe/Lisbon")), "config").out
    assert "timezone: UTC (the machine's)  [default]" in cli("config").out


def test_a_late_evening_visit_is_on_that_evenings_date_in_the_history(cli, tmp_path: Path, data_dir: Path) -> None:
    late = form(tmp_path, "collected_at: 2026-12-01T23:30:00-05:00\n")
    assert entered(cli, late, data_dir).code == 0
    settings = settings_file(tmp_path, "America/New_York")
    in_new_york = cli("--config", str(settings), "history", "MRN-0001", "--data-dir", str(data_dir)).out
    in_utc = cli("history", "MRN-0001", "--data-dir", str(data_dir)).out
    assert "2026-12-01" in in_new_york and "2026-12-02" not in in_new_york
    assert "2026-12-02" in in_utc and "2026-12-01" not in in_utc
    as_recorded = json.loads(cli("--config", str(settings), "history", "MRN-0001", "-f", "json",
                                 "--data-dir", str(data_dir)).out)
    assert [v["date"] for v in as_recorded["visits"]] == ["2026-12-01T23:30-05:00"]


@pytest.mark.parametrize("written", ["0001-01-01T00:30+01:00", "1899-12-31", "9999-12-31T23:59+00:00"])
def test_a_date_at_the_edge_of_the_calendar_is_refused_and_never_breaks_a_summary(cli, tmp_path: Path,
                                                                                  data_dir: Path,
                                                                                  written: str) -> None:
    done = entered(cli, form(tmp_path, f"collected_at: {written}\n"), data_dir)
    assert done.code == 1 and "collected_at:" in done.err


def test_slashed_dates_are_day_first_as_in_the_interview(cli, tmp_path: Path, data_dir: Path) -> None:
    done = entered(cli, form(tmp_path, "collected_at: 01/12/2026\n"), data_dir)
    assert done.code == 0, done.err
    data = json.loads(cli("summary", done.out.split("\t")[0], "-f", "json", "--data-dir", str(data_dir)).out)
    assert data["session"]["entered_from"]["collected_at"] == "2026-12-01"


def test_since_is_a_day_where_the_clinic_is(cli, tmp_path: Path, data_dir: Path) -> None:
    from ketascreen.store import Store

    session_id = entered(cli, form(tmp_path), data_dir).out.split("\t")[0]
    store = Store(data_dir)
    session = store.load(store.path_for(session_id))
    session.created = "2026-11-30T23:30:00.000+00:00"  # half past midnight on 1 December in Berlin
    store.save(session)
    settings = settings_file(tmp_path, "Europe/Berlin")
    for command in (("sessions",), ("export", "-f", "csv")):
        there = cli("--config", str(settings), *command, "--since", "2026-12-01", "--data-dir", str(data_dir)).out
        here = cli(*command, "--since", "2026-12-01", "--data-dir", str(data_dir)).out
        assert session_id in there and session_id not in here, command
    assert "2026-12-01 00:30" in cli("--config", str(settings), "sessions", "--data-dir", str(data_dir)).out
