"""The printed summary as a chart document: page 1 at a glance, every page labelled, nothing split,
the paper the clinic uses. PDFs are read back with pypdf; the HTML is printed by a real Chromium."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from ketascreen.answering import prune
from ketascreen.evaluate import evaluate_session
from ketascreen.render import pdflayout as lay
from ketascreen.render.paper import TONES
from ketascreen.render.view import BANNER, SIGN_OFF, summary_view
from ketascreen.scenarios import SCENARIOS_DIR, prepare_scenarios, scenario_session
from ketascreen.session import Answer, SessionStatus
from ketascreen.settings import locale_paper, resolve_settings
from ketascreen.summarize import summarize
from tests.test_summary import make_session

WHEN = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
PAGE_OF = re.compile(r"page (\d+) of (\d+)")


def pages_of(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def texts_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pages_of(pdf)]


def urgent_contraindication_incomplete_score() -> tuple:
    """The patient the chart must make plain at a glance: an urgent flag, a possible
    contraindication, and a GAD-7 with an item declined."""
    q, session = make_session("several-flags.yaml")
    session.record("gad7_3", Answer("declined", None, "2026-11-29T09:00:00+00:00"), "AB")
    return q, session


# --- every bundled scenario, read back --------------------------------------------------------


def _scenarios() -> Iterator[tuple[str, Path, int]]:
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        _source, prepared = prepare_scenarios(path)
        for index, scenario in enumerate(prepared):
            yield f"{path.stem}:{scenario.line}", path, index


SCENARIOS = list(_scenarios())


def _in_order(text: str, markers: list[str]) -> list[str]:
    """The markers that are not found after the one before them."""
    out, at = [], 0
    for marker in markers:
        found = text.find(marker, at)
        if found < 0:
            out.append(marker)
        else:
            at = found + len(marker)
    return out


@pytest.mark.parametrize(("name", "path", "index"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_scenario_prints_in_the_chart_order_with_every_page_labelled(name: str, path: Path, index: int) -> None:
    source, prepared = prepare_scenarios(path)
    session = scenario_session(source, prepared[index].answers)
    prune(source.questionnaire, session, "test")
    evaluation = evaluate_session(source.questionnaire, session)
    view = summary_view(evaluation, WHEN.isoformat())
    texts = texts_of(summarize(source.questionnaire, session, "pdf", WHEN))
    assert 1 <= len(texts) <= 12, f"{len(texts)} pages"
    for number, text in enumerate(texts, start=1):
        assert f"Patient {session.patient}" in text and BANNER in text, f"page {number}"
        assert PAGE_OF.findall(text) == [(str(number), str(len(texts)))], f"page {number}"
        if view.incomplete:
            assert "INCOMPLETE" in text, f"page {number}"
    whole = "\n".join(texts)
    severities = [heading[0].upper() + heading[1:] for heading, _flags in view.flag_groups]
    markers = ["Screening summary", "Questionnaire", "At a glance", "Flags raised", *severities,
               "Could not be assessed (", "Scores", "Every answer", "Sign-off", *(f"{label}:" for label in SIGN_OFF)]
    assert _in_order(whole, markers) == []
    assert "At a glance" in texts[0]
    # What the panel counts is what the body lists.
    for row in view.glance:
        if row.count is not None:
            assert f"{row.heading} ({row.count})" in re.sub(r"\s+", " ", whole)
    assert sum(len(flags) for _heading, flags in view.flag_groups) == int(re.search(r"Flags raised \((\d+)\)", whole)[1])


def test_the_patient_a_clinician_must_not_miss_is_plain_on_page_one() -> None:
    q, session = urgent_contraindication_incomplete_score()
    pdf = summarize(q, session, "pdf", WHEN)
    first = texts_of(pdf)[0]
    panel = first[first.index("At a glance"):]
    assert "‼ Urgent (1)" in panel and "▲ Possible contraindications (1)" in panel
    assert re.search(r"GAD-7 total: [^;]*incomplete: 6 of 7 items answered", panel.replace("\n", " "))
    assert int(re.search(r"Could not be assessed \((\d+)\)", panel)[1]) >= 1
    # The urgent and contraindication lines are printed in their colours (text operators on page 1).
    content = pages_of(pdf)[0].get_contents().get_data().decode("latin-1")
    for kind in ("urgent", "contraindication"):
        numbers = [f"{c / 255:.4f}".rstrip("0").rstrip(".") for c in TONES[kind].ink]
        assert re.search(r"\s+".join(re.escape(n) + r"0*" for n in numbers) + r"\s+rg", content), kind


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _grey(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """What a greyscale printer makes of a colour (ITU-R BT.601 weights)."""
    value = round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])
    return value, value, value


@pytest.mark.parametrize("kind", sorted(TONES))
def test_panel_colours_read_in_colour_and_in_greyscale(kind: str) -> None:
    ink, fill = TONES[kind].ink, TONES[kind].fill
    assert _contrast(ink, fill) >= 4.5
    assert _contrast(_grey(ink), _grey(fill)) >= 4.5


def test_urgent_and_contraindication_differ_by_symbol_not_only_colour() -> None:
    q, session = urgent_contraindication_incomplete_score()
    view = summary_view(evaluate_session(q, session), WHEN.isoformat())
    symbols = [row.symbol for row in view.glance]
    assert len(set(symbols)) == len(symbols) and all(symbols)


# --- nothing split ------------------------------------------------------------------------------


def _flag_pages(texts: list[str], label: str, source: str) -> tuple[int, int]:
    """The pages of a flag's label and of its source, in the flags section (the panel names it too)."""
    flat = [re.sub(r"\s+", " ", t) for t in texts]
    start = next(i for i, t in enumerate(flat) if "Flags raised" in t)
    flat[start] = flat[start].split("Flags raised", 1)[1]
    first = next(i for i, t in enumerate(flat) if i >= start and label in t)
    return first, next(i for i, t in enumerate(flat) if i >= first and source[:40] in t)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_flag_splits_and_the_sign_off_never_stands_alone(paper: str) -> None:
    # Long answers push the flags and rows around the pages: a split would show here.
    q, session = make_session("several-flags.yaml", medications_list="sertraline 150 mg; " * 60)
    view = summary_view(evaluate_session(q, session), WHEN.isoformat())
    texts = texts_of(summarize(q, session, "pdf", WHEN, paper=paper))
    for _heading, flags in view.flag_groups:
        for flag in flags:
            first, last = _flag_pages(texts, flag.label, "Source: " + flag.source)
            assert first == last, flag.label
    signed = next(t for t in texts if "Sign-off" in t)
    before = signed.split("Sign-off")[0]
    assert re.search(r"^\d+ ", before, re.MULTILINE), "the sign-off page holds no answer"


