"""Search tokens for Chinese and everything else, identical for both store backends.

Indexing follows Lucene's CJK bigram analyser and adds what one-character queries need:

* ``bi``: the text as a stream of tokens, where a run of CJK characters becomes its
  overlapping bigrams (a lone character stays a unigram) and any other run of letters or
  digits becomes one word. Queries of two or more CJK characters are phrase queries here,
  so 查询系统 is found as 查询 → 询系 → 系统 at consecutive positions.
* ``uni``: every CJK character as its own token, interleaved with the words. Single-
  character queries (料) and terms mixing a lone character with a word (U商) are phrase
  queries here, which is exact substring matching at token level.

Text is folded first (NFKC, case, traditional → simplified), so 查詢 finds 查询. Tokens
hold only letters and digits, so both backends split the token stream at the spaces and
nowhere else: the SQLite FTS5 ``ascii`` tokenizer and a PostgreSQL tsvector built here.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import msgspec

from jianghu.analysis.fold import fold

_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\U00020000-\U0003134f"  # supplementary ideographs
)
# One pass finds CJK runs (group 1) and other runs of letters or digits (group 2, cut
# into pieces of at most MAX_TOKEN so query and index cut alike).
_RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]{{1,64}})")
_CJK_RUN = re.compile(f"[{_CJK}]+")
MAX_TOKEN = 64  # longer words are cut: nobody searches for 65 letters in one word


class SearchDoc(msgspec.Struct, frozen=True):
    """The two token streams of one message, space-separated."""

    uni: str
    bi: str


def _streams(folded: str) -> tuple[list[str], list[str]]:
    uni: list[str] = []
    bi: list[str] = []
    for run, word in _RUNS.findall(folded):
        if word:
            uni.append(word)
            bi.append(word)
        elif len(run) == 1:
            uni.append(run)
            bi.append(run)
        else:
            uni.extend(run)
            bi.extend(map(operator.add, run, run[1:]))  # the bigrams, built in C
    return uni, bi


def search_doc(text: str) -> SearchDoc:
    uni, bi = _streams(fold(text))
    return SearchDoc(" ".join(uni), " ".join(bi))


@dataclass(frozen=True, slots=True)
class Clause:
    """One query term: a phrase of tokens to find in one stream."""

    column: str  # "uni" or "bi"
    tokens: tuple[str, ...]
    term: str  # the term as the analyst typed it


def _terms(query: str) -> list[str]:
    # "quoted phrases" stay whole; everything else splits on whitespace.
    return [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', query) if (a or b).strip()]


def parse_query(query: str) -> list[Clause]:
    """Every term must match (AND); an empty list means nothing searchable was given."""
    clauses: list[Clause] = []
    for term in _terms(query):
        folded = fold(term)
        uni, bi = _streams(folded)
        if not uni:
            continue
        runs = _CJK_RUN.findall(folded)
        # Bigram phrases are exact only when every CJK run has at least two characters.
        if runs and all(len(r) >= 2 for r in runs):
            clauses.append(Clause("bi", tuple(bi), term))
        else:
            clauses.append(Clause("uni", tuple(uni), term))
    return clauses


def clause_pattern(clause: Clause) -> str:
    """A regular expression finding the clause in folded text, for highlighting.

    Consecutive bigrams collapse back into the CJK string they came from; pieces may be
    separated by anything that is not a letter or digit, as they are for the index.
    """
    pieces: list[str] = []
    prev_bigram = False
    for tok in clause.tokens:
        is_bigram = clause.column == "bi" and len(tok) == 2 and bool(_CJK_RUN.fullmatch(tok))
        if is_bigram and prev_bigram:
            pieces[-1] += tok[1]
        else:
            pieces.append(tok)
        prev_bigram = is_bigram
    return r"[\W_]*".join(re.escape(p) for p in pieces)
