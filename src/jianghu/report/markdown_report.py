"""The landscape as Markdown: no raw HTML, no remote image. Names and cells are escaped
for Markdown, message bodies sit in fenced blocks (nothing inside is rendered), and
charts are SVG files beside the document, linked by relative path."""

from __future__ import annotations

from jianghu.report.model import Landscape, Ref, Table
from jianghu.report.safe import md_block, md_inline
from jianghu.report.text import describe_filters, evidence, fmt_cell, fmt_when, truncated


def _ids(report: Landscape, ref: Ref) -> str:
    offers, messages = evidence(report, ref)
    parts = []
    if offers:
        parts.append("offers " + " ".join(f"o{i}" for i in offers))
    if messages:
        label = "other messages " if offers else "messages "
        parts.append(label + " ".join(f"m{i}" for i in messages))
    return "; ".join(parts)


def _table(report: Landscape, table: Table) -> list[str]:
    cols = (*table.columns, "evidence")
    lines = [f"### {md_inline(table.title)}", ""]
    if table.note:
        lines += [md_inline(table.note), ""]
    if not table.rows:
        return [*lines, "Nothing in this window.", ""]
    lines.append("| " + " | ".join(md_inline(c) for c in cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for row in table.rows:
        cells = [md_inline(fmt_cell(c)) for c in row.cells] + [_ids(report, row.ref)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_markdown(report: Landscape, chart_paths: dict[str, str]) -> str:
    """``chart_paths``: chart key → path of its SVG relative to the Markdown file."""
    lines = [f"# {md_inline(report.title)}", "", md_inline(describe_filters(report)), ""]
    lines += [
        "Message text is shown as written by criminals: links are defanged and victims' "
        "card, ID and phone numbers masked. o12 is offer 12 (`jianghu offers show 12`), m34 "
        "is message 34; both are listed at the end.",
        "",
        "| total | count |",
        "|---|---|",
        *(f"| {md_inline(k)} | {v:,} |" for k, v in report.totals.items()),
        "",
    ]
    for s in report.sections:
        lines += [f"## {md_inline(s.title)}", "", md_inline(s.intro), ""]
        for c in s.charts:
            if c.key in chart_paths:
                lines += [f"![{md_inline(c.title)}]({chart_paths[c.key]})", ""]
        for t in s.tables:
            lines += _table(report, t)
    lines += ["## Offers cited", ""]
    for o in report.offers.values():
        price = f"${o.price_usd:,.2f}" if o.price_usd is not None else "no price"
        seen = " ".join(f"m{i}" for i in o.message_ids if i in report.messages) or "none"
        lines += [
            f"- **o{o.id}** {md_inline(o.summary)} ({md_inline(', '.join(o.categories))}; "
            f"{md_inline(o.intent)}; {md_inline(price)}; {o.sightings} sighting(s), "
            f"{fmt_when(o.first_seen)} to {fmt_when(o.last_seen)}); sightings in the window: "
            f"{seen}"
        ]
    lines += ["", "## Messages cited", ""]
    for i, m in report.messages.items():
        channel = report.channel_names.get(m.channel_id, "?")
        author = report.author_names.get(m.author_id, "?") if m.author_id is not None else "—"
        offer = f"; offer o{m.offer_id}" if m.offer_id else ""
        lines += [
            f"#### m{i}",
            "",
            f"{fmt_when(m.posted_at)}; {md_inline(channel)}; {md_inline(author)}; "
            f"{md_inline(m.intent or '')}; {md_inline(', '.join(m.categories) or 'no category')}"
            f"{offer}",
            "",
            md_block(truncated(report.shown[i])),
            "",
        ]
    return "\n".join(lines) + "\n"
