"""Across visits: a patient's timeline, response and remission, charts in every format, the "Since
baseline" block of each visit's summary, and the index that finds a patient's sessions."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import EXAMPLES, run_installed
from ketascreen.answering import prune
from ketascreen.answersfile import read_answers
from ketascreen.index import INDEX_FILE, patient_files
from ketascreen.loading.load import load_source
from ketascreen.scenarios import SCENARIOS_DIR
from ketascreen.session import COMPLETED, Answer, Session
from ketascreen.store import Store

INTAKE = yaml.safe_load((EXAMPLES / "answers" / "nothing-flagged.yaml").read_text())["answers"]
PREDOSE = yaml.safe_load((SCENARIOS_DIR / "ketamine-predose.yaml").read_text())["defaults"]["answers"]


def phq9(total: int) -> dict[str, int]:
    """Items that add up to the total, item 9 left at 0."""
    items = [0] * 9
    for index in range(8):
        items[index] = min(3, total - sum(items))
    assert sum(items) == total
    return {f"phq9_{i + 1}": items[i] for i in range(9)}


def visit(store: Store, patient: str, day: int, total: int | None, questionnaire: str = "ketamine-predose",
          complete: bool = True, extra: dict | None = None, tmp: Path | None = None, declined: list | None = None) -> str:
    source = load_source(questionnaire)
    q = source.questionnaire
    intake = q.id == "ketamine-pretreatment"
    answers = dict(INTAKE if intake else PREDOSE)
    answers.update(phq9(total) if total is not None else {})
    if total and intake:
        answers["phq9_difficulty"] = "somewhat"
    answers.update(extra or {})
    for qid in declined or ():
        answers.pop(qid, None)
    path = (tmp or store.directory.parent) / f"answers-{day}.yaml"
    path.write_text(yaml.safe_dump({"answers": answers, "declined": declined or []}), encoding="utf-8")
    parsed = read_answers(path, q)
    assert parsed.problems == []
    stamp = f"2026-11-{day:02d}T09:00:00.000+00:00"
    session = Session(store.new_id(), patient, "AB", q.id, q.version, q.sha256, str(source.path), source.text,
                      created=stamp)
    for qid, given in parsed.answers.items():
        session.record(qid, Answer(given.state, given.value, stamp), "AB")
    prune(q, session, "AB")
    if complete:
        session.status, session.completed = COMPLETED, stamp
    store.save(session)
    return session.id


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "data")
    store.prepare()
    return store


def history(store: Store, patient: str, fmt: str = "json") -> str:
    done = run_installed("history", patient, "--format", fmt, "--data-dir", str(store.directory))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_intake_and_three_checks_22_15_9_4(store: Store) -> None:
    ids = [visit(store, "MRN-1", 2, 22, "ketamine-pretreatment")]
    ids += [visit(store, "MRN-1", day, total) for day, total in ((5, 15), (9, 9), (12, 4))]
    visit(store, "MRN-2", 3, 18, "ketamine-pretreatment")  # another patient, not in this history
    data = json.loads(history(store, "MRN-1"))
    assert [v["session"] for v in data["visits"]] == ids
    assert [v["phq9_total"] for v in data["visits"]] == [22, 15, 9, 4]
    assert [v["questionnaire"] for v in data["visits"]] == ["ketamine-pretreatment"] + ["ketamine-predose"] * 3
    assert set(data["visits"][0]) >= {"session", "questionnaire", "date", "status", "phq9_total", "phq9_range",
                                      "gad7_total", "phq9_9", "bp_systolic", "bp_diastolic", "urgent", "contraindications"}
    assert data["baseline"] == {"session": ids[0], "phq9_total": 22}
    assert data["latest"] == {"session": ids[3], "phq9_total": 4}
    assert (data["change_percent"], data["response"], data["remission"]) == (-81.8, True, True)
    text = history(store, "MRN-1", "text")
    assert "VISITS (4)" in text and "22 → 4 (−82 %)" in text
    assert "Response (a PHQ-9 total at most 50 % of baseline, here at most 11): yes" in text
    assert "Remission (a PHQ-9 total below 5): yes" in text
    assert "PHQ-9 and GAD-7 at each visit" in text and "Blood pressure at each visit" in text
    summary = run_installed("summary", ids[3], "--data-dir", str(store.directory)).stdout
    block = " ".join(summary.split("SINCE BASELINE")[1].split("SCORES")[0].split())
    assert "Visit 4 of 4 for this patient" in block and "PHQ-9 since baseline: 22 → 4 (−82 %)" in block
    assert "Response (a PHQ-9 total at most 50 % of baseline): yes; remission (a PHQ-9 total below 5): yes" in block
    series = json.loads(run_installed("summary", ids[3], "-f", "json", "--data-dir", str(store.directory)).stdout)["series"]
    assert (series["visit"], series["change_percent"], series["response"], series["remission"]) == (4, -81.8, True, True)
    alone = run_installed("summary", visit(store, "MRN-9", 1, 5, "ketamine-pretreatment"), "-f", "json",
                          "--data-dir", str(store.directory)).stdout
    assert json.loads(alone)["series"] is None  # a first visit has no series block


def test_response_without_remission_and_worsening(store: Store) -> None:
    for day, total in ((1, 20), (4, 12), (8, 9)):
        visit(store, "R", day, total)
    data = json.loads(history(store, "R"))
    assert (data["response"], data["remission"], data["change_percent"]) == (True, False, -55.0)
    for day, total in ((1, 10), (4, 14)):
        visit(store, "W", day, total)
    worse = json.loads(history(store, "W"))
    assert (worse["response"], worse["remission"], worse["change_percent"]) == (False, False, 40.0)
    assert "10 → 14 (+40 %)" in history(store, "W", "text")


def test_seven_visits_with_an_open_first_visit_an_incomplete_phq9_and_a_clinic_questionnaire(store: Store,
                                                                                              tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("format: 1\nextends: ketamine-predose\nid: clinic-predose\nversion: '1'\n", encoding="utf-8")
    ids = [visit(store, "P7", 1, 24, "ketamine-pretreatment", complete=False)]  # in progress: not the baseline
    ids.append(visit(store, "P7", 2, 21))
    ids.append(visit(store, "P7", 4, None, declined=["phq9_3"], extra={k: 2 for k in phq9(0) if k != "phq9_3"}))
    ids.append(visit(store, "P7", 6, 14, str(clinic)))
    ids += [visit(store, "P7", day, total) for day, total in ((8, 12), (10, 11), (12, 13))]
    data = json.loads(history(store, "P7"))
    visits = data["visits"]
    assert len(visits) == 7 and visits[0]["status"] == "in_progress"
    assert data["baseline"] == {"session": ids[1], "phq9_total": 21}
    assert visits[2]["phq9_total"] is None and visits[2]["phq9_range"] == [16, 19]
    assert visits[3]["questionnaire"] == "clinic-predose"
    assert data["latest"] == {"session": ids[6], "phq9_total": 13}
    assert (data["response"], data["remission"]) == (False, False)


class SVGs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict[str, int]] = []
        self.texts: list[str] = []
        self.inside = False

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "svg":
            self.inside = True
            self.charts.append({})
        elif self.inside:
            self.charts[-1][tag] = self.charts[-1].get(tag, 0) + 1

    def handle_endtag(self, tag) -> None:  # type: ignore[no-untyped-def]
        if tag == "svg":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.texts.append(data)


def test_charts_are_real_vector_graphics_in_html_and_pdf(store: Store, tmp_path: Path) -> None:
    visit(store, "C", 1, 22, "ketamine-pretreatment")
    for day, total in ((3, 15), (6, 9)):
        visit(store, "C", day, total)
    page = history(store, "C", "html")
    parser = SVGs()
    parser.feed(page)
    assert len(parser.charts) == 2  # PHQ-9 and GAD-7, blood pressure
    scores, pressure = parser.charts
    assert scores["circle"] == 3 + 1  # a PHQ-9 mark per visit, and the legend's
    assert scores["rect"] >= 1 + 1  # GAD-7 at the intake (a square), the legend, the frame
    assert pressure["circle"] == 3 + 1
    assert {"22", "15", "9", "PHQ-9 20: severe", "response line: 50 % of baseline (11)"} <= set(parser.texts)
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    pdf = tmp_path / "history.pdf"
    done = run_installed("history", "C", "--format", "pdf", "--output", str(pdf), "--data-dir", str(store.directory))
    assert done.returncode == 0, done.stderr
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "PHQ-9 and GAD-7 at each visit" in text and "Blood pressure at each visit" in text
    assert "Response (a PHQ-9 total at most 50 % of baseline, here at most 11): yes" in " ".join(text.split())
    assert "Patient C" in text and "page 1 of" in text


def test_an_unknown_patient_is_a_clear_error_that_does_not_repeat_the_reference(store: Store) -> None:
    visit(store, "KNOWN", 1, 5)
    done = run_installed("history", "SECRET-4711", "--data-dir", str(store.directory))
    assert done.returncode == 1
    assert "no sessions for that patient reference" in done.stderr and "SECRET-4711" not in done.stderr


def test_the_index_follows_the_directory_and_is_never_trusted_when_damaged(store: Store) -> None:
    first = visit(store, "IDX", 1, 10)
    assert [p.stem for p in patient_files(store, "IDX")] == [first]
    second = visit(store, "IDX", 2, 8)  # added after the index was written
    assert sorted(p.stem for p in patient_files(store, "IDX")) == sorted([first, second])
    done = run_installed("delete", second, "--yes", "--data-dir", str(store.directory))
    assert done.returncode == 0
    index_text = (store.directory / INDEX_FILE).read_text()
    assert second not in index_text
    assert [p.stem for p in patient_files(store, "IDX")] == [first]
    (store.directory / INDEX_FILE).write_text('{"format": "ketascreen-index", "format_version": 2, "entries": '
                                              '{"zzzz-zzzz.json": [1, 1, "IDX", "x", "x", "x"]}}')
    assert [p.stem for p in patient_files(store, "IDX")] == [first]  # the stray entry has no file: dropped
    (store.directory / INDEX_FILE).write_text("not json {")
    assert [p.stem for p in patient_files(store, "IDX")] == [first]  # rebuilt from the files
    assert json.loads((store.directory / INDEX_FILE).read_text())["format"] == "ketascreen-index"
    # A session file damaged after indexing: read again, skipped by name, left as it is.
    damaged = store.directory / f"{first}.json"
    damaged.write_text('{"format": "ketascreen-session", "broken": ', encoding="utf-8")
    before = damaged.read_bytes()
    done = run_installed("history", "IDX", "--data-dir", str(store.directory))
    assert done.returncode == 1 and "skipped" not in done.stderr  # the damaged file no longer names a patient
    assert damaged.read_bytes() == before
    assert (store.directory / INDEX_FILE).stat().st_mode & 0o777 == 0o600


def test_sessions_filters_by_patient_date_and_status(store: Store) -> None:
    a = visit(store, "F1", 3, 10)
    b = visit(store, "F1", 20, 8, complete=False)
    c = visit(store, "F2", 20, 8)
    listed = run_installed("sessions", "--patient", "F1", "--data-dir", str(store.directory)).stdout
    assert a in listed and b in listed and c not in listed
    since = run_installed("sessions", "--since", "2026-11-10", "--data-dir", str(store.directory)).stdout
    assert a not in since and b in since and c in since
    both = run_installed("sessions", "--patient", "F1", "--status", "completed", "--data-dir", str(store.directory)).stdout
    assert a in both and b not in both


def reopen_for_amendment(store: Store, session_id: str) -> None:
    """As `resume --amend` leaves a session whose answer was changed and not yet confirmed."""
    path = store.directory / f"{session_id}.json"
    data = json.loads(path.read_text())
    data["audit"] += [{"at": data["completed"], "event": "completed", "by": "AB"},
                      {"at": "2026-11-20T09:00:00.000+00:00", "event": "amend", "by": "CD", "reason": "check"}]
    data["status"], data["completed"] = "in_progress", None
    path.write_text(json.dumps(data))


def test_a_baseline_reopened_for_amendment_stays_and_unfinished_visits_decide_nothing(store: Store) -> None:
    first = visit(store, "A", 1, 20)
    visit(store, "A", 4, 15)
    visit(store, "A", 8, 8)
    visit(store, "A", 9, 3, complete=False)  # an interview not finished: not the latest
    reopen_for_amendment(store, first)
    data = json.loads(history(store, "A"))
    assert data["baseline"] == {"session": first, "phq9_total": 20}
    assert data["latest"]["phq9_total"] == 8 and (data["response"], data["remission"]) == (True, False)


def test_a_baseline_below_5_makes_response_and_remission_not_applicable(store: Store) -> None:
    for day, total in ((1, 0), (4, 4)):
        visit(store, "Z", day, total)
    data = json.loads(history(store, "Z"))
    assert (data["response"], data["remission"]) == (None, None)
    assert "Response and remission: not applicable, the baseline PHQ-9 (0) is below 5" in history(store, "Z", "text")


def test_checks_before_doses_compare_with_each_other_not_with_the_record_after_a_dose(store: Store) -> None:
    monitoring = {"product_given": "esketamine_nasal", "dose_mg": 56, "bp_systolic_40min": 166, "bp_diastolic_40min": 96,
                  "bp_systolic_discharge": 132, "bp_diastolic_discharge": 84, "spo2_lowest": 96, "sedation_level": "mild",
                  "dissociation_observed": True, "respiratory_depression_observed": False, "adverse_event": False,
                  "minutes_observed": 125, "left_with_escort": True}
    first = visit(store, "M", 1, 18, extra={"bladder_symptoms": True})
    store_monitoring(store, "M", 1, monitoring)
    second = visit(store, "M", 4, 12, extra={"bladder_symptoms": True})
    summary = run_installed("summary", second, "--data-dir", str(store.directory)).stdout
    block = " ".join(summary.split("SINCE BASELINE")[1].split("SCORES")[0].split())
    assert "Visit 3 of 3 for this patient" in block
    assert "Previous ketamine-predose visit" in block and "New since that visit: no flag" in block
    text = history(store, "M", "text")
    assert "40 min 166/96, discharge 132/84" in text
    page = history(store, "M", "html")
    parser = SVGs()
    parser.feed(page)
    scores = parser.charts[0]
    assert scores["line"] >= 4 + 1 + 1  # bands, response line, and the PHQ-9 joined across the record
    first_summary = json.loads(run_installed("summary", first, "-f", "json", "--data-dir", str(store.directory)).stdout)
    assert first_summary["series"]["visits"] == 3  # the first visit knows the patient has more


def store_monitoring(store: Store, patient: str, day: int, answers: dict) -> str:
    source = load_source("ketamine-monitoring")
    q = source.questionnaire
    stamp = f"2026-11-{day:02d}T12:00:00.000+00:00"
    session = Session(store.new_id(), patient, "AB", q.id, q.version, q.sha256, str(source.path), source.text,
                      created=stamp)
    for qid, value in answers.items():
        session.record(qid, Answer("value", value, stamp), "AB")
    session.status, session.completed = COMPLETED, stamp
    store.save(session)
    return session.id


def test_history_shows_urgent_flags_left_unassessed_and_warns_of_unreadable_files(store: Store) -> None:
    visit(store, "U", 1, 10)
    visit(store, "U", 3, 8, declined=["suicidal_thoughts"], extra={"suicide_plan_or_intent": False})
    text = history(store, "U", "text")
    assert "URGENT NOT ASSESSED 1" in text
    broken = visit(store, "U", 5, 6)
    (store.directory / f"{broken}.json").write_text('{"broken": ')
    done = run_installed("history", "U", "--data-dir", str(store.directory))
    assert "1 session file(s)" in done.stderr and "may lack visits" in done.stderr
    assert "could not be read; a visit of this patient may be missing" in done.stdout


def test_control_characters_in_a_reference_are_shown_not_obeyed_in_every_history_format(store: Store) -> None:
    visit(store, "R\u202eX", 1, 10)
    visit(store, "R\u202eX", 2, 8)
    for fmt in ("text", "markdown", "html", "json"):
        out = history(store, "R\u202eX", fmt)
        assert "\u202e" not in out, fmt
