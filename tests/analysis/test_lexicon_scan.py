"""Lexicon matching gives exactly what it gave before the Rust scanner: the same hits, spans,
senses, scores and order, on demo, real and generated text.

The specification is the matcher as it was (pyahocorasick's ``iter_long`` read a hit at a
time, then the edge tests and the sense ranking), copied below unchanged as
:class:`Reference`."""

from __future__ import annotations

import pickle
import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ahocorasick
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.analysis.lexicon import Lexicon, Sense, TermHit, load_lexicon
from jianghu.analysis.lexicon_scan import Scanner
from jianghu.analysis.normalize import Normalized, normalize
from jianghu.demo.generator import write_demo_export
from jianghu.sources.base import open_source
from tests.conftest import SHARED

TUMCC = SHARED / "corpora" / "tumcc" / "TUMCC-clean.txt"

# ---- the specification: the matcher before the scanner, as it was ----------------------
_CLAUSE_START = re.compile(r"[\s\W\d_a-z]")  # before a one-character intent word


def _edge(ch: str) -> str:
    if ch.isascii() and ch.isalpha():
        return "a"
    return "d" if ch.isascii() and ch.isdigit() else ""


def _fits(
    text: str, offs: list[int], start: int, end: int, left: str, right: str, single_intent: bool
) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if left and before and _edge(before) == left:
        return False
    if right and after and _edge(after) == right:
        return False
    if single_intent and before and not _CLAUSE_START.match(before):
        return offs[start] - offs[start - 1] > 1
    return True


class Reference:
    """``Lexicon`` as it was: its automaton, ``match`` and ``_rank``, unchanged."""

    def __init__(self, senses: tuple[Sense, ...]) -> None:
        self.senses = senses
        by_form: dict[str, list[int]] = {}
        for index, sense in enumerate(self.senses):
            for form in (sense.term, *sense.variants):
                key = normalize(form).text.strip()
                if key and index not in by_form.setdefault(key, []):
                    by_form[key].append(index)
        self._automaton: Any = ahocorasick.Automaton()
        for key, indices in by_form.items():
            single_intent = len(key) == 1 and all(self.senses[i].kind == "intent" for i in indices)
            value = (len(key), tuple(indices), _edge(key[0]), _edge(key[-1]), single_intent)
            self._automaton.add_word(key, value)
        self.forms = len(by_form)
        if by_form:
            self._automaton.make_automaton()

    def match(self, normalized: Normalized, all_senses: bool = False) -> list[TermHit]:
        if not self.forms:
            return []
        text = normalized.text
        offs = normalized.offsets
        senses = self.senses
        hits: list[TermHit] = []
        rankings: dict[tuple[int, ...], list[tuple[Sense, float]]] = {}
        for end, (length, indices, left, right, single_intent) in self._automaton.iter_long(text):
            start = end - length + 1
            if (left or right or single_intent) and not _fits(
                text, offs, start, end + 1, left, right, single_intent
            ):
                continue
            surface = text[start : end + 1]
            ostart, oend = offs[start], offs[end] + 1
            if len(indices) == 1:
                ranked = [(senses[indices[0]], 1.0)]
            else:
                ranked = rankings.get(indices) or rankings.setdefault(
                    indices, self._rank(indices, text)
                )
            for sense, score in ranked if all_senses else ranked[:1]:
                if sense.kind != "ordinary":
                    hits.append(
                        TermHit(
                            surface,
                            sense.term,
                            sense.kind,
                            sense.category,
                            sense.gloss,
                            score,
                            ostart,
                            oend,
                            sense.attack_id,
                        )
                    )
        return hits

    def _rank(self, indices: tuple[int, ...], text: str) -> list[tuple[Sense, float]]:
        weights = [1.0 + sum(cue in text for cue in self.senses[i].cues) for i in indices]
        total = sum(weights)
        order = sorted(range(len(indices)), key=lambda k: -weights[k])  # stable: file order
        return [(self.senses[indices[k]], round(weights[k] / total, 3)) for k in order]


# ---- fixtures and helpers -------------------------------------------------------------
@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def reference(lexicon: Lexicon) -> Reference:
    return Reference(lexicon.senses)


@pytest.fixture(scope="module")
def forms(lexicon: Lexicon) -> list[str]:
    assert lexicon._scanner is not None
    return list(lexicon._scanner.forms)


def _differences(
    lexicon: Lexicon, reference: Reference, texts: Iterable[str]
) -> tuple[int, list[str]]:
    """How many (text, mode) pairs were compared, and the texts whose hits differ: each
    text normalised, and also taken as already normalised (the scanner sees it as is)."""
    compared, differ = 0, []
    for text in texts:
        for normalized in (normalize(text), Normalized(text, list(range(len(text))))):
            for all_senses in (False, True):
                compared += 1
                if lexicon.match(normalized, all_senses) != reference.match(normalized, all_senses):
                    differ.append(text)
    return compared, differ


