"""The summary as one self-contained HTML file: no scripts, no network, and a print style for A4 or
Letter that gives every printed page the patient, the review banner and page n of m."""

from __future__ import annotations

from html import escape as e

from ketascreen.render.paper import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, TONES
from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, FlagView, SummaryView

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #111; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem;
       font-variant-ligatures: no-common-ligatures; }  /* "Staff" stays searchable text in a printed PDF */
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #999;
     margin-top: 1.6rem; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.header dt { font-weight: bold; } dl.header dd { margin: 0; }
.banner { border: 2px solid #111; padding: .5rem .8rem; font-weight: bold; margin: 1rem 0; }
.incomplete, .urgent-unassessed, .amended { border-color: URGENT_INK; color: URGENT_INK; }
.marks { margin: .8rem 0; } .mark { display: inline-block; border: 3px solid URGENT_INK; color: URGENT_INK;
     font-size: 1.6rem; font-weight: bold; padding: .1rem .6rem; margin-right: .6rem; letter-spacing: .05em; }
.glance { border: 1px solid #aaa; margin: 1rem 0; }
.glance h2 { font-size: 1rem; margin: 0; padding: .3rem .6rem; border-bottom: 1px solid #aaa; }
.glance table { border-collapse: collapse; width: 100%; table-layout: fixed; }
.glance th { width: 42%; text-align: left; vertical-align: top; padding: .3rem .6rem; }
.glance td { vertical-align: top; padding: .3rem .6rem; font-weight: bold; }
.glance tr { border-top: 1px solid #ccc; } .glance tr.none td { font-weight: normal; }
GLANCE_TONES
.covered { margin-top: .2rem; padding-left: .8rem; border-left: 3px solid #999; }
.attribution { font-size: 9pt; color: #333; margin: .2rem 0; }
.flag { margin: .4rem 0 .8rem; } .flag .label { font-weight: bold; }
.severity-urgent h3 { color: URGENT_INK; } .severity-possible h3 { color: CONTRA_INK; }
ul.evidence { margin: .2rem 0; }
/* A word breaks only when it cannot fit on a line of its own, and then at a hyphenation point where
   the browser knows one: "benzodiazepine" stays whole. */
p, li, td, dd, div { overflow-wrap: break-word; hyphens: auto; }
table.answers { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.answers col.n { width: 2.5rem; } table.answers col.q { width: 55%; }
table.answers td { border-bottom: 1px solid #ddd; padding: .15rem .4rem; vertical-align: top; }
table.answers td.n { color: #555; text-align: right; }
td.state-unknown, td.state-declined, td.state-not_asked, td.state-open { font-style: italic; color: #444; }
.signoff { break-before: avoid; break-inside: avoid; }
.signoff p { margin: 1.2rem 0; } .signoff span { display: inline-block; border-bottom: 1px solid #111;
     width: 60%; margin-left: .5rem; }
* { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
@media print { body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2, h3, .glance h2 { break-after: avoid; } .flag, tr, li, .still-open { break-inside: avoid; } }
"""
# Printed from a browser, every page carries who it is about, that it is not a decision, page n of
# m, when it was made, and INCOMPLETE or AMENDED: in the page's margins (CSS paged media).
PAGE = """@page { size: SIZE; margin: TOPmm RIGHTmm BOTTOMmm LEFTmm;
  @top-left { content: PATIENT_BANNER; font-size: 8pt; color: #444; }
  @top-right { content: MARKS; font-size: 8pt; font-weight: bold; color: URGENT_INK; }
  @bottom-left { content: GENERATED; font-size: 8pt; color: #444; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #444; } }
"""


def css_string(text: str) -> str:
    """``text`` as a CSS string: every character but letters, digits and spaces escaped, so that
    nothing from a patient reference can end the string or the style sheet."""
    return '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):06x}" for c in text) + '"'


def _style(view: SummaryView, paper: str) -> str:
    tones = "\n".join(f".glance tr.{kind} {{ background: {t.fill_hex}; color: {t.ink_hex}; }}"
                       for kind, t in TONES.items() if kind != "none")
    tones += f"\n.glance tr.none {{ background: #fff; color: {TONES['none'].ink_hex}; }}"
    marks = " · ".join(view.marks)
    page = (PAGE.replace("SIZE", "A4" if paper == "a4" else "letter")
            .replace("TOP", f"{MARGIN_TOP + 6:g}").replace("RIGHT", f"{MARGIN_RIGHT:g}")
            .replace("BOTTOM", f"{MARGIN_BOTTOM + 4:g}").replace("LEFT", f"{MARGIN_LEFT:g}")
            .replace("PATIENT_BANNER", css_string(f"Patient {view.patient} — {BANNER}"))
            .replace("MARKS", css_string(marks)).replace("GENERATED", css_string(f"Generated {view.generated_at}")))
    return ((CSS + page).replace("GLANCE_TONES", tones).replace("URGENT_INK", TONES["urgent"].ink_hex)
            .replace("CONTRA_INK", TONES["contraindication"].ink_hex))


def render_html(view: SummaryView, paper: str = "a4") -> str:
    """``paper``: "a4" or "letter", the page size when the file is printed from a browser."""
    parts = (_head, _glance, _still_open, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments, _answers, _sign_off)
    return "\n".join(line for part in parts for line in part(view, paper)) + "\n"


def _head(view: SummaryView, paper: str) -> list[str]:
    """The document head, title, header, the review banner, and what must be seen before anything else."""
    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(view.patient)} — screening summary</title>", f"<style>{_style(view, paper)}</style></head><body>"]
    if view.clinic:
        lines.append(f'<p class="clinic">{e(view.clinic)}</p>')
    lines += [f"<h1>Screening summary: {e(view.title)}</h1>", '<dl class="header">',
              *(f"<dt>{e(key)}</dt><dd>{e(value)}</dd>" for key, value in view.header), "</dl>"]
    if view.marks:
        lines.append('<p class="marks">' + "".join(f'<span class="mark">{m}</span>' for m in view.marks) + "</p>")
    lines += [f'<p class="banner">{e(BANNER)}</p>',
              *(f'<p class="banner urgent-unassessed">{e(line)}</p>' for line in view.urgent_unassessed)]
    if view.amended:
        lines.append(f'<p class="banner amended">{e(view.amended)}</p>')
    if view.incomplete:
        lines.append(f'<p class="banner incomplete">{e(INCOMPLETE)}.</p>')
    return lines


def _glance(view: SummaryView, paper: str) -> list[str]:
    """The at-a-glance panel: a symbol and a word beside every colour, so it reads in greyscale."""
    if not view.glance:
        return []
    lines = ['<section class="glance"><h2>At a glance</h2><table>']
    for item in view.glance:
        counted = f" ({item.count})" if item.count is not None else ""
        words = item.words
        css = "none" if item.count == 0 else item.kind
        lines.append(f'<tr class="{e(css)} kind-{e(item.kind)}"><th><span class="symbol" aria-hidden="true">'
                     f"{e(item.symbol)}</span> {e(item.heading)}{counted}</th><td>{e(words)}</td></tr>")
    lines.append("</table></section>")
    return lines


def _still_open(view: SummaryView, paper: str) -> list[str]:
    if not (view.incomplete and view.still_open):
        return []
    items = "".join(f"<li>{e(label)}</li>" for label in view.still_open)
    return [f'<div class="still-open"><p>Still to answer:</p><ul>{items}</ul></div>']


def _flags(view: SummaryView, paper: str) -> list[str]:
    count = sum(len(flags) for _, flags in view.flag_groups)
    lines = [f'<section class="flags"><h2>Flags raised ({count})</h2>']
    if not count:
        lines.append("<p>No flag was raised by the answers given.</p>")
    for heading, flags in view.flag_groups:
        css = "severity-" + heading.split()[0]
        lines.append(f'<div class="{e(css)}"><h3>{e(heading[0].upper() + heading[1:])}</h3>')
        for flag in flags:
            lines += _flag(flag)
        lines.append("</div>")
    lines.append("</section>")
    return lines


def _flag(flag: FlagView) -> list[str]:
    lines = ['<div class="flag">', f'<div class="label">{e(flag.label)}</div><ul class="evidence">',
             *(f"<li>Found: {e(found)}</li>" for found in flag.evidence), "</ul>",
             f"<div>Why it matters: {e(flag.explanation)}</div>", f"<div>Source: {e(flag.source)}</div>"]
    for covered in flag.covers:
        lines.append(f'<div class="covered">Also raised, covered by this flag: <strong>{e(covered.label)}</strong>'
                     + "".join(f"<br>Found: {e(found)}" for found in covered.evidence) + "</div>")
    lines.append("</div>")
    return lines


def _unassessed(view: SummaryView, paper: str) -> list[str]:
    lines = [f'<section class="unassessed"><h2>Could not be assessed ({len(view.unassessed)})</h2>']
    if not view.unassessed:
        lines.append("<p>Every flag rule could be decided from the answers.</p>")
    else:
        lines += ["<ul>", *(f"<li><strong>{e(item.label)}</strong> ({e(item.severity)}): waiting for "
                            f"{e(', '.join(item.waiting))}</li>" for item in view.unassessed), "</ul>"]
    lines.append("</section>")
    return lines


def _negatives(view: SummaryView, paper: str) -> list[str]:
    if not view.negatives:
        return []
    return [f'<section class="negatives"><h2>Screens asked and negative ({len(view.negatives)})</h2><p>{e(NEGATIVES)}</p><ul>',
            *(f"<li><strong>{e(label)}:</strong> {e(words)}</li>" for label, words in view.negatives), "</ul></section>"]


def _set_aside(view: SummaryView, paper: str) -> list[str]:
    if not view.set_aside:
        return []
    return [f'<section class="set-aside"><h2>Answers set aside ({len(view.set_aside)})</h2><p>{e(SET_ASIDE)}</p><ul>',
            *(f"<li><strong>{e(label)}:</strong> {e(words)}</li>" for label, words in view.set_aside), "</ul></section>"]


def _series(view: SummaryView, paper: str) -> list[str]:
    if not view.series:
        return []
    return ['<section class="series"><h2>Since baseline</h2><ul>', "".join(f"<li>{e(line)}</li>" for line in view.series),
            "</ul></section>"]


def _scores(view: SummaryView, paper: str) -> list[str]:
    lines = ['<section class="scores"><h2>Scores</h2><ul>']
    for score in view.scores:
        notes = "".join(f'<br><span class="note">Note: {e(note)}</span>' for note in score.notes)
        lines.append(f"<li><strong>{e(score.label)}:</strong> {e(score.words)}{notes}</li>")
    lines.append("</ul>")
    lines += [f'<p class="attribution">{e(score.label)}: {e(score.source)}</p>' for score in view.scores if score.source]
    lines.append("</section>")
    return lines


def _amendments(view: SummaryView, paper: str) -> list[str]:
    if not view.amendments:
        return []
    lines = [f'<section class="amendments"><h2>Amendments ({len(view.amendments)})</h2><ul>']
    for amendment in view.amendments:
        items = "".join(f"<li>Changed: {e(c)}</li>" for c in amendment.changes)
        items += "".join(f"<li>Flag: {e(c)}</li>" for c in amendment.flag_changes)
        lines.append(f"<li><strong>{e(amendment.heading)}</strong><ul>{items}</ul></li>")
    lines.append("</ul></section>")
    return lines


def _answers(view: SummaryView, paper: str) -> list[str]:
    lines = ['<section class="answers"><h2>Every answer</h2>']
    for title, rows in view.answers:
        lines.append(f'<h3>{e(title)}</h3><table class="answers"><colgroup><col class="n"><col class="q"><col>'
                     "</colgroup>")
        lines += [f'<tr><td class="n">{row.number}</td><td>{e(row.label)}'
                  + (f'<br><small>asked: {e(row.asked)}</small>' if row.asked else "")
                  + f'</td><td class="state-{e(row.state)}">{e(row.answer)}</td></tr>' for row in rows]
        lines.append("</table>")
    lines.append("</section>")
    return lines


def _sign_off(view: SummaryView, paper: str) -> list[str]:
    return ['<section class="signoff"><h2>Sign-off</h2>', *(f"<p>{e(label)}:<span>&nbsp;</span></p>" for label in SIGN_OFF),
            "</section></body></html>"]
