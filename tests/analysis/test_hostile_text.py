"""Any text a criminal can type goes through every analysis step without an exception:
lone surrogates, NUL, control and bidi characters, emoji sequences, huge repeats."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.analysis.gloss import gloss
from jianghu.analysis.language import LANGUAGES, detect_language
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
