"""Figures about language: new jargon found in the window, and mentions of the tools
state-nexus operators share with the underground (with their ATT&CK ids)."""

from __future__ import annotations

from collections import Counter, defaultdict

from jianghu.analysis.jargon import mine
from jianghu.analysis.lexicon import Lexicon, TermHit
from jianghu.analysis.normalize import Normalized, normalize
from jianghu.faces.masking import mask_found
from jianghu.faces.safe_text import terminal_safe
from jianghu.report.model import Ref, Row, Section, Table
from jianghu.report.safe import defang
from jianghu.store.selection import Selection

NEW_TERMS = 15


def _normalized(sel: Selection) -> dict[int, Normalized]:
    return {m.id: normalize(m.text) for m in sel.messages if m.text}


def new_jargon(sel: Selection, lexicon: Lexicon, normalized: dict[int, Normalized]) -> Table:
    candidates = mine((m.text for m in sel.messages if m.text), lexicon, NEW_TERMS)
    rows = []
    for c in candidates:
        ids = {i for i, n in normalized.items() if c.term in n.text}
        example = c.examples[0] if c.examples else ""
        shown = terminal_safe(defang(mask_found(example)), keep_newlines=False)
        rows.append(
            Row((c.term, c.count, c.offer_docs, round(c.score, 2), shown), Ref.of(messages=ids))
        )
    return Table(
        "New jargon candidates",
        ("term", "messages", "in offers", "score", "example"),
        rows,
        "Frequent, cohesive strings the lexicon does not know, most offer-like first; "
        "`jianghu jargon accept` adds one to a user lexicon.",
    )


def tool_mentions(sel: Selection, lexicon: Lexicon, normalized: dict[int, Normalized]) -> Table:
    found: dict[str, list[tuple[TermHit, int]]] = defaultdict(list)
    for m in sel.messages:
        if m.id not in normalized:
            continue
        for hit in lexicon.match(normalized[m.id]):
            if hit.attack_id:
                # One row per tool: CS and Cobalt Strike are the same software (S0154).
                found[hit.attack_id].append((hit, m.id))
    by_id = {m.id: m for m in sel.messages}
    rows = []
    for attack_id, hits in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ids = {i for _, i in hits}
        msgs = [by_id[i] for i in sorted(ids)]
        channels = sorted({sel.channels[m.channel_id].name or "" for m in msgs} - {""})
        actors = sorted({sel.actors[m.actor_id].name for m in msgs if m.actor_id in sel.actors})
        names = Counter(h.canonical for h, _ in hits)
        tool = " / ".join(n for n, _ in names.most_common(3))
        gloss = max((h.gloss for h, _ in hits), key=len)
        rows.append(
            Row(
                (
                    tool,
                    attack_id,
                    gloss,
                    len(ids),
                    ", ".join(channels[:4]),
                    ", ".join(actors[:5]) + (f" (+{len(actors) - 5})" if len(actors) > 5 else ""),
                ),
                Ref.of({m.offer_id for m in msgs if m.offer_id is not None}, ids),
            )
        )
    return Table(
        "State-nexus tool mentions",
        ("tool", "ATT&CK", "what it is", "messages", "where", "by whom"),
        rows,
        "Chinese-developed and off-the-shelf tools that state-nexus operators use too "
        "(webshells, scanners, tunnels, C2 plug-ins), as the lexicon tags them.",
    )


def language(sel: Selection, lexicon: Lexicon) -> Section:
    normalized = _normalized(sel)
    tools = tool_mentions(sel, lexicon, normalized)
    return Section(
        "language",
        "New jargon and tool mentions",
        "What the market started saying that the lexicon does not know yet, and which "
        "intrusion tools it talks about.",
        [new_jargon(sel, lexicon, normalized), tools],
    )
