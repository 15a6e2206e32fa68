"""An amended session says so on the chart copy: AMENDED near the top of every format, who, when,
why, each answer old → new and the flags that changed; the original completion is kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pexpect
from markdown_it import MarkdownIt
from pypdf import PdfReader

from conftest import EXAMPLES, REVIEW_PROMPTS, confirm_review, find_in_review, run_installed
from test_terminal import spawn, the_session, wait_question

REASON = "patient corrected the answer on reflection"


def thoughts_now_yes(child: pexpect.spawn) -> None:
    """At the review: change "thoughts of ending own life" to yes and acknowledge the urgent notice;
    the plan question follows."""
    number = find_in_review(child, r"(\d+)\. thoughts of ending own life, past month: no").group(1)
    child.sendline(number)
    wait_question(child)
    child.sendline("y")
    child.expect("Type ok")
    child.sendline("ok")
    wait_question(child)


def completed_then_amended(data_dir: Path) -> str:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    session_id = done.stdout.split("\t")[0]
    original = the_session(data_dir)
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "CD")
    child.expect("Reason for the amendment")
    child.sendline("")  # a reason is needed
    child.expect("needed")
    child.sendline(REASON)
    child.expect("Review: every answer")
    thoughts_now_yes(child)
    child.expect("plan")
    child.sendline("n")
    child.expect("Review: what changed")
    confirm_review(child)
    child.expect("Completed and saved")
    child.expect(pexpect.EOF)
    saved = the_session(data_dir)
    assert saved["status"] == "completed"
    assert saved["completed"] == original["completed"]  # the original completion is kept
    return session_id


def test_amendment_is_recorded_with_who_when_why_and_each_change(data_dir: Path) -> None:
    session_id = completed_then_amended(data_dir)
    saved = the_session(data_dir)
    [amended] = [e for e in saved["audit"] if e["event"] == "amended"]
    assert amended["by"] == "CD" and amended["reason"] == REASON
    changes = {c["question"]: (c["from"], c["to"]) for c in amended["changes"]}
    assert changes["suicidal_thoughts"][0]["value"] is False and changes["suicidal_thoughts"][1]["value"] is True
    assert changes["suicide_plan_or_intent"][0] is None and changes["suicide_plan_or_intent"][1]["value"] is False

    data = json.loads(run_installed("summary", session_id, "--format", "json", "--data-dir", str(data_dir)).stdout)
    assert data["session"]["amended"] is True
    [entry] = data["session"]["amendments"]
    assert set(entry) == {"at", "staff", "reason", "changes", "flags_changed", "confirmed"}
    assert (entry["staff"], entry["reason"]) == ("CD", REASON)
    assert {"question": "suicidal_thoughts", "from": {"state": "value", "value": False, "at": entry["changes"][0]["from"]["at"]},
            "to": {"state": "value", "value": True, "at": entry["changes"][0]["to"]["at"]}} in entry["changes"]
    assert {"flag": "suicide_risk", "from": "not_raised", "to": "raised"} in entry["flags_changed"]
    assert data["session"]["staff"] == "AB"  # the original staff stays
    # exports say so too
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    fhir = json.loads(run_installed("export", session_id, "--format", "fhir", "--data-dir", str(data_dir)).stdout)
    QuestionnaireResponse.model_validate(fhir)
    assert fhir["status"] == "amended"
    csv_text = run_installed("export", "--format", "csv", "--data-dir", str(data_dir)).stdout
    import csv
    import io

    [row] = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert row["amended"] == entry["at"]


def test_amended_in_every_format(data_dir: Path, tmp_path: Path) -> None:
    session_id = completed_then_amended(data_dir)
    args = ["--data-dir", str(data_dir)]
    text = run_installed("summary", session_id, *args).stdout
    top = text.split("FLAGS RAISED")[0]
    assert "AMENDED — 1 amendment after completion" in top
    assert re.search(r"Completed: +\d{4}-\d\d-\d\d \d\d:\d\d UTC", top) and re.search(r"Amended: +.* by CD", top)
    flat = " ".join(text.split())
    assert f"by CD — reason: {REASON}" in flat
    assert "Changed: thoughts of ending own life, past month: no → yes" in flat
    assert ("Flag: Thoughts of death, self-harm or suicide, a plan, or a recent attempt, reported: "
            "not raised → raised") in flat

    markdown = run_installed("summary", session_id, "--format", "markdown", *args).stdout
    tokens = MarkdownIt("commonmark").parse(markdown)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert "Amendments (1)" in headings
    assert "AMENDED" in markdown.split("## Flags raised")[0]

    html = run_installed("summary", session_id, "--format", "html", *args).stdout
    assert '<p class="banner amended">AMENDED' in html and "no → yes" in html

    pdf = tmp_path / "amended.pdf"
    assert run_installed("summary", session_id, "--format", "pdf", "--output", str(pdf), *args).returncode == 0
    pages = [page.extract_text() for page in PdfReader(str(pdf)).pages]
    assert all("AMENDED" in page for page in pages)  # on every page
    whole = " ".join(" ".join(pages).split())
    assert REASON in whole and "no → yes" in whole and "not raised → raised" in whole


def test_reason_on_the_command_line_needs_amend(data_dir: Path) -> None:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--data-dir", str(data_dir))
    session_id = done.stdout.split("\t")[0]
    refused = run_installed("resume", session_id, "--reason", "x", "--data-dir", str(data_dir))
    assert refused.returncode == 2 and "--reason goes with --amend" in refused.stderr


def test_an_amendment_left_unfinished_stays_on_the_chart_and_is_finished_as_one(data_dir: Path) -> None:
    done = run_installed("run", "--answers", str(EXAMPLES / "answers" / "nothing-flagged.yaml"),
                         "--data-dir", str(data_dir))
    session_id = done.stdout.split("\t")[0]
    child = spawn(data_dir, "resume", session_id, "--amend", "--staff", "EF", "--reason", "patient misheard")
    thoughts_now_yes(child)
    child.sendline("q")  # left unfinished
    child.expect(pexpect.EOF)
    pending = json.loads(run_installed("summary", session_id, "-f", "json", "--data-dir", str(data_dir)).stdout)
    [open_one] = pending["session"]["amendments"]
    assert open_one["confirmed"] is False and open_one["reason"] == "patient misheard" and open_one["staff"] == "EF"
    assert {"flag": "suicide_risk", "from": "not_raised", "to": "raised"} in open_one["flags_changed"]
    text = run_installed("summary", session_id, "--data-dir", str(data_dir)).stdout
    assert "an amendment in progress, not yet confirmed" in text.split("FLAGS RAISED")[0]
    assert "(reopened for an amendment)" in text.split("FLAGS RAISED")[0]
    # Finished by other staff, without --amend: one amendment, both names, EF's change kept.
    child = spawn(data_dir, "resume", session_id, "--staff", "GH")
    child.expect("amendment that was begun and not confirmed")
    wait_question(child)
    child.sendline("n")  # the plan question
    while (found := child.expect([r"Question \d+ of about", *REVIEW_PROMPTS])) == 0:
        child.sendline("")  # the answers after it stand: Enter keeps each
    if found == 2:  # pages of the review not shown yet: show them, then confirm
        child.sendline("")
        confirm_review(child)
    else:
        child.sendline("c")
    child.expect("Completed and saved")
    child.expect(pexpect.EOF)
    data = json.loads(run_installed("summary", session_id, "-f", "json", "--data-dir", str(data_dir)).stdout)
    [entry] = data["session"]["amendments"]
    assert entry["confirmed"] is True and entry["staff"] == "EF, GH" and entry["reason"] == "patient misheard"
    assert any(c["question"] == "suicidal_thoughts" for c in entry["changes"])
    assert data["session"]["status"] == "completed"


def test_amend_needs_a_completed_session(data_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "p.yaml"
    partial.write_text("patient: P\nstaff: AB\nanswers: {bp_systolic: 120}\n", encoding="utf-8")
    run_installed("run", "--answers", str(partial), "--data-dir", str(data_dir))
    [path] = list(data_dir.glob("*.json"))
    refused = run_installed("resume", path.stem, "--amend", "--staff", "CD", "--reason", "x", "--data-dir", str(data_dir))
    assert refused.returncode == 1 and "not completed yet, so there is nothing to amend" in refused.stderr
