"""Charts as SVG text, drawn with matplotlib, to embed in the HTML report and to write
beside the Markdown one.

SVG keeps the report self-contained and searchable; text is left as text (not paths) so
the reader's fonts render Chinese labels, and the output is byte-for-byte repeatable
(fixed id salt, no date), so the same store gives the same report.
"""

from __future__ import annotations

import io
from typing import Any, cast

from jianghu.report.model import Chart

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "jianghu",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _pyplot() -> Any:
    # Imported on first use: matplotlib costs half a second, and only reports draw.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def render_svg(chart: Chart) -> str:
    """The chart as an SVG document (text)."""
    plt = _pyplot()
    import matplotlib

    with matplotlib.rc_context(cast(Any, _RC)):
        fig, ax = plt.subplots(figsize=(8.0, 3.6), dpi=96)
        try:
            positions = list(range(len(chart.x)))
            if chart.kind == "bar":
                bottom = [0.0] * len(positions)
                for name, values in chart.series.items():
                    heights = [v or 0.0 for v in values]
                    ax.bar(positions, heights, bottom=bottom, label=name)
                    bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            else:
                for name, values in chart.series.items():
                    xs = [p for p, v in zip(positions, values, strict=True) if v is not None]
                    ys = [v for v in values if v is not None]
                    ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.4, label=name)
            if chart.log_scale:
                ax.set_yscale("log")
            step = max(1, len(chart.x) // 12)
            ax.set_xticks(positions[::step], [chart.x[p] for p in positions[::step]])
            ax.tick_params(axis="x", labelrotation=45)
            ax.set_ylabel(chart.ylabel)
            ax.set_title(chart.title, loc="left")
            if chart.series:
                ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
            return out.getvalue()
        finally:
            plt.close(fig)


def inline_svg(svg: str) -> str:
    """The SVG document without its XML prolog and DOCTYPE, to sit inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
