"""The summary as one self-contained HTML file: no scripts, no network, print CSS for A4 and Letter."""

from __future__ import annotations

from html import escape

from ketascreen.render.view import BANNER, INCOMPLETE, NEGATIVES, SET_ASIDE, SIGN_OFF, SummaryView

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
    e = escape
    parts: list[str] = []
    add = parts.append
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>{e(view.patient)} — screening summary</title>")
    add(f"<style>{CSS}</style></head><body>")
    if view.clinic:
        add(f'<p class="clinic">{e(view.clinic)}</p>')
    add(f"<h1>Screening summary: {e(view.title)}</h1>")
    add('<dl class="header">')
    for key, value in view.header:
        add(f"<dt>{e(key)}</dt><dd>{e(value)}</dd>")
    add("</dl>")
    add(f'<p class="banner">{e(BANNER)}</p>')
    for line in view.urgent_unassessed:
        add(f'<p class="banner urgent-unassessed">{e(line)}</p>')
    if view.amended:
        add(f'<p class="banner amended">{e(view.amended)}</p>')
    if view.incomplete:
        still = f" Still to answer: {e(', '.join(view.still_open))}" if view.still_open else ""
        add(f'<p class="banner incomplete">{e(INCOMPLETE)}.{still}</p>')
    count = sum(len(flags) for _, flags in view.flag_groups)
    add(f'<section class="flags"><h2>Flags raised ({count})</h2>')
    if not count:
        add("<p>No flag was raised by the answers given.</p>")
    for heading, flags in view.flag_groups:
        css = "severity-" + heading.split()[0]
        add(f'<div class="{e(css)}"><h3>{e(heading[0].upper() + heading[1:])}</h3>')
        for flag in flags:
            add('<div class="flag">')
            add(f'<div class="label">{e(flag.label)}</div><ul class="evidence">')
            for found in flag.evidence:
                add(f"<li>Found: {e(found)}</li>")
            add("</ul>")
            add(f"<div>Why it matters: {e(flag.explanation)}</div>")
            add(f"<div>Source: {e(flag.source)}</div>")
            for covered in flag.covers:
                add(f'<div class="covered">Also raised, covered by this flag: <strong>{e(covered.label)}</strong>'
                    + "".join(f"<br>Found: {e(found)}" for found in covered.evidence) + "</div>")
            add("</div>")
        add("</div>")
    add("</section>")
    add(f'<section class="unassessed"><h2>Could not be assessed ({len(view.unassessed)})</h2>')
    if not view.unassessed:
        add("<p>Every flag rule could be decided from the answers.</p>")
    else:
        add("<ul>")
        for item in view.unassessed:
            add(f"<li><strong>{e(item.label)}</strong> ({e(item.severity)}): waiting for {e(', '.join(item.waiting))}</li>")
        add("</ul>")
    add("</section>")
    if view.negatives:
        add(f'<section class="negatives"><h2>Screens asked and negative ({len(view.negatives)})</h2><p>{e(NEGATIVES)}</p><ul>')
        for label, words in view.negatives:
            add(f"<li><strong>{e(label)}:</strong> {e(words)}</li>")
        add("</ul></section>")
    if view.set_aside:
        add(f'<section class="set-aside"><h2>Answers set aside ({len(view.set_aside)})</h2><p>{e(SET_ASIDE)}</p><ul>')
        for label, words in view.set_aside:
            add(f"<li><strong>{e(label)}:</strong> {e(words)}</li>")
        add("</ul></section>")
    if view.series:
        add('<section class="series"><h2>Since baseline</h2><ul>')
        add("".join(f"<li>{e(line)}</li>" for line in view.series))
        add("</ul></section>")
    add('<section class="scores"><h2>Scores</h2><ul>')
    for score in view.scores:
        notes = "".join(f'<br><span class="note">Note: {e(note)}</span>' for note in score.notes)
        add(f"<li><strong>{e(score.label)}:</strong> {e(score.words)}{notes}</li>")
    add("</ul>")
    for score in view.scores:
        if score.source:
            add(f'<p class="attribution">{e(score.label)}: {e(score.source)}</p>')
    add("</section>")
    if view.amendments:
        add(f'<section class="amendments"><h2>Amendments ({len(view.amendments)})</h2><ul>')
        for amendment in view.amendments:
            items = "".join(f"<li>Changed: {e(c)}</li>" for c in amendment.changes)
            items += "".join(f"<li>Flag: {e(c)}</li>" for c in amendment.flag_changes)
            add(f"<li><strong>{e(amendment.heading)}</strong><ul>{items}</ul></li>")
        add("</ul></section>")
    add('<section class="answers"><h2>Every answer</h2>')
    for title, rows in view.answers:
        add(f"<h3>{e(title)}</h3><table class=\"answers\">")
        for row in rows:
            add(f'<tr><td class="n">{row.number}</td><td>{e(row.label)}</td>'
                f'<td class="state-{e(row.state)}">{e(row.answer)}</td></tr>')
        add("</table>")
    add("</section>")
    add('<section class="signoff"><h2>Sign-off</h2>')
    for label in SIGN_OFF:
        add(f"<p>{e(label)}:<span>&nbsp;</span></p>")
    add("</section></body></html>")
    return "\n".join(parts) + "\n"