def _random_rows(seed: int) -> list[lay.Row]:
    chance = random.Random(seed)
    return [lay.Row(chance.choice([3.0, 5.0, 12.0, 40.0, 130.0]), keep_with_next=chance.random() < 0.4)
            for _ in range(chance.randint(1, 80))]


@pytest.mark.parametrize("seed", range(40))
def test_rows_kept_together_stay_on_one_page_when_they_fit(seed: int) -> None:
    room = 250.0
    rows = _random_rows(seed)
    pages = lay.paginate(rows, room)
    page_of = {id(r): n for n, page in enumerate(pages) for _top, r in page}
    assert [r for page in pages for _top, r in page] == rows  # nothing lost, nothing reordered
    for page in pages:
        bottom = max(top + r.height for top, r in page)
        assert bottom <= room + 1e-9 or len(page) == 1
    unit: list[lay.Row] = []
    for current in rows:
        unit.append(current)
        if current.keep_with_next:
            continue
        if sum(r.height for r in unit) <= room:
            assert len({page_of[id(r)] for r in unit}) == 1
        unit = []


def test_long_words_break_at_a_hyphen_or_slash_before_mid_word() -> None:
    room = lay.width("benzodiazepine-containing", False, 10) - 0.1
    assert lay.wrap("a benzodiazepine", False, 10, lay.width("a benzodiazepin", False, 10)) == ["a", "benzodiazepine"]
    assert lay.wrap("benzodiazepine-containing tablet", False, 10, room) == ["benzodiazepine-", "containing tablet"]
    pieces = lay.wrap("x" * 400, False, 10, 50)
    assert "".join(pieces) == "x" * 400 and all(lay.width(p, False, 10) <= 50 for p in pieces)


def test_the_answer_column_starts_at_the_same_place_in_every_section() -> None:
    q, session = make_session("several-flags.yaml")
    view = summary_view(evaluate_session(q, session), WHEN.isoformat())
    from ketascreen.render.pdf import _answers

    starts = {run.x for r in _answers(view, 170.0) for run in r.runs if len(r.runs) >= 3 and run.x > 40}
    assert len(starts) == 1