def _has_hazard_walk(lexicon: Lexicon, text: str) -> bool:
    scanner = lexicon._scanner
    assert scanner is not None
    found = scanner._longest.find_matches_as_indexes(text)
    return any(index >= len(scanner.forms) for index, _, _ in found)


# ---- equivalence on corpora ------------------------------------------------------------
def test_demo_corpus_matches_as_before(
    lexicon: Lexicon, reference: Reference, tmp_path: Path
) -> None:
    export = tmp_path / "result.json"
    write_demo_export(export, messages=5000, seed=11)
    texts = [m.text for m in open_source(export, {}).iter_messages()]
    assert len(texts) >= 5000
    compared, differ = _differences(lexicon, reference, texts)
    assert differ == []
    assert compared == 4 * len(texts)
    # The corpus takes both ways through the scanner: some texts have hazard walks (the
    # Rust automaton's matches include a non-form), most do not.
    assert 0 < sum(_has_hazard_walk(lexicon, t) for t in texts) < len(texts) / 2


def test_tumcc_lines_match_as_before(lexicon: Lexicon, reference: Reference) -> None:
    lines = TUMCC.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 10_000
    # As segmented by the corpus authors, and with the words joined back together.
    texts = lines + ["".join(line.split()) for line in lines]
    compared, differ = _differences(lexicon, reference, texts)
    assert differ == []
    assert compared == 4 * len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "出 U盾 四件套 100U 5u USB CSS CS上线",
        "trc2表fule电信诈骗党r水刷机佬容",  # a hazard walk (trc2) before the matches
        "燃稳充鸦活体检测供佣取信ghost r:气凌k仔微msfvenom",  # a hazard walk ending at ':'
        "@tom_buycvv github server huione usdt telegram",
        "收了我2300u的货款 tnzvabrlq1lefgd7gts5cyjhncfkzhzdkd",
        "料" * 2000 + "卡" + "ghost r" * 50,
        "x\ud800料 cvv",  # a lone surrogate: no UTF-8, so the scanner falls back
    ],
)
def test_edge_cases_match_as_before(lexicon: Lexicon, reference: Reference, text: str) -> None:
    assert _differences(lexicon, reference, [text])[1] == []


# ---- equivalence on generated text -----------------------------------------------------
PUNCTUATION = [" ", "  ", "\n", ",", "，", "。", "、", ":", "：", "@", ".", "-", "_", "!", "/"]


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_text_built_from_lexicon_forms_matches_as_before(
    lexicon: Lexicon, reference: Reference, forms: list[str], data: st.DataObject
) -> None:
    form = st.sampled_from(forms)
    piece = st.one_of(
        form,
        form.flatmap(lambda f: st.integers(0, len(f)).map(lambda i: f[:i])),  # a prefix
        form.flatmap(lambda f: st.integers(0, len(f)).map(lambda i: f[i:])),  # a suffix
        st.text(string.ascii_letters + string.digits, min_size=1, max_size=3),
        st.sampled_from(PUNCTUATION),
    )
    text = "".join(data.draw(st.lists(piece, max_size=16), label="pieces"))
    assert _differences(lexicon, reference, [text])[1] == []


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(st.text("abc", min_size=1, max_size=5), min_size=1, max_size=10),
    texts=st.lists(st.text("abcx", max_size=25), min_size=1, max_size=8),
)
def test_scanner_reports_what_iter_long_reports_for_any_lexicon(
    words: list[str], texts: list[str]
) -> None:
    """On tiny alphabets every corner of iter_long comes up (forms inside forms, paths
    that end short of a form, x in no form); the scanner must agree on each."""
    forms = list(dict.fromkeys(words))
    automaton: Any = ahocorasick.Automaton()
    for index, form in enumerate(forms):
        automaton.add_word(form, index)
    automaton.make_automaton()
    scanner = Scanner(forms)
    for text in texts:
        expected = [(i, end - len(forms[i]) + 1, end + 1) for end, i in automaton.iter_long(text)]
        assert scanner.spans(text) == expected, (forms, text)


def test_iter_long_quirks_are_kept() -> None:
    """Where iter_long is not leftmost-longest, the scanner follows iter_long."""
    scanner = Scanner(["b", "abc"])
    assert scanner.spans("ab") == []  # the path ab ends with the text: b is never reported
    assert scanner.spans("abx") == [(0, 1, 2)]  # it ends short of abc: b is reported
    assert scanner.spans("abc") == [(1, 0, 3)]
    hidden = Scanner(["c", "abcd", "bcx"])
    assert hidden.spans("abcz") == []  # c is covered by the path abc and never reported


def test_a_lexicon_still_pickles(lexicon: Lexicon) -> None:
    """As it did with the pyahocorasick automaton alone (a process pool may send one)."""
    copy = pickle.loads(pickle.dumps(lexicon))
    text = normalize("出 U盾 四件套 github huione 料 cvv")
    assert copy.match(text) == lexicon.match(text) != []
