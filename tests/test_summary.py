"""The clinician summary: evaluation, every format checked by parsing it, golden files, injection."""

from __future__ import annotations

import io
import json
import os
import re
import stat
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from conftest import EXAMPLES, run_installed
from ketascreen.answering import prune
from ketascreen.answersfile import read_answers
from ketascreen.evaluate import RAISED, UNASSESSED, evaluate_session
from ketascreen.formats import SUMMARY_FORMATS as FORMATS
from ketascreen.loading.load import load_source
from ketascreen.session import COMPLETED, Answer, Session
from ketascreen.store import Store
from ketascreen.summarize import summarize

GOLDEN = Path(__file__).resolve().parent / "golden"
ANSWERS = EXAMPLES / "answers"
WHEN = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
STAMP = "2026-11-29T09:00:00+00:00"
DECISION_WORDS = re.compile(r"\b(eligible|ineligible|approved|cleared)\b", re.IGNORECASE)
HOSTILE = "[bold red]loud[/bold red] \x1b[31mred\x1b[0m <script>alert(1)</script> =HYPERLINK(\"x\") **b** # h"


def make_session(answers: Path | str, complete: bool = True, keep: int | None = None, **extra: object) -> tuple:
    source = load_source("ketamine-pretreatment")
    q = source.questionnaire
    path = answers if isinstance(answers, Path) else ANSWERS / answers
    parsed = read_answers(path, q)
    assert parsed.problems == []
    session = Session("abcd-efgh", parsed.patient or "MRN-X", parsed.staff or "AB", q.id, q.version, q.sha256,
                      "ketamine-pretreatment", source.text, created=STAMP)
    for index, (qid, given) in enumerate(parsed.answers.items()):
        if keep is not None and index >= keep:
            break
        session.record(qid, Answer(given.state, given.value, STAMP), "AB")
    for qid, value in extra.items():
        session.record(qid, Answer("value", value, STAMP), "AB")
    prune(q, session, "AB")
    if complete:
        session.status, session.completed = COMPLETED, STAMP
    session.updated = STAMP
    session.audit = []
    return q, session


CASES = {
    "nothing-flagged": lambda: make_session("nothing-flagged.yaml"),
    "several-flags": lambda: make_session("several-flags.yaml"),
    "incomplete": lambda: make_session("several-flags.yaml", complete=False, keep=12),
}


def render(case: str, fmt: str) -> bytes:
    q, session = CASES[case]()
    return summarize(q, session, fmt, WHEN)


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("markdown", "md"), ("html", "html"), ("json", "json")])
@pytest.mark.parametrize("case", list(CASES))
def test_golden_files(case: str, fmt: str, suffix: str) -> None:
    """Set UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff."""
    produced = render(case, fmt)
    golden = GOLDEN / f"{case}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(produced)
    assert produced == golden.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_session_gives_byte_identical_output(fmt: str) -> None:
    assert render("several-flags", fmt) == render("several-flags", fmt)


def test_evaluation_raises_with_evidence_and_lists_unassessed_with_what_is_missing() -> None:
    q, session = CASES["several-flags"]()
    evaluation = evaluate_session(q, session)
    status = {r.flag.id: r for r in evaluation.flags}
    assert status["uncontrolled_hypertension"].status == RAISED
    assert status["uncontrolled_hypertension"].evidence == ("systolic blood pressure 184 mmHg, above 180",)
    assert status["suicide_risk"].evidence == ("thoughts of death or self-harm 1 (Several days), above 0",
                                               "thoughts of ending own life, past month: yes")
    # diastolic unknown: systolic 184 raises the contraindication, and the 140/90 precaution on the
    # same reading is folded under it
    assert status["elevated_blood_pressure"].status == "covered"
    assert status["elevated_blood_pressure"].covered_by == "uncontrolled_hypertension"
    assert status["elevated_blood_pressure"] not in evaluation.raised
    assert status["substance_use"].status == UNASSESSED
    assert [(w.question.id, w.state) for w in status["substance_use"].missing] == [("substance_use_current", "declined")]
    assert [r.flag.severity.value for r in evaluation.raised] == sorted(
        (r.flag.severity.value for r in evaluation.raised), key=["urgent", "contraindication", "precaution", "history", "logistics"].index)