# --- paper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdf_on_the_paper_asked_for(paper: str) -> None:
    q, session = make_session("several-flags.yaml")
    for page in pages_of(summarize(q, session, "pdf", WHEN, paper=paper)):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(POINTS[paper], abs=0.5)


@pytest.mark.parametrize(("environ", "paper"), [
    ({"LANG": "en_US.UTF-8"}, "letter"), ({"LANG": "en_GB.UTF-8"}, "a4"), ({"LANG": "fr_CA.UTF-8"}, "letter"),
    ({"LC_PAPER": "es_MX.UTF-8", "LANG": "de_DE.UTF-8"}, "letter"), ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US"}, "a4"),
    ({"LANG": "C.UTF-8"}, "a4"), ({}, "a4")])
def test_paper_follows_the_locale_when_not_set(environ: dict[str, str], paper: str) -> None:
    assert locale_paper(environ)[0] == paper
    assert resolve_settings({}, None, environ).paper == paper


def test_paper_setting_and_option(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.yaml"
    config.write_text("paper: Letter\n")
    assert resolve_settings({}, config, {"LANG": "en_GB.UTF-8"}).paper == "letter"
    assert resolve_settings({"paper": "a4"}, config, {}).paper == "a4"
    config.write_text("clinic_name: X\npaper: legal\n")
    result = cli("--config", str(config), "config")
    code, err = result.code, result.err
    assert code == 1 and f"{config}:2: paper 'legal' is not one of a4, letter" in err
    result = cli("summary", "abcd-efgh", "--paper", "legal", "--data-dir", str(tmp_path / "d"))
    code, err = result.code, result.err
    assert code == 2 and "--paper takes one of a4, letter" in err


# --- HTML printed by a real browser -----------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium on a closed network: no background connections, no first-run, no sandbox as root.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        message = "Chromium is not installed (make test installs it with apt-get where it can)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def print_in_browser(browser: object, html: str, paper: str) -> tuple[bytes, list[str], list[str]]:
    """The page printed to PDF as a person would print it (the page's own paper size), with every
    console message and every request the page made."""
    page = browser.new_page()  # type: ignore[attr-defined]
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"error: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html, wait_until="load")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.close()
    return pdf, messages, requests


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_html_printed_from_chromium_labels_every_page(browser: object, paper: str) -> None:
    q, session = urgent_contraindication_incomplete_score()
    session.status, session.completed = SessionStatus.IN_PROGRESS, None  # INCOMPLETE on every page too
    html = summarize(q, session, "html", WHEN, paper=paper).decode()
    pdf, messages, requests = print_in_browser(browser, html, paper)
    assert messages == [] and requests == []
    pages = pages_of(pdf)
    texts = [page.extract_text() for page in pages]
    assert len(texts) >= 3
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), start=1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(POINTS[paper], abs=1)
        flat = re.sub(r"\s+", " ", text)
        assert f"Patient {session.patient}" in flat, f"page {number}"
        assert re.sub(r"\s+", "", BANNER) in re.sub(r"\s+", "", text), f"page {number}"
        assert f"page {number} of {len(texts)}" in flat, f"page {number}"
        assert "INCOMPLETE" in flat and "Generated 2026-11-29 09:00 UTC" in flat, f"page {number}"
    first = re.sub(r"\s+", " ", texts[0])
    assert "At a glance" in first and "Urgent (1)" in first and "Possible contraindications (1)" in first
    signed = next(t for t in texts if "Sign-off" in t)
    assert re.search(r"^\d+ ", signed.split("Sign-off")[0], re.MULTILINE), "the sign-off page holds no answer"
    assert "benzodiazepine" in " ".join(texts).replace("\n", " ")  # not broken mid-word


def test_html_patient_reference_cannot_break_out_of_the_print_style(browser: object) -> None:
    q, session = make_session("nothing-flagged.yaml")
    session.patient = 'MRN"; } body { display: none } </style><script>1</script>'
    html = summarize(q, session, "html", WHEN).decode()
    assert "</style><script>" not in html
    pdf, messages, requests = print_in_browser(browser, html, "a4")
    texts = texts_of(pdf)
    assert messages == [] and requests == []
    assert "Screening summary" in texts[0] and all("display:none" in re.sub(r"\s+", "", t) for t in texts)
