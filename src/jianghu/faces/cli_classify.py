"""Commands about the classifier: train it, measure it, annotate messages with it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from jianghu.errors import ConfigError
from jianghu.faces.cli_common import JsonOption, err, handles_errors, out, print_json

train_app = typer.Typer(help="Build the models jianghu ships.", no_args_is_help=True)

_DEFAULT_TUMCC = Path("..") / "shared" / "corpora" / "tumcc" / "TUMCC-clean.txt"


@train_app.command("classifier")
@handles_errors
def train_classifier(
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for model.npz and model.json (default: the package)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Train the message classifier from the labelled training data (deterministic; the
    evaluation set is never read) and write the model with its training report."""
    from importlib.resources import files

    from jianghu.analysis.classify.train import train
    from jianghu.analysis.classify.trainset import training_data

    folder = out_dir or Path(str(files("jianghu.analysis") / "data" / "classify"))
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder")
    data = training_data()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        task = bar.add_task("training", total=1)

        def step(what: str, done: int, total: int) -> None:
            bar.update(task, description=f"training: {what}", completed=done, total=total)

        model, report = train(data, progress=step)
        bar.update(task, completed=1, total=1)
    model.save(folder / "model.npz")
    meta = report.to_json()
    (folder / "model.json").write_bytes(
        orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    if json:
        print_json(meta)
        return
    out.print(
        f"model {report.version}: {report.train_examples} training examples, "
        f"{report.held_out_examples} held out for calibration"
    )
    out.print(
        f"out-of-fold macro-F1 {report.out_of_fold_macro_f1:.3f}, "
        f"intent accuracy {report.out_of_fold_intent_accuracy:.3f}"
    )
    h = report.held_out
    out.print(
        f"held out: Brier {h['brier_uncalibrated']:.4f} → {h['brier']:.4f}, "
        f"ECE {h['ece_uncalibrated']:.4f} → {h['ece']:.4f} after Platt scaling"
    )
    out.print(f"written to {folder / 'model.npz'} and model.json")


def _scores_table(title: str, model: Any, baseline: Any) -> Table:
    table = Table(title=title, header_style="bold")
    for name in ("category", "support", "P", "R", "F1", "baseline F1"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for cat, s in model.per_category.items():
        b = baseline.per_category[cat]
        table.add_row(
            cat,
            str(s.support),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            f"{b.f1:.3f}",
        )
    return table


def _summary_rows(model: Any, baseline: Any) -> list[tuple[str, str, str, str]]:
    return [
        ("macro-F1", f"{model.macro_f1:.3f}", f"{baseline.macro_f1:.3f}", "≥ 0.90"),
        ("micro-F1", f"{model.micro_f1:.3f}", f"{baseline.micro_f1:.3f}", ""),
        (
            "intent accuracy",
            f"{model.intent_accuracy:.3f}",
            f"{baseline.intent_accuracy:.3f}",
            "≥ 0.90",
        ),
        (
            f"no-trade messages given a category (of {model.none_count})",
            f"{model.none_flagged:.1%}",
            f"{baseline.none_flagged:.1%}",
            "≤ 5%",
        ),
        ("chat called an offer", f"{model.chat_as_offer:.1%}", f"{baseline.chat_as_offer:.1%}", ""),
    ]


def _markdown(report: Any, meta: dict[str, Any] | None) -> str:
    lines = [
        f"Model `{report.model_version}` on `eval.jsonl` sha256 `{report.eval_sha256[:16]}…` "
        f"({report.model.messages} messages).",
        "",
        "| measure | model | lexicon-only baseline | target |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {a} | {b} | {c} | {d} |" for a, b, c, d in _summary_rows(report.model, report.baseline)
    ]
    lines += [
        "",
        "| category | support | precision | recall | F1 | baseline F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for cat, s in report.model.per_category.items():
        b = report.baseline.per_category[cat]
        lines.append(
            f"| {cat} | {s.support} | {s.precision:.3f} | {s.recall:.3f} | "
            f"{s.f1:.3f} | {b.f1:.3f} |"
        )
    lines += [
        "",
        "| slice | messages | model macro-F1 | baseline macro-F1 | model intent acc. |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, pair in report.slices.items():
        m, b = pair["model"], pair["baseline"]
        lines.append(
            f"| {name} | {m.messages} | {m.macro_f1:.3f} | {b.macro_f1:.3f} | "
            f"{m.intent_accuracy:.3f} |"
        )
    lines += [
        "",
        "Most frequent confusions (true → predicted, count): "
        + ", ".join(f"{a} → {b} ({n})" for a, b, n in report.model.confusions),
    ]
    if report.tumcc:
        m, b = report.tumcc["model"], report.tumcc["baseline"]
        d, bd = m.per_category["drugs"], b.per_category["drugs"]
        lines += [
            "",
            f"TUMCC sample ({m.messages} hand-labelled lines):",
            "",
            "| measure | model | lexicon-only baseline |",
            "|---|---:|---:|",
            f"| chat (no trade, intent other) called an offer | {m.chat_as_offer:.1%} | "
            f"{b.chat_as_offer:.1%} |",
            f"| no-trade lines given a category (of {m.none_count}) | {m.none_flagged:.1%} | "
            f"{b.none_flagged:.1%} |",
            f"| drugs precision / recall ({d.support} lines) | {d.precision:.3f} / "
            f"{d.recall:.3f} | {bd.precision:.3f} / {bd.recall:.3f} |",
            f"| intent accuracy | {m.intent_accuracy:.3f} | {b.intent_accuracy:.3f} |",
        ]
    if meta:
        h = meta["held_out"]
        lines += [
            "",
            f"Calibration, on the {meta['held_out_examples']} held-out training-data "
            f"messages used for nothing else: Brier {h['brier_uncalibrated']:.4f} → "
            f"{h['brier']:.4f}, ECE {h['ece_uncalibrated']:.4f} → {h['ece']:.4f} "
            "(before → after Platt scaling).",
        ]
    return "\n".join(lines) + "\n"


def _model_meta() -> dict[str, Any] | None:
    from importlib.resources import files

    path = files("jianghu.analysis") / "data" / "classify" / "model.json"
    try:
        meta: dict[str, Any] = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return meta


@handles_errors
def eval_classify(
    json: JsonOption = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the tables as Markdown (EVALUATION.md).")
    ] = False,
    tumcc: Annotated[
        Path | None,
        typer.Option(help="TUMCC-clean.txt, for the hand-labelled sample (default: ../shared)."),
    ] = None,
) -> None:
    """Per-category precision, recall and F1, macro-F1, intent accuracy, confusions and the
    rate of no-trade messages given a category, on the frozen evaluation set, beside a
    lexicon-only baseline; and the hand-labelled TUMCC sample when the corpus is there."""
    from jianghu.analysis.classify.evaluate import evaluate_classifier

    corpus = tumcc or (_DEFAULT_TUMCC if _DEFAULT_TUMCC.is_file() else None)
    report = evaluate_classifier(corpus)
    meta = _model_meta()
    if json:
        print_json({**report.to_json(), "calibration": meta["held_out"] if meta else None})
        return
    if markdown:
        sys.stdout.write(_markdown(report, meta))
        return
    out.print(
        _scores_table(
            f"classifier on eval.jsonl ({report.model.messages} messages), "
            f"model {report.model_version}",
            report.model,
            report.baseline,
        )
    )
    summary = Table(header_style="bold")
    for name in ("measure", "model", "baseline", "target"):
        summary.add_column(name, justify="left" if name == "measure" else "right")
    for row in _summary_rows(report.model, report.baseline):
        summary.add_row(*row)
    out.print(summary)
    out.print(
        "confusions (true → predicted): "
        + ", ".join(f"{a} → {b} ({n})" for a, b, n in report.model.confusions)
    )
    if report.tumcc:
        m = report.tumcc["model"]
        out.print(
            f"TUMCC sample ({m.messages} lines): chat called an offer "
            f"{m.chat_as_offer:.1%}, no-trade lines given a category {m.none_flagged:.1%}"
        )
    elif corpus is None:
        out.print(
            Text("TUMCC corpus not found; pass --tumcc PATH for the TUMCC report", style="yellow")
        )


# ---- annotate -------------------------------------------------------------------------
def annotation(
    ident: Any, text: str, lexicon: Any, reveal: bool, reasons: bool = False
) -> dict[str, Any]:
    """The annotate record of one message (the format is in ``jianghu annotate --help``);
    with ``reasons``, also the model features that pushed each assigned category and the
    intent most (``evidence``)."""
    from jianghu.analysis.classify import classify_inputs, explain, feature_input
    from jianghu.analysis.language import detect_language
    from jianghu.faces.jsonl import entity_json
    from jianghu.faces.masking import mask_entity

    item = feature_input(text, lexicon)
    result = classify_inputs([item])[0]
    normalized = item.normalized
    if not reveal:
        normalized = _masked_normalized(text, item.entities)
    record: dict[str, Any] = {
        "id": ident,
        "language": detect_language(text),
        "normalized": normalized,
        "terms": [
            {
                "term": text[h.start : h.end],
                "canonical": h.canonical,
                "kind": h.kind,
                "category": h.category,
                "gloss": h.gloss,
                "start": h.start,
                "end": h.end,
            }
            for h in item.terms
        ],
        "entities": [entity_json(e if reveal else mask_entity(e)) for e in item.entities],
        "categories": list(result.categories),
        "scores": result.scores,
        "intent": result.intent,
    }
    if reasons:
        record["intent_scores"] = result.intent_scores
        record["evidence"] = {
            output: [{"feature": c.feature, "weight": c.weight} for c in explain(item, output)]
            for output in (*result.categories, result.intent)
        }
    return record


def _masked_normalized(text: str, entities: Any) -> str:
    """The normalised text with the digits of victims' data (cards, IDs, phones) masked,
    as the entities are (DESIGN: victims' data is masked unless revealed)."""
    from jianghu.analysis.entities.masking import MASKED_TYPES
    from jianghu.analysis.normalize import normalize

    norm = normalize(text)
    spans = [(e.start, e.end) for e in entities if e.type in MASKED_TYPES]
    if not spans:
        return norm.text
    chars = list(norm.text)
    for i, origin in enumerate(norm.offsets):
        if chars[i].isdigit() and any(a <= origin < b for a, b in spans):
            chars[i] = "*"
    return "".join(chars)
