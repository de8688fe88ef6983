"""Message classification: categories (TAXONOMY.md), intent and evidence.

``classify_texts`` and ``classify_inputs`` are the entry points; ``train`` builds the
shipped model from ``trainset``; ``evaluate`` measures it on the frozen evaluation set.
"""

from jianghu.analysis.classify.classifier import (
    THRESHOLD,
    Classification,
    Contribution,
    classify_inputs,
    classify_texts,
    explain,
    feature_input,
    load_model,
)

__all__ = [
    "THRESHOLD",
    "Classification",
    "Contribution",
    "classify_inputs",
    "classify_texts",
    "explain",
    "feature_input",
    "load_model",
]
