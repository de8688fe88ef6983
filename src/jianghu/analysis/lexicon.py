"""The underground's vocabulary: data files in the package, matched with Aho–Corasick.

Each TSV file in ``data/lexicon/`` holds one sense a row::

    term  variants  kind  category  gloss  cues  attack_id  source

* ``variants``: other spellings, ``|``-separated (traditional forms, pinyin and
  pinyin-initial abbreviations such as sgk, homophones). Every form is normalised with
  :func:`~jianghu.analysis.normalize.normalize` before it enters the automaton, so a
  traditional or full-width variant costs nothing and matches as well.
* ``kind``: one of :data:`KINDS`; ``ordinary`` marks an everyday word that contains a
  jargon term (材料 contains 料) and shields it: it is matched, never reported.
* ``category``: a category of ``shared/TAXONOMY.md`` or ``-``.
* ``cues``: ``|``-separated words whose presence in the message favours this sense when
  a term has several (料 with 卡/cvv is card data, with 查/户籍 personal data).
* ``attack_id``: the MITRE ATT&CK software id of a tool, or ``-``.
* ``source``: a URL or a key of ``sources.tsv`` (``analysts`` marks project knowledge).

Files are validated on load: a bad row raises :class:`~jianghu.errors.ConfigError` naming
``file:line``. The same sense (term, kind, category) twice in one file is an error; a
later file (a user's, passed to :func:`load_lexicon`) overrides a built-in sense.

Matching is leftmost-longest over the normalised text (precisely: what pyahocorasick's
``iter_long`` reports, found at Rust speed by :mod:`jianghu.analysis.lexicon_scan`); a form
whose edge is a Latin letter (or digit) matches only where the neighbouring character is
not one, so CS is not found in CSS and U is found in 100U and 5u but not in USB.
Single-character intent words (出, 收) count only at the start of a clause.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import msgspec

from jianghu.analysis.lexicon_scan import Scanner
from jianghu.analysis.normalize import Normalized, normalize
from jianghu.errors import ConfigError

CATEGORIES = (
    "data_leak", "card_fraud", "money_laundering", "fake_identity", "kyc_bypass", "sim_sms",
    "account_trade", "hacking_service", "hacking_tool", "fraud_service", "gambling", "drugs",
    "escrow_guarantee", "scam_report",
)  # fmt: skip
KINDS = (
    "offer", "trade_term", "intent", "contact_platform", "currency_unit", "tool",
    "drug_slang", "role", "ordinary",
)  # fmt: skip
_COLUMNS = ("term", "variants", "kind", "category", "gloss", "cues", "attack_id", "source")
_ATTACK_ID = re.compile(r"S\d{4}")
_CLAUSE_START = re.compile(r"[\s\W\d_a-z]")  # before a one-character intent word


class Sense(msgspec.Struct, frozen=True):
    """One meaning of a term."""

    term: str
    variants: tuple[str, ...]
    kind: str
    category: str | None
    gloss: str
    cues: tuple[str, ...]
    attack_id: str | None
    source: str
    origin: str  # file:line the sense was read from


class TermHit(msgspec.Struct, frozen=True):
    """A recognised term: where it is in the ORIGINAL text, and what it means there."""

    term: str  # the form as matched in the normalised text (original[start:end] as written)
    canonical: str  # the lexicon's head term
    kind: str
    category: str | None
    gloss: str
    score: float  # 1.0 for a single sense; the share of the context evidence otherwise
    start: int
    end: int
    attack_id: str | None = None


# A form's text, its edges (see _edge), whether it is a one-character intent word, the hit
# fields of its only sense (None for several, or for an ordinary word), its senses.
_Plan = tuple[
    str, str, str, bool, tuple[str, str, str | None, str, str | None] | None, tuple[int, ...]
]


def _split(field: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in field.split("|") if p.strip() and p.strip() != "-")


def _parse_row(cells: list[str], where: str, sources: dict[str, str]) -> Sense:
    if len(cells) != len(_COLUMNS):
        raise ConfigError(f"{where}: expected {len(_COLUMNS)} tab-separated columns, "
                          f"found {len(cells)}")  # fmt: skip
    term, variants, kind, category, gloss, cues, attack_id, source = (c.strip() for c in cells)
    if not term or not gloss:
        raise ConfigError(f"{where}: term and gloss must not be empty")
    if kind not in KINDS:
        raise ConfigError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if category != "-" and category not in CATEGORIES:
        raise ConfigError(f"{where}: unknown category {category!r} "
                          f"(expected '-' or one of {', '.join(CATEGORIES)})")  # fmt: skip
    if attack_id != "-" and not _ATTACK_ID.fullmatch(attack_id):
        raise ConfigError(f"{where}: bad ATT&CK software id {attack_id!r} (expected S0000)")
    if not source or source == "-":
        raise ConfigError(f"{where}: every sense needs a source")
    if not source.startswith(("http://", "https://")):
        if source not in sources:
            raise ConfigError(f"{where}: unknown source key {source!r}")
        source = sources[source]
    return Sense(
        term, _split(variants), kind, None if category == "-" else category, gloss,
        _split(cues), None if attack_id == "-" else attack_id, source, where,
    )  # fmt: skip


def _rows(text: str, name: str) -> Iterable[tuple[str, list[str]]]:
    first = True
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if first and cells[0] == "term":
            first = False
            continue  # the header row
        first = False
        yield f"{name}:{number}", cells


def parse_senses(text: str, name: str, sources: dict[str, str]) -> list[Sense]:
    """Parse one lexicon file; ``name`` is used in error messages."""
    senses: list[Sense] = []
    seen: dict[tuple[str, str, str | None], str] = {}
    for where, cells in _rows(text, name):
        sense = _parse_row(cells, where, sources)
        key = (sense.term, sense.kind, sense.category)
        if key in seen:
            raise ConfigError(f"{where}: the same sense of {sense.term!r} ({sense.kind}, "
                              f"{sense.category or '-'}) is already at {seen[key]}")  # fmt: skip
        seen[key] = where
        senses.append(sense)
    return senses


def _edge(ch: str) -> str:
    if ch.isascii() and ch.isalpha():
        return "a"
    return "d" if ch.isascii() and ch.isdigit() else ""


_EDGES = {ch: _edge(ch) for ch in map(chr, range(128)) if _edge(ch)}  # _edge, as a look-up


class Lexicon:
    """Senses and the automaton over their normalised forms."""

    def __init__(self, senses: Sequence[Sense]) -> None:
        self.senses = tuple(senses)
        by_form: dict[str, list[int]] = {}
        for index, sense in enumerate(self.senses):
            for form in (sense.term, *sense.variants):
                key = normalize(form).text.strip()
                if key and index not in by_form.setdefault(key, []):
                    by_form[key].append(index)
        self.forms = len(by_form)
        self.version = _version(self.senses)
        self._scanner = Scanner(list(by_form)) if by_form else None
        # Everything a hit of a form needs but the text, worked out once per form.
        self._plans: list[_Plan] = []
        for key, indices in by_form.items():
            single_intent = len(key) == 1 and all(self.senses[i].kind == "intent" for i in indices)
            one = self.senses[indices[0]]
            head = None if len(indices) > 1 or one.kind == "ordinary" else (
                one.term, one.kind, one.category, one.gloss, one.attack_id
            )  # fmt: skip
            plan = (key, _edge(key[0]), _edge(key[-1]), single_intent, head, tuple(indices))
            self._plans.append(plan)

    def terms(self) -> set[str]:
        """Distinct head terms, shielding ordinary words not counted."""
        return {s.term for s in self.senses if s.kind != "ordinary"}

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """Where the forms are in a normalised text, as (form index, start, end), before
        the edge tests and senses of :meth:`match`: the automaton's share of its work."""
        return self._scanner.spans(text) if self._scanner is not None else []

    def match(self, normalized: Normalized, all_senses: bool = False) -> list[TermHit]:
        """Terms in ``normalized`` (see the module docstring), spans in the original.

        A term with several senses yields its best-supported sense, or every sense with
        its score when ``all_senses`` is true."""
        if self._scanner is None:
            return []
        text = normalized.text
        offs = normalized.offsets
        plans = self._plans
        hits: list[TermHit] = []
        # A term's ranking depends on the whole text only, so it is worked out once per
        # term: a text repeating an ambiguous term (料 × 100,000) costs one ranking.
        rankings: dict[tuple[int, ...], list[tuple[Sense, float]]] = {}
        # The hot loop: a message has about ten hits, each costs Python objects, so the
        # common case (one sense) takes no function call but the hit's, and the edge test
        # of a Latin form is a dictionary look-up.
        length = len(text)
        for index, start, end in self._scanner.spans(text):
            form, left, right, single_intent, head, indices = plans[index]
            if left and start and _EDGES.get(text[start - 1]) == left:
                continue
            if right and end < length and _EDGES.get(text[end]) == right:
                continue
            if single_intent and start and not _starts_clause(text, offs, start):
                continue
            if head is not None:
                term, kind, category, gloss, attack_id = head
                hits.append(
                    TermHit(form, term, kind, category, gloss, 1.0,
                            offs[start], offs[end - 1] + 1, attack_id)
                )  # fmt: skip
            elif len(indices) > 1:  # else an ordinary word: it shields the jargon inside it
                # Several senses are ranked by the context cues around them.
                ranked = rankings.get(indices) or rankings.setdefault(
                    indices, self._rank(indices, text)
                )
                ostart, oend = offs[start], offs[end - 1] + 1
                for sense, score in ranked if all_senses else ranked[:1]:
                    if sense.kind != "ordinary":
                        hits.append(
                            TermHit(form, sense.term, sense.kind, sense.category, sense.gloss,
                                    score, ostart, oend, sense.attack_id)
                        )  # fmt: skip
        return hits

    def _rank(self, indices: tuple[int, ...], text: str) -> list[tuple[Sense, float]]:
        weights = [1.0 + sum(cue in text for cue in self.senses[i].cues) for i in indices]
        total = sum(weights)
        order = sorted(range(len(indices)), key=lambda k: -weights[k])  # stable: file order
        return [(self.senses[indices[k]], round(weights[k] / total, 3)) for k in order]


