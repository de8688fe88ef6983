"""English glosses, and the lexicon's coverage of spelling variants."""

from __future__ import annotations

import msgspec

from jianghu.analysis.gloss import evaluate_lexicon, gloss


def test_gloss_annotates_terms_in_the_original_text() -> None:
    result = gloss("出料 @abc_def CVV 飛機@abc")
    assert result.text == "出料 @abc_def CVV 飛機@abc"
    assert result.annotated.startswith("出[selling]料[stolen data: ")
    assert "CVV[card data for card-not-present fraud" in result.annotated
    assert "飛機[Telegram contact]@abc" in result.annotated
    assert [result.text[t.start : t.end] for t in result.terms] == ["出", "料", "CVV", "飛機"]


def test_gloss_names_attack_ids_and_serialises() -> None:
    result = gloss("出 冰蝎 CS上线")
    assert "CS[Cobalt Strike (CS): C2 framework; ATT&CK S0154]" in result.annotated
    decoded = msgspec.json.decode(msgspec.json.encode(result))
    assert decoded["terms"][1]["canonical"] == "冰蝎"


def test_gloss_of_plain_chat_is_the_text() -> None:
    assert gloss("今天天气不错").annotated == "今天天气不错"
    assert gloss("").terms == []


def test_lexicon_covers_spelling_variants() -> None:
    report = evaluate_lexicon()
    print(f"lexicon coverage {report.coverage:.3f} of {report.total} variants: {report.by_variant}")
    print("misses:", [(m.text, m.expected, m.found) for m in report.misses])
    assert report.total >= 200
    assert report.coverage >= 0.95
    assert {"traditional", "spaced", "emoji_split", "homophone", "abbreviation"} <= set(
        report.by_variant
    )
