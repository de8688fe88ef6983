"""Finding the lexicon's forms in normalised text: pyahocorasick's answers, at Rust speed.

The lexicon has always been matched with ``Automaton.iter_long`` of pyahocorasick 2.3, and
its answers are the specification. That scan costs about 10 µs for a 100-character message:
pyahocorasick finds a node's child by a linear search, and the root has some 400 children.
:class:`Scanner` gets the same answers from ``ahocorasick_rs`` (leftmost-longest matching,
one call per text returning a list), handing back to ``iter_long`` only where they differ.

What ``iter_long`` does from a restart r (the start, or just after what it last reported):
it runs the Aho–Corasick automaton, whose state is the longest suffix of the text read since
r that is a trie prefix, until that state is a form; from there it follows trie edges only
and reports the last form on the path when the path ends. Before that, the first state that
is not a form while its failure state is gets remembered: should the path from it end
before reaching a form, ``iter_long`` reports the longest form starting where that failure
state starts instead (and at the end of the text, nothing).

Call the longest trie prefix starting at a position the *walk* from there. Leftmost-longest
matching reports, from r, the longest form at the leftmost a >= r where one starts.
``iter_long`` reports the same and restarts at the same place unless a walk starting in
[r, a] ends at a *hazard* node, one that

* (A) has a prefix longer than any form on it that is not a form while its failure node
  is (the remembered state whose path ends without a form), or
* (B) has no form among its prefixes but a form inside it, not at its start (the state
  covers that form and never reports it).

Otherwise the first state that is a form is the form ending first at a, and the path from
it ends at the longest form at a. So the Rust automaton matches, leftmost-longest, the
forms and also the trie nodes at or below hazard nodes (as non-forms): a hazard walk that
starts where it matters is the longest match there, so a text whose matches are all forms
gets them as its answer; from a non-form, ``iter_long`` runs to the next break (a character
in no form). Hazard walks are mostly Latin (``hu``
of huione holds the form ``u``); the tests compare both ways on demo, real and generated
text and on random lexicons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick  # no type stubs: mypy override in pyproject.toml
import ahocorasick_rs

Span = tuple[int, int, int]  # (form index, start, end) in the normalised text, end exclusive
_DFA_PATTERNS = 5_000  # the built-in lexicon has 1,300 (a 2 MB DFA); 5,000 make some 25 MB


class Scanner:
    """The forms of a lexicon, and where they are found in a text (:meth:`spans`)."""

    def __init__(self, forms: Sequence[str]) -> None:
        if not forms or not all(forms):
            raise ValueError("a scanner needs at least one form, and no empty form")
        self.forms = tuple(forms)
        self._lengths = [len(f) for f in self.forms]
        self._automaton: Any = ahocorasick.Automaton()
        for index, form in enumerate(self.forms):
            self._automaton.add_word(form, index)
        self._automaton.make_automaton()
        # Patterns past the forms are the non-forms at or below hazard nodes. A DFA scans
        # a few percent faster than the library's choice for a lexicon of this size; a
        # huge one is left to the library, as a DFA's memory grows with the patterns.
        patterns = [*self.forms, *_hazard_walks(self.forms)]
        self._longest = ahocorasick_rs.AhoCorasick(
            patterns,
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA
            if len(patterns) <= _DFA_PATTERNS
            else None,
        )
        # Breaks: characters in no form. Every walk ends before one, so iter_long is at
        # its root, with nothing pending, just after one.
        letters = "".join(sorted({re.escape(c) for form in self.forms for c in form}))
        self._break = re.compile(f"[^{letters}]")

    def __reduce__(self) -> tuple[type[Scanner], tuple[tuple[str, ...]]]:
        # The Rust automaton does not pickle; a lexicon sent to a worker process did.
        return (Scanner, (self.forms,))

    def spans(self, text: str) -> list[Span]:
        """The forms in ``text`` as ``Automaton.iter_long`` reports them, in order."""
        try:
            found = self._longest.find_matches_as_indexes(text)
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8 for the Rust automaton
            return self.reference_spans(text)
        if not found or max(found)[0] < len(self.forms):
            return found  # all forms: the common case
        return self._resolve(text, found)

    def reference_spans(self, text: str, start: int = 0, stop: int | None = None) -> list[Span]:
        """``Automaton.iter_long`` itself, from ``start`` (a restart position) to ``stop``
        (the end of the text, or just after a break)."""
        stop = len(text) if stop is None else stop
        if start >= stop:
            return []  # iter_long refuses a start outside the text, even 0 in ""
        lengths = self._lengths
        return [
            (index, end - lengths[index] + 1, end + 1)
            for end, index in self._automaton.iter_long(text, start, stop)
        ]

    def _resolve(self, text: str, found: list[Span]) -> list[Span]:
        """The spans when some matches are non-forms: the forms as matched, and from each
        non-form ``iter_long`` to just after the next break (where both restart).

        No match starts between the restart and the non-form, so no walk from there holds
        a form (a walk starting with one starts with a match, and one with a form inside
        ends at or below a hazard node (B)): iter_long from the restart reports nothing
        before the non-form, and after it the same as iter_long started there."""
        spans: list[Span] = []
        forms, k, total = len(self.forms), 0, len(found)
        while k < total:
            index, start, _ = found[k]
            if index < forms:
                spans.append(found[k])
                k += 1
                continue
            next_break = self._break.search(text, start)
            restart = next_break.end() if next_break else len(text)
            spans += self.reference_spans(text, start, restart)
            while k < total and found[k][1] < restart:
                k += 1
        return spans


def _hazard_nodes(words: set[str]) -> set[str]:
    """The hazard nodes of the trie of ``words`` (see the module docstring)."""
    prefixes = {w[:i] for w in words for i in range(1, len(w) + 1)}

    def failure(node: str) -> str:
        return next((node[i:] for i in range(1, len(node)) if node[i:] in prefixes), "")

    hazards = set()
    for node in prefixes - words:
        formed = [i for i in range(1, len(node)) if node[:i] in words]  # prefixes that are
        # (A) a prefix longer than any form on the path, not a form, whose failure node is
        fails = any(
            failure(node[:i]) in words for i in range((formed or [0])[-1] + 1, len(node) + 1)
        )
        # (B) no form on the path, and a form inside it not at its start
        hides = not formed and any(
            node[i:j] in words for i in range(1, len(node)) for j in range(i + 1, len(node) + 1)
        )
        if fails or hides:
            hazards.add(node)
    return hazards


def _hazard_walks(forms: Iterable[str]) -> list[str]:
    """The trie nodes at or below hazard nodes that are not forms: where a walk ending at a
    hazard node starts, one of these is the longest match."""
    words = set(forms)
    hazards = _hazard_nodes(words)
    below = {w[:i] for w in words for i in range(1, len(w) + 1)} - words
    return sorted(n for n in below if any(n[:i] in hazards for i in range(1, len(n) + 1)))