def test_blood_pressure_left_unknown_is_could_not_be_assessed_not_clear() -> None:
    q, session = make_session("nothing-flagged.yaml")
    session.record("bp_systolic", Answer("unknown", None, STAMP), "AB")
    session.record("bp_diastolic", Answer("unknown", None, STAMP), "AB")
    evaluation = evaluate_session(q, session)
    unassessed = {r.flag.id for r in evaluation.unassessed}
    assert {"uncontrolled_hypertension", "elevated_blood_pressure"} <= unassessed
    text = summarize(q, session, "text", WHEN).decode()
    section = text.split("COULD NOT BE ASSESSED")[1].split("SCORES")[0]
    assert "Blood pressure above 180/100 mmHg at rest" in section
    assert "systolic blood pressure (unknown), diastolic blood pressure (unknown)" in " ".join(section.split())


def test_scores_incomplete_say_how_many_items() -> None:
    q, session = make_session("several-flags.yaml", complete=False)
    session.answers.pop("phq9_9")
    scores = {result.id: result for result, _ in evaluate_session(q, session).scores}
    assert (scores["phq9_total"].value, scores["phq9_total"].answered, scores["phq9_total"].items) == (None, 8, 9)
    text = " ".join(summarize(q, session, "text", WHEN).decode().split())
    # items 1-8 of several-flags sum to 19: with item 9 open the total is 19 to 22, across the 20 line
    assert (scores["phq9_total"].low, scores["phq9_total"].high) == (19, 22)
    assert "PHQ-9 total: 19–22, band not decided (incomplete: 8 of 9 items answered)" in text


def test_text_is_80_columns_without_escape_codes_even_for_huge_answers() -> None:
    q, session = make_session("several-flags.yaml", medications_list="x" * 10_000 + " " + HOSTILE)
    text = summarize(q, session, "text", WHEN).decode()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "\x1b" not in text
    assert "\\x1b[31mred" in text and "[bold red]loud[/bold red]" in " ".join(text.split())


def test_order_of_the_text_summary() -> None:
    text = render("several-flags", "text").decode()
    marks = ["Patient:", "FOR CLINICIAN REVIEW — NOT A TREATMENT DECISION", "FLAGS RAISED", "URGENT", "POSSIBLE CONTRAINDICATION",
             "PRECAUTION", "RELEVANT HISTORY", "LOGISTICS", "COULD NOT BE ASSESSED", "SCORES", "EVERY ANSWER", "SIGN-OFF"]
    positions = [text.index(mark) for mark in marks]
    assert positions == sorted(positions)
    assert "not asked (skip logic)" not in text  # every gated question was asked here
    nothing = render("nothing-flagged", "text").decode()
    assert "plan or intention to act: not asked (skip logic)" in nothing


def test_incomplete_session_says_so_and_lists_what_is_open() -> None:
    text = render("incomplete", "text").decode()
    assert "INCOMPLETE — the interview is not finished" in text
    assert "Still to answer:\n  - " in text and "\n  - diagnosed depression\n" in text


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_everything() -> None:
    q, session = make_session("several-flags.yaml", medications_list=HOSTILE)
    session.patient = "MRN <b>9</b>"
    page = summarize(q, session, "html", WHEN).decode()
    parser = Collect()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert parser.urls == []  # no network
    text = "".join(parser.text)
    assert "<script>alert(1)</script>" in text and "MRN <b>9</b>" in text
    assert "@page" in page and "@media print" in page
    assert parser.tags.count("h2") == 7  # the at-a-glance panel and six sections


def test_markdown_is_commonmark_with_no_markup_from_answers() -> None:
    q, session = make_session("several-flags.yaml", medications_list=HOSTILE)
    source = summarize(q, session, "markdown", WHEN).decode()
    tokens = MarkdownIt("commonmark").parse(source)
    kinds = {t.type for t in tokens}
    assert "html_inline" not in kinds and "html_block" not in kinds
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert headings == ["Flags raised (12)", "Could not be assessed (1)", "Screens asked and negative (2)", "Scores",
                        "Every answer", "Sign-off"]
    rendered = MarkdownIt("commonmark").render(source)
    assert "&lt;script&gt;" in rendered and "<strong>b</strong>" not in rendered


