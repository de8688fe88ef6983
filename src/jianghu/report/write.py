"""Write the report files: ``NAME.html`` (self-contained), ``NAME.md`` and the charts the
Markdown links to in ``NAME-charts/``. Files are written to a temporary name and moved
into place, so a failed run never leaves half a report behind."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jianghu.report.charts import render_svg
from jianghu.report.html_report import render_html
from jianghu.report.markdown_report import render_markdown
from jianghu.report.model import Landscape


@dataclass(frozen=True)
class Written:
    html: Path
    markdown: Path
    charts: tuple[Path, ...]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(report: Landscape, out: Path) -> Written:
    """``out`` is the path without extension (``report`` → report.html, report.md)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    chart_dir = out.with_name(f"{out.name}-charts")
    charts = [c for s in report.sections for c in s.charts]
    written: list[Path] = []
    rel: dict[str, str] = {}
    if charts:
        chart_dir.mkdir(exist_ok=True)
        for c in charts:
            path = chart_dir / f"{c.key}.svg"
            _write(path, render_svg(c))
            written.append(path)
            rel[c.key] = f"{chart_dir.name}/{path.name}"
    html_path = out.with_name(f"{out.name}.html")
    md_path = out.with_name(f"{out.name}.md")
    _write(html_path, render_html(report))
    _write(md_path, render_markdown(report, rel))
    return Written(html_path, md_path, tuple(written))
