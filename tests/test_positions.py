"""A position always names the file it is in: a message about the bundled file's text, after a
clinic file removes or changes parts of it, never points at a line of the clinic file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketascreen.loading.load import BUNDLED_DIR, check_file, load_questionnaire

BASE = load_questionnaire("ketamine-pretreatment")


def clinic_files() -> list[tuple[str, str]]:
    """Removals a clinic admin might try: each section whole, every question of each section, each
    flag and each score."""
    cases = []
    for section in BASE.sections:
        ids = ", ".join(q.id for q in section.questions)
        cases.append((f"all questions of {section.id}", f"remove_questions: [{ids}]\n"))
        cases.append((f"section {section.id}", f"remove_sections: [{section.id}]\n"))
    cases += [(f"flag {f.id}", f"remove_flags: [{f.id}]\n") for f in BASE.flags]
    cases += [(f"score {s.id}", f"remove_scores: [{s.id}]\n") for s in BASE.scores]
    return cases


CASES = clinic_files()


@pytest.mark.parametrize("body", [body for _, body in CASES], ids=[name for name, _ in CASES])
def test_every_position_is_in_the_file_it_names(tmp_path: Path, body: str) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(f'format: 1\nextends: ketamine-pretreatment\nid: sunrise\nversion: "1"\n{body}',
                      encoding="utf-8")
    _, problems = check_file(clinic, str(clinic), lint=True)
    lines = {str(clinic): len(clinic.read_text(encoding="utf-8").splitlines()),
             str(BUNDLED_DIR / "ketamine-pretreatment.yaml"):
                 len((BUNDLED_DIR / "ketamine-pretreatment.yaml").read_text(encoding="utf-8").splitlines())}
    for problem in problems:
        assert problem.file in lines, str(problem)
        assert problem.line <= lines[problem.file], str(problem)


def test_a_section_left_empty_is_reported_where_it_is_written(tmp_path: Path) -> None:
    section = next(s for s in BASE.sections if s.id == "suicide_risk")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text('format: 1\nextends: ketamine-pretreatment\nid: sunrise\nversion: "1"\n'
                      f"remove_questions: [{', '.join(q.id for q in section.questions)}]\n", encoding="utf-8")
    _, problems = check_file(clinic, str(clinic))
    empty = [p for p in problems if "'questions' must not be empty" in p.message]
    assert len(empty) == 1
    assert empty[0].file == str(BUNDLED_DIR / "ketamine-pretreatment.yaml")
    written = (BUNDLED_DIR / "ketamine-pretreatment.yaml").read_text(encoding="utf-8").splitlines()
    assert "id: suicide_risk" in written[empty[0].line - 1]