def test_json_has_the_documented_keys() -> None:
    data = json.loads(render("several-flags", "json"))
    assert list(data) == ["session", "flags", "urgent_unassessed", "unassessed", "not_raised", "negative_screens",
                          "set_aside", "scores", "answers", "series"]
    assert set(data["flags"][0]) >= {"id", "severity", "label", "evidence", "source"}
    assert data["flags"][0]["id"] == "suicide_risk"
    assert set(data["unassessed"][0]) >= {"id", "severity", "missing"}
    assert data["scores"][0] == {"id": "phq9_total", "label": "PHQ-9 total", "value": 20, "band": "severe",
                                 "complete": True, "answered": 9, "items": 9, "range": [20, 20],
                                 "notes": ["PHQ-9 difficulty with daily life: Very difficult"]}
    covered = next(f for f in data["flags"] if f["id"] == "elevated_blood_pressure")
    assert (covered["status"], covered["covered_by"]) == ("covered", "uncontrolled_hypertension")
    assert {f["status"] for f in data["flags"]} == {"raised", "covered"}
    assert data["session"]["amended"] is False and data["session"]["amendments"] == []
    answer = next(a for a in data["answers"] if a["id"] == "bp_diastolic")
    assert (answer["state"], answer["value"]) == ("unknown", None)


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_pdf_every_page_carries_patient_disclaimer_and_page_n_of_m() -> None:
    q, session = make_session("several-flags.yaml")
    session.patient = "MRN-Ωé-0042"
    pages = pdf_pages(summarize(q, session, "pdf", WHEN))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "MRN-Ωé-0042" in text
        assert "not a treatment decision" in text
        assert f"page {number} of {len(pages)}" in text
    whole = "\n".join(pages)
    assert "Blood pressure above 180/100 mmHg at rest" in whole
    assert "2026-11-29" in whole and "—" in whole and "“unsure” (é)" in whole


def test_pdf_of_an_incomplete_session_says_incomplete_on_every_page() -> None:
    pages = pdf_pages(render("incomplete", "pdf"))
    assert all("INCOMPLETE" in text for text in pages)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_decision_words_and_hostile_text_harmless_in_every_format(fmt: str) -> None:
    q, session = make_session("several-flags.yaml", medications_list="y" * 10_000 + HOSTILE)
    content = summarize(q, session, fmt, WHEN)
    text = "\n".join(pdf_pages(content)) if fmt == "pdf" else content.decode()
    assert DECISION_WORDS.findall(text) == []
    assert "\x1b" not in text


# --- the command -------------------------------------------------------------------------------


def saved_sessions(tmp_path: Path, *names: str) -> list[str]:
    store = Store(tmp_path)
    store.prepare()
    ids = []
    for index, name in enumerate(names):
        _, session = make_session(name)
        session.id = f"abcd-ef{index + 2}{index + 2}"
        store.save(session)
        ids.append(session.id)
    return ids


def test_summary_command_to_stdout_file_and_directory(tmp_path: Path) -> None:
    ids = saved_sessions(tmp_path / "data", "several-flags.yaml", "nothing-flagged.yaml")
    data = ["--data-dir", str(tmp_path / "data")]
    shown = run_installed("summary", ids[0], *data, env={"SOURCE_DATE_EPOCH": "1795942800"})
    assert shown.returncode == 0 and "FLAGS RAISED (12)" in shown.stdout and "\x1b" not in shown.stdout
    out = tmp_path / "chart.pdf"
    made = run_installed("summary", ids[0], "--format", "pdf", "--output", str(out), *data)
    assert made.returncode == 0, made.stderr
    assert PdfReader(str(out)).pages and stat.S_IMODE(out.stat().st_mode) == 0o600
    day = run_installed("summary", *ids, "--format", "html", "--output-dir", str(tmp_path / "day"), *data)
    assert day.returncode == 0
    assert sorted(p.name for p in (tmp_path / "day").iterdir()) == sorted(f"{i}.html" for i in ids)


def test_summary_command_usage_errors(tmp_path: Path) -> None:
    ids = saved_sessions(tmp_path, "nothing-flagged.yaml", "nothing-flagged.yaml")
    assert run_installed("summary", ids[0], "--format", "docx", "--data-dir", str(tmp_path)).returncode == 2
    assert run_installed("summary", *ids, "--output", "x.txt", "--data-dir", str(tmp_path)).returncode == 2
    missing = run_installed("summary", "zzzz-zzzz", "--data-dir", str(tmp_path))
    assert missing.returncode == 1 and "no session 'zzzz-zzzz'" in missing.stderr


