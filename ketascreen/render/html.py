"""The summary as one self-contained HTML file: no scripts, no network, print CSS for A4 and Letter."""

from __future__ import annotations

from html import escape as e

from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, FlagView, SummaryView

# @page sets margins only, so the browser's paper size (A4 or Letter) is used as it is.
CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #111; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #999;
     margin-top: 1.6rem; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.header dt { font-weight: bold; } dl.header dd { margin: 0; overflow-wrap: anywhere; }
.banner { border: 2px solid #111; padding: .5rem .8rem; font-weight: bold; margin: 1rem 0; }
.incomplete, .urgent-unassessed, .amended { border-color: #a00; color: #a00; }
.covered { margin-top: .2rem; padding-left: .8rem; border-left: 3px solid #999; }
.attribution { font-size: 9pt; color: #333; margin: .2rem 0; }
.flag { margin: .4rem 0 .8rem; } .flag .label { font-weight: bold; }
.severity-urgent h3 { color: #a00; }
ul.evidence { margin: .2rem 0; } p, li, td { overflow-wrap: anywhere; }
table.answers { border-collapse: collapse; width: 100%; } table.answers td { border-bottom: 1px solid #ddd;
     padding: .15rem .4rem; vertical-align: top; } table.answers td.n { width: 2.5rem; color: #555; }
td.state-unknown, td.state-declined, td.state-not_asked, td.state-open { font-style: italic; color: #444; }
.signoff p { margin: 1.2rem 0; } .signoff span { display: inline-block; border-bottom: 1px solid #111;
     width: 60%; margin-left: .5rem; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } .flag, tr { break-inside: avoid; } }
"""


def render_html(view: SummaryView) -> str:
    parts = (_head, _flags, _unassessed, _negatives, _set_aside, _series, _scores, _amendments, _answers, _sign_off)
    return "\n".join(line for part in parts for line in part(view)) + "\n"


def _head(view: SummaryView) -> list[str]:
    """The document head, title, header, the review banner, and what must be seen before anything else."""
    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(view.patient)} — screening summary</title>", f"<style>{CSS}</style></head><body>"]
    if view.clinic:
        lines.append(f'<p class="clinic">{e(view.clinic)}</p>')
    lines += [f"<h1>Screening summary: {e(view.title)}</h1>", '<dl class="header">',
              *(f"<dt>{e(key)}</dt><dd>{e(value)}</dd>" for key, value in view.header), "</dl>",
              f'<p class="banner">{e(BANNER)}</p>',
              *(f'<p class="banner urgent-unassessed">{e(line)}</p>' for line in view.urgent_unassessed)]
    if view.amended:
        lines.append(f'<p class="banner amended">{e(view.amended)}</p>')
    if view.incomplete:
        lines.append(f'<p class="banner incomplete">{e(INCOMPLETE)}.</p>')
        if view.still_open:
            items = "".join(f"<li>{e(label)}</li>" for label in view.still_open)
            lines.append(f'<div class="still-open"><p>Still to answer:</p><ul>{items}</ul></div>')
    return lines


def _flags(view: SummaryView) -> list[str]:
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


def _unassessed(view: SummaryView) -> list[str]:
    lines = [f'<section class="unassessed"><h2>Could not be assessed ({len(view.unassessed)})</h2>']
    if not view.unassessed:
        lines.append("<p>Every flag rule could be decided from the answers.</p>")
    else:
        lines += ["<ul>", *(f"<li><strong>{e(item.label)}</strong> ({e(item.severity)}): waiting for "
                            f"{e(', '.join(item.waiting))}</li>" for item in view.unassessed), "</ul>"]
    lines.append("</section>")
    return lines


def _negatives(view: SummaryView) -> list[str]:
    if not view.negatives:
        return []
    return [f'<section class="negatives"><h2>Screens asked and negative ({len(view.negatives)})</h2><p>{e(NEGATIVES)}</p><ul>',
            *(f"<li><strong>{e(label)}:</strong> {e(words)}</li>" for label, words in view.negatives), "</ul></section>"]


def _set_aside(view: SummaryView) -> list[str]:
    if not view.set_aside:
        return []
    return [f'<section class="set-aside"><h2>Answers set aside ({len(view.set_aside)})</h2><p>{e(SET_ASIDE)}</p><ul>',
            *(f"<li><strong>{e(label)}:</strong> {e(words)}</li>" for label, words in view.set_aside), "</ul></section>"]


def _series(view: SummaryView) -> list[str]:
    if not view.series:
        return []
    return ['<section class="series"><h2>Since baseline</h2><ul>', "".join(f"<li>{e(line)}</li>" for line in view.series),
            "</ul></section>"]


def _scores(view: SummaryView) -> list[str]:
    lines = ['<section class="scores"><h2>Scores</h2><ul>']
    for score in view.scores:
        notes = "".join(f'<br><span class="note">Note: {e(note)}</span>' for note in score.notes)
        lines.append(f"<li><strong>{e(score.label)}:</strong> {e(score.words)}{notes}</li>")
    lines.append("</ul>")
    lines += [f'<p class="attribution">{e(score.label)}: {e(score.source)}</p>' for score in view.scores if score.source]
    lines.append("</section>")
    return lines


def _amendments(view: SummaryView) -> list[str]:
    if not view.amendments:
        return []
    lines = [f'<section class="amendments"><h2>Amendments ({len(view.amendments)})</h2><ul>']
    for amendment in view.amendments:
        items = "".join(f"<li>Changed: {e(c)}</li>" for c in amendment.changes)
        items += "".join(f"<li>Flag: {e(c)}</li>" for c in amendment.flag_changes)
        lines.append(f"<li><strong>{e(amendment.heading)}</strong><ul>{items}</ul></li>")
    lines.append("</ul></section>")
    return lines


def _answers(view: SummaryView) -> list[str]:
    lines = ['<section class="answers"><h2>Every answer</h2>']
    for title, rows in view.answers:
        lines.append(f"<h3>{e(title)}</h3><table class=\"answers\">")
        lines += [f'<tr><td class="n">{row.number}</td><td>{e(row.label)}'
                  + (f'<br><small>asked: {e(row.asked)}</small>' if row.asked else "")
                  + f'</td><td class="state-{e(row.state)}">{e(row.answer)}</td></tr>' for row in rows]
        lines.append("</table>")
    lines.append("</section>")
    return lines


def _sign_off(view: SummaryView) -> list[str]:
    return ['<section class="signoff"><h2>Sign-off</h2>', *(f"<p>{e(label)}:<span>&nbsp;</span></p>" for label in SIGN_OFF),
            "</section></body></html>"]