def _version(senses: Sequence[Sense]) -> str:
    """A short digest of what the senses say (not where they were read from): stored with
    each analysis, so a changed lexicon marks older analyses as stale."""
    digest = hashlib.sha256()
    for s in sorted(senses, key=lambda s: (s.term, s.kind, s.category or "", s.gloss)):
        fields = (s.term, "|".join(s.variants), s.kind, s.category or "", s.gloss, "|".join(s.cues))
        digest.update(("\t".join(fields) + "\n").encode("utf-8"))
    return "l-" + digest.hexdigest()[:12]


def _starts_clause(text: str, offs: list[int], start: int) -> bool:
    """Whether a one-character intent word at ``start`` (> 0) starts a clause."""
    if _CLAUSE_START.match(text[start - 1]):
        return True
    # A one-character intent word also starts a clause where the normaliser closed a gap
    # before it (料 出 → 料出): the offsets jump there.
    return offs[start] - offs[start - 1] > 1


def _builtin_files() -> list[tuple[str, str]]:
    folder = files("jianghu.analysis") / "data" / "lexicon"
    entries = sorted((p for p in folder.iterdir() if p.name.endswith(".tsv")), key=lambda p: p.name)
    return [(f"lexicon/{p.name}", p.read_text(encoding="utf-8")) for p in entries]