def test_print_without_lp_is_a_clear_error(tmp_path: Path) -> None:
    [session_id] = saved_sessions(tmp_path, "nothing-flagged.yaml")
    done = run_installed("summary", session_id, "--print", "--data-dir", str(tmp_path), env={"PATH": str(tmp_path)})
    assert done.returncode == 1 and "'lp' command is not installed" in done.stderr


def test_print_sends_a_pdf_to_lp(tmp_path: Path) -> None:
    [session_id] = saved_sessions(tmp_path / "data", "nothing-flagged.yaml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    received = tmp_path / "printed.pdf"
    fake = bin_dir / "lp"
    fake.write_text(f"#!/bin/sh\ncat > {received}\n")
    fake.chmod(0o755)
    done = run_installed("summary", session_id, "--print", "--data-dir", str(tmp_path / "data"),
                         env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert received.read_bytes().startswith(b"%PDF") and PdfReader(str(received)).pages


def test_summary_on_a_terminal_is_styled_and_flags_first(tmp_path: Path) -> None:
    import pexpect

    from conftest import spawn_installed

    [session_id] = saved_sessions(tmp_path, "several-flags.yaml")
    env = {"NO_COLOR": None, "TERM": "xterm-256color", "KETASCREEN_DATA_DIR": str(tmp_path)}
    child = spawn_installed("summary", session_id, env=env, dimensions=(50, 100))
    child.expect(pexpect.EOF)
    shown = child.before
    assert "\x1b[" in shown  # styled
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert plain.index("FLAGS RAISED (12)") < plain.index("COULD NOT BE ASSESSED") < plain.index("EVERY ANSWER")


def test_pdf_shows_characters_the_font_lacks_instead_of_dropping_them(capfd) -> None:
    q, session = make_session("several-flags.yaml")
    session.patient = "患者-7"
    pages = pdf_pages(summarize(q, session, "pdf", WHEN))
    assert all("U+60A3U+8005-7" in text for text in pages)
    assert "患" not in capfd.readouterr().err  # nothing of the patient's in a log line


def test_paper_form_answer_set_aside_by_skip_logic_is_shown_to_the_clinician(tmp_path: Path) -> None:
    """A form that says "no thoughts of suicide" but "yes, a plan": the plan answer is not asked with
    that lead-in, so it cannot raise the flag, but the summary shows it prominently."""
    answers = tmp_path / "form.yaml"
    answers.write_text((ANSWERS / "nothing-flagged.yaml").read_text() + "  suicide_plan_or_intent: true\n")
    done = run_installed("run", "--answers", str(answers), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 0 and "warning: suicide_plan_or_intent is not asked" in done.stderr
    session_id = done.stdout.split("\t")[0]
    text = run_installed("summary", session_id, "--data-dir", str(tmp_path / "d")).stdout
    block = text.split("ANSWERS SET ASIDE (1)")[1].split("SCORES")[0]
    assert "plan or intention to act: yes" in block
    assert text.index("ANSWERS SET ASIDE") < text.index("EVERY ANSWER")


def test_a_plan_or_intent_alone_raises_the_urgent_flag() -> None:
    q, session = make_session("nothing-flagged.yaml")
    session.record("suicidal_thoughts", Answer("declined", None, STAMP), "AB")
    session.record("suicide_plan_or_intent", Answer("value", True, STAMP), "AB")
    raised = {r.flag.id for r in evaluate_session(q, session).raised}
    assert "suicide_risk" in raised


def test_output_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    [session_id] = saved_sessions(tmp_path / "data", "nothing-flagged.yaml")
    blocker = tmp_path / "out"
    blocker.write_text("")
    done = run_installed("summary", session_id, "--output-dir", str(blocker), "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 1 and "cannot make the directory" in done.stderr and "Traceback" not in done.stderr
    made = run_installed("summary", session_id, "--output-dir", str(tmp_path / "new"), "--data-dir", str(tmp_path / "data"))
    assert made.returncode == 0 and stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_a_quiet_patient_has_nothing_raised_and_nothing_unassessed() -> None:
    """Skip logic that leaves a follow-up unasked (no thoughts, so no plan question) must not make
    the urgent flag 'could not be assessed' for every patient."""
    q, session = make_session("nothing-flagged.yaml")
    evaluation = evaluate_session(q, session)
    assert evaluation.raised == [] and evaluation.unassessed == []
