"""Server-rendered SVG charts: small, readable, no JavaScript and no Node at build time."""

from __future__ import annotations

from xml.sax.saxutils import escape

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
BAR = "#2f6fdf"
TRACK = "#e6ecf5"
INK = "#1f2933"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="8" y="18" {FONT} font-weight="600" fill="{INK}">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def pass_rate_chart(rates: list[tuple[str, int, int]], title: str = "Pass rate per lab") -> str:
    """One horizontal bar per lab: the share of the cohort that passed it, with 'n/m'."""
    label_w, bar_w, row_h, top = 170, 260, 24, 32
    width, height = label_w + bar_w + 80, top + row_h * max(len(rates), 1) + 8
    body = []
    for i, (slug, passed, total) in enumerate(rates):
        y = top + i * row_h
        share = passed / total if total else 0.0
        body.append(
            f'<g class="bar" data-lab="{escape(slug)}" data-passed="{passed}" data-total="{total}">'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" {FONT} fill="{INK}">{escape(slug)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="14" rx="3" fill="{TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{round(bar_w * share, 1)}" height="14" rx="3" fill="{BAR}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 15}" {FONT} fill="{INK}">'
            f"{round(100 * share)}% ({passed}/{total})</text></g>"
        )
    if not rates:
        body.append(f'<text x="8" y="{top + 15}" {FONT} fill="{INK}">No labs yet.</text>')
    return _svg(width, height, title, body)


def histogram_chart(
    buckets: list[tuple[str, int]],
    title: str = "Attempts needed to pass",
    x_label: str = "attempts",
) -> str:
    """One column per bucket, its count above it; the tallest column fills the plot."""
    col_w, gap, plot_h, top, left = 44, 12, 150, 40, 16
    width = left * 2 + len(buckets) * (col_w + gap)
    height = top + plot_h + 44
    peak = max((count for _, count in buckets), default=0)
    base = top + plot_h
    body = [f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{INK}"/>']
    for i, (label, count) in enumerate(buckets):
        x = left + i * (col_w + gap) + gap // 2
        h = round(plot_h * count / peak, 1) if peak else 0
        body.append(
            f'<g class="column" data-bucket="{escape(label)}" data-count="{count}">'
            f'<rect x="{x}" y="{base - h}" width="{col_w}" height="{h}" rx="3" fill="{BAR}"/>'
            f'<text x="{x + col_w / 2}" y="{base - h - 4}" text-anchor="middle" {FONT} fill="{INK}">{count}</text>'
            f'<text x="{x + col_w / 2}" y="{base + 16}" text-anchor="middle" {FONT} fill="{INK}">{escape(label)}</text></g>'
        )
    body.append(
        f'<text x="{width / 2}" y="{base + 36}" text-anchor="middle" {FONT} fill="{INK}">{escape(x_label)}</text>'
    )
    return _svg(width, height, title, body)