def _sources(text: str, name: str) -> dict[str, str]:
    sources: dict[str, str] = {}
    for where, cells in _rows(text, name):
        if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
            raise ConfigError(f"{where}: expected 'key<TAB>citation'")
        sources[cells[0].strip()] = cells[1].strip()
    return sources


@functools.cache
def _builtin_senses() -> tuple[Sense, ...]:
    texts = dict(_builtin_files())
    sources = _sources(texts.pop("lexicon/sources.tsv"), "lexicon/sources.tsv")
    senses: list[Sense] = []
    for name, text in texts.items():
        senses.extend(parse_senses(text, name, sources))
    return tuple(senses)


def load_lexicon(extra_paths: Sequence[Path] = ()) -> Lexicon:
    """The built-in lexicon, extended or overridden by the user's files (same format; a
    user's sense replaces the built-in sense with the same term, kind and category)."""
    if not extra_paths:
        return _default()
    sources = _sources(dict(_builtin_files())["lexicon/sources.tsv"], "lexicon/sources.tsv")
    merged = {(s.term, s.kind, s.category): s for s in _builtin_senses()}
    for path in extra_paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read lexicon file: {exc}") from exc
        for sense in parse_senses(text, str(path), sources):
            merged[(sense.term, sense.kind, sense.category)] = sense
    return Lexicon(list(merged.values()))


@functools.cache
def _default() -> Lexicon:
    return Lexicon(_builtin_senses())
