"""The landscape as one self-contained HTML file.

No external resource of any kind: charts are inline SVG, styles inline, no script at all,
and a Content-Security-Policy that forbids loading anything, so even a message that
slipped through escaping could not fetch or run. Every string that came from the store
goes through ``html_text``; links from messages are defanged before that.
"""

from __future__ import annotations

from jianghu.report.charts import inline_svg, render_svg
from jianghu.report.model import Cell, Landscape, Ref, Row, Table
from jianghu.report.safe import html_text as esc
from jianghu.report.text import describe_filters, evidence, fmt_cell, fmt_when, truncated

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.4rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
details summary{cursor:pointer;color:#245}details a{margin-right:.35rem;font-size:.8rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:.5rem;margin:.3rem 0}
.note{color:#555;font-size:.85rem}.meta{color:#555;font-size:.8rem}
article,section.offer{border-top:1px solid #eee;padding:.4rem 0}
svg{max-width:100%;height:auto}
"""


def _evidence(report: Landscape, ref: Ref) -> str:
    offers, messages = evidence(report, ref)
    if not offers and not messages:
        return ""
    parts = []
    if offers:
        parts.append(f"{len(offers)} offer(s)")
    if messages:
        parts.append(f"{len(messages)} {'other ' if offers else ''}message(s)")
    links = [f'<a href="#o{i}">o{i}</a>' for i in offers]
    links += [f'<a href="#m{i}">m{i}</a>' for i in messages]
    return f"<details><summary>{' · '.join(parts)}</summary>{' '.join(links)}</details>"


def _cell(value: Cell) -> str:
    cls = ' class="n"' if isinstance(value, int | float) else ""
    return f"<td{cls}>{esc(fmt_cell(value))}</td>"


def _row(report: Landscape, row: Row) -> str:
    cells = "".join(_cell(c) for c in row.cells)
    return f"<tr>{cells}<td>{_evidence(report, row.ref)}</td></tr>"


def _table(report: Landscape, table: Table) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in (*table.columns, "evidence"))
    body = "".join(_row(report, r) for r in table.rows) or (
        f'<tr><td colspan="{len(table.columns) + 1}">nothing in this window</td></tr>'
    )
    note = f'<p class="note">{esc(table.note)}</p>' if table.note else ""
    return f"<h3>{esc(table.title)}</h3>{note}<table><tr>{head}</tr>{body}</table>"


def _offers(report: Landscape) -> str:
    out = []
    for o in report.offers.values():
        price = f"${o.price_usd:,.2f}" if o.price_usd is not None else "no price"
        sightings = " ".join(
            f'<a href="#m{i}">m{i}</a>' for i in o.message_ids if i in report.messages
        )
        out.append(
            f'<section class="offer" id="o{o.id}"><b>o{o.id}</b> {esc(o.summary)}'
            f'<div class="meta">{esc(", ".join(o.categories))} · {esc(o.intent)} · '
            f"{esc(o.item)} · {esc(price)} · {o.sightings} sighting(s), "
            f"{esc(fmt_when(o.first_seen))} to {esc(fmt_when(o.last_seen))}</div>"
            f'<div class="meta">sightings in the window: {sightings or "none"}</div></section>'
        )
    return "".join(out)


def _messages(report: Landscape) -> str:
    out = []
    for i, m in report.messages.items():
        channel = report.channel_names.get(m.channel_id, "?")
        author = report.author_names.get(m.author_id, "?") if m.author_id is not None else "—"
        offer = f' · <a href="#o{m.offer_id}">o{m.offer_id}</a>' if m.offer_id else ""
        out.append(
            f'<article id="m{i}"><b>m{i}</b> <span class="meta">{esc(fmt_when(m.posted_at))} · '
            f"{esc(channel)} · {esc(author)} · {esc(m.intent or '')} · "
            f"{esc(', '.join(m.categories) or 'no category')}{offer}</span>"
            f"<pre>{esc(truncated(report.shown[i]))}</pre></article>"
        )
    return "".join(out)


def render_html(report: Landscape) -> str:
    totals = "".join(
        f"<tr><th>{esc(k)}</th><td class='n'>{v:,}</td></tr>" for k, v in report.totals.items()
    )
    toc = "".join(f'<li><a href="#{s.key}">{esc(s.title)}</a></li>' for s in report.sections)
    sections = []
    for s in report.sections:
        charts = "".join(f"<figure>{inline_svg(render_svg(c))}</figure>" for c in s.charts)
        tables = "".join(_table(report, t) for t in s.tables)
        sections.append(
            f'<section id="{s.key}"><h2>{esc(s.title)}</h2><p>{esc(s.intro)}</p>'
            f"{charts}{tables}</section>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(report.title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(report.title)}</h1>"
        f'<p class="meta">{esc(describe_filters(report))}</p>'
        '<p class="note">Message text is shown as written by criminals: links are '
        "defanged and victims' card, ID and phone numbers masked. Ids link to the "
        "evidence at the end (o = offer, m = message, as in <code>jianghu offers show</code> "
        "and <code>jianghu search</code>).</p>"
        f"<table>{totals}</table><ol>{toc}</ol>{''.join(sections)}"
        f'<h2 id="evidence-offers">Offers cited</h2>{_offers(report)}'
        f'<h2 id="evidence-messages">Messages cited</h2>{_messages(report)}'
        "</body></html>\n"
    )
