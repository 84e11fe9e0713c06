"""`--html FILE`: one self-contained page (no script, style sheet or font fetched from
anywhere) with a burn-down chart per legacy path and per owner, drawn as SVG by pygal, the
current top files and the projected zero date, with how it is computed."""

from __future__ import annotations

import datetime as dt
import html

import pygal
from pygal.style import Style

from flake8_ssot.progress.report import (
    DAY,
    PROJECTION_METHOD,
    TITLES,
    change_counts,
    point_name,
    projection,
    series_keys,
    top_files,
)
from flake8_ssot.progress.walk import Point, Walk

MAX_CHARTS = 12  # per dimension: the series with the most uses now; the JSON has them all

STYLE = Style(
    background="white", plot_background="white", foreground="#333", foreground_strong="#111",
    foreground_subtle="#ccc", colors=("#c0392b", "#2c7fb8", "#999999"), font_family="sans-serif",
)

PAGE_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1em; }
figure { margin: 0; border: 1px solid #ddd; padding: .5em; }
figcaption { font-size: .9em; color: #444; }
table { border-collapse: collapse; } td, th { padding: .2em .8em; border-bottom: 1px solid #eee; text-align: left; }
td.count { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: .9em; }
"""


def _when(point: Point) -> dt.datetime:
    return dt.datetime.fromtimestamp(point.time, dt.timezone.utc).replace(tzinfo=None)


def chart_svg(title: str, points: list[Point], value) -> str:
    """One burn-down: the count at each point, and the projection's line to zero if falling."""
    chart = pygal.DateTimeLine(
        width=520, height=260, style=STYLE, show_legend=True, legend_at_bottom=True, legend_at_bottom_columns=2,
        x_label_rotation=30, truncate_label=-1, js=[], disable_xml_declaration=True, explicit_size=True,
        x_value_formatter=lambda when: when.strftime("%Y-%m-%d"), show_x_guides=False, dots_size=1.5,
        include_x_axis=True, title=title, max_scale=6,
    )
    chart.add("legacy uses", [(_when(p), value(p)) for p in points])
    projected = projection(points, value)
    if projected.zero_time is not None and projected.slope_per_day is not None:
        last = points[-1]
        # Drawn at most as far ahead as the window reaches back, so that a distant zero date
        # does not squeeze the history into a corner; the caption gives the date.
        horizon = last.time + max(last.time - points[0].time, 7 * DAY)
        end = min(projected.zero_time, horizon)
        start_value = value(last)
        end_value = max(0.0, start_value + projected.slope_per_day * (end - last.time) / DAY)
        when = dt.datetime.fromtimestamp(end, dt.timezone.utc).replace(tzinfo=None)
        chart.add("projection", [(_when(last), start_value), (when, round(end_value, 1))],
                  stroke_style={"dasharray": "6,4"})
    return chart.render(is_unicode=True)


def render_html(walk: Walk) -> str:
    points = walk.points
    last = points[-1]
    removed, added = change_counts(walk)
    total = projection(points, lambda p: p.total)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>flake8-ssot migration progress</title>",
        f"<style>{PAGE_CSS}</style></head><body>",
        "<h1>flake8-ssot migration progress</h1>",
        f'<p id="summary">{len(points)} points, from {html.escape(point_name(points[0]))} to '
        f"{html.escape(point_name(last))}: <strong>{last.total}</strong> legacy uses now "
        f"({last.total - points[0].total:+d} over the window; {removed} removed, {added} added).</p>",
        f'<p id="projection">Projected zero: <strong>{html.escape(total.describe())}</strong>.</p>',
        f'<p class="note">How the date is computed: {html.escape(PROJECTION_METHOD)}. '
        "It assumes the recent pace goes on; a week of no change moves it far out. "
        "The dashed line is that projection, drawn at most as far ahead as the window reaches back.</p>",
    ]
    parts.append('<figure class="chart" data-series="total">' + chart_svg("All legacy uses", points, lambda p: p.total)
                 + f"<figcaption>All legacy uses; projected zero: {html.escape(total.describe())}"
                 "</figcaption></figure>")
    for dimension in ("path", "owner"):
        keys = [k for k in series_keys(walk, dimension)][:MAX_CHARTS]
        parts.append(f'<h2 id="by-{dimension}">Per {TITLES[dimension]}</h2>')
        if not keys:
            parts.append('<p class="note">Nothing counted.</p>')
            continue
        parts.append('<div class="charts">')
        for key in keys:
            def value(point: Point, key=key, dimension=dimension) -> int:
                return point.counts[dimension].get(key, 0)

            described = projection(points, value).describe()
            parts.append(
                f'<figure class="chart" data-dimension="{dimension}" data-series="{html.escape(key, quote=True)}">'
                + chart_svg(key, points, value)
                + f"<figcaption>{html.escape(key)}: {value(last)} now; projected zero: {html.escape(described)}"
                "</figcaption></figure>"
            )
        parts.append("</div>")
        hidden = len(series_keys(walk, dimension)) - len(keys)
        if hidden > 0:
            parts.append(f'<p class="note">{hidden} more in <code>--output-format json</code>.</p>')
    parts.append('<h2 id="top-files">Top files now</h2><table id="top-files-table"><tr><th>file</th><th>uses</th></tr>')
    for path, count in top_files(last):
        parts.append(f'<tr><td><code>{html.escape(path)}</code></td><td class="count">{count}</td></tr>')
    parts.append("</table>")
    for title, lines in (("Commits skipped", walk.skipped), ("Notes", walk.notes)):
        if lines:
            parts.append(f"<h2>{title}</h2><ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
