"""Any text a criminal can type goes through every analysis step without an exception:
lone surrogates, NUL, control and bidi characters, emoji sequences, huge repeats."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.analysis.gloss import gloss
from jianghu.analysis.language import _NAMES, LANGUAGES, detect_language
from jianghu.analysis.lexicon import load_lexicon
from jianghu.analysis.normalize import normalize
from jianghu.analysis.pipeline import findings
from jianghu.analysis.search_terms import parse_query
from jianghu.analysis.snippet import make_snippet
from tests.conftest import make_message

hostile = st.text(
    st.characters(codec=None, categories=("L", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Mn"))
    | st.sampled_from(list("出料裤子四件套飛機@_.:/\u202e\u200b\ufe0f\x00\n 0123456789Uu")),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(text=hostile, query=hostile)
def test_every_analysis_step_accepts_any_text(text: str, query: str) -> None:
    [(_doc, entities, analysis)] = findings([make_message("1", text)])
    for e in entities:
        assert 0 <= e.start < e.end <= len(text) and text[e.start : e.end] == e.value
    assert analysis is not None and analysis.language in LANGUAGES
    assert all(0.0 <= s <= 1.0 for s in analysis.scores.values())
    result = gloss(text)
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)
    assert detect_language(text) in LANGUAGES
    snippet = make_snippet(text, parse_query(query))
    for start, end in snippet.spans:
        assert 0 <= start <= end <= len(snippet.text)


# The e-mail rule of language identification as first written: the specification for runs
# of up to 320 characters, and quadratic on a long run without spaces.
_NAMES_REFERENCE = re.compile(r"https?://\S+|t\.me/\S+|www\.\S+|\S+@\S+\.\w+|@\w+|#\w+", re.ASCII)


@settings(max_examples=500, deadline=None)
@given(st.text("a@.b #x:/ h1中", max_size=20))
def test_names_rule_matches_its_specification(text: str) -> None:
    assert _NAMES.sub(" ", text) == _NAMES_REFERENCE.sub(" ", text)


def test_huge_messages_are_analysed_in_linear_time() -> None:
    # Each of these took from 30 s to over 5 minutes before: a long run without spaces
    # (language identification), a repeated ambiguous term (lexicon ranking), a long run
    # of letters (offer skeletons). A hostile message can be any of them.
    for text in ("A" * 100_000, "料" * 100_000, "a@" * 50_000):
        [(_doc, _entities, analysis)] = findings([make_message("1", text)])
        assert analysis is not None and analysis.language in LANGUAGES
    hits = load_lexicon().match(normalize("料" * 50_000 + " 银行卡 cvv"))
    liao = [h for h in hits if h.term == "料"]
    assert len(liao) == 50_000 and {h.category for h in liao} == {"card_fraud"}
