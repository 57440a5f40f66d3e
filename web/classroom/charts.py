"""Server-rendered SVG charts: small, readable, no JavaScript and no Node at build time."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

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


def pass_rate_chart(
    rates: list[tuple[str, int, int]], titles: dict[str, str] | None = None, title: str = ""
) -> str:
    """One horizontal bar per lab (named by its title): the share of the cohort that passed
    it, with 'n/m'."""
    title = title or _("Pass rate per lab")
    titles = titles or {}
    label_w, bar_w, row_h, top = 230, 260, 24, 32
    width, height = label_w + bar_w + 80, top + row_h * max(len(rates), 1) + 8
    body = []
    for i, (slug, passed, total) in enumerate(rates):
        y = top + i * row_h
        share = passed / total if total else 0.0
        body.append(
            f'<g class="bar" data-lab="{escape(slug)}" data-passed="{passed}" data-total="{total}">'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" {FONT} fill="{INK}">'
            f"{escape(_fit(titles.get(slug, slug)))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="14" rx="3" fill="{TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{round(bar_w * share, 1)}" height="14" rx="3" fill="{BAR}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 15}" {FONT} fill="{INK}">'
            f"{round(100 * share)}% ({passed}/{total})</text></g>"
        )
    if not rates:
        body.append(
            f'<text x="8" y="{top + 15}" {FONT} fill="{INK}">{escape(_("No labs yet."))}</text>'
        )
    return _svg(width, height, title, body)


def _fit(label: str, width: int = 30) -> str:
    """A label cut to about `width` Latin characters (a CJK character counts twice)."""
    used, out = 0, []
    for char in label:
        used += 2 if ord(char) > 0x2E80 else 1
        if used > width:
            return "".join(out).rstrip() + "…"
        out.append(char)
    return label


def histogram_chart(
    buckets: list[tuple[str, int]],
    title: str = "",
    x_label: str = "",
) -> str:
    """One column per bucket, its count above it; the tallest column fills the plot."""
    title = title or _("Attempts needed to pass")
    x_label = x_label or _("attempts")
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
