"""The walk's points as a terminal table, JSON, CSV or Markdown (a pull-request comment), and
the projected zero date every format shares."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Callable

from flake8_ssot.progress.walk import DIMENSIONS, Point, Walk

RECENT_DAYS = 28  # the slope is fitted on the points of the last four weeks...
MIN_RECENT_POINTS = 3  # ...or on the last three points, whichever are more
DAY = 86400

TITLES = {
    "path": "legacy path or symbol",
    "code": "code",
    "canonical": "canonical target",
    "owner": "owner",
    "directory": "directory",
}

PROJECTION_METHOD = (
    f"a least-squares line through the counts of the points of the last {RECENT_DAYS} days "
    f"(at least the last {MIN_RECENT_POINTS} points), against their commit dates, extended to where it crosses zero"
)


@dataclass(frozen=True)
class Projection:
    slope_per_day: float | None  # None: fewer than two points, or all at one time
    zero_time: int | None  # when the line reaches zero; None if the count is not falling
    current: int

    def describe(self) -> str:
        if self.current == 0:
            return "already at zero"
        if self.slope_per_day is None:
            return "not enough history for a slope"
        if self.zero_time is None:
            return f"not falling ({self.slope_per_day:+.2f} per day): no zero date"
        return f"{_date(self.zero_time)} ({self.slope_per_day:+.2f} per day)"


def projection(points: list[Point], value: Callable[[Point], int]) -> Projection:
    if not points:
        return Projection(None, None, 0)
    last = points[-1]
    recent = [p for p in points if p.time >= last.time - RECENT_DAYS * DAY]
    if len(recent) < MIN_RECENT_POINTS:
        recent = points[-MIN_RECENT_POINTS:]
    current = value(last)
    xs = [p.time / DAY for p in recent]
    ys = [value(p) for p in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if len(recent) < 2 or spread == 0:
        return Projection(None, None, current)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    if slope >= 0 or current == 0:
        return Projection(slope, None, current)
    # From the fitted line's value at the last point, not the raw count: the line is the trend.
    fitted = mean_y + slope * (last.time / DAY - mean_x)
    days = max(0.0, fitted / -slope)
    return Projection(slope, int(last.time + days * DAY), current)


def _date(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d")


def point_name(point: Point) -> str:
    if point.commit is None:
        return point.label
    return f"{point.commit.short} ({point.commit.date})"


def series_keys(walk: Walk, by: str) -> list[str]:
    """Every key ever counted in the window, the largest now first."""
    last = walk.points[-1].counts[by] if walk.points else {}
    seen: dict[str, int] = {}
    for point in walk.points:
        for key, count in point.counts[by].items():
            seen[key] = max(seen.get(key, 0), count)
    return sorted(seen, key=lambda key: (-last.get(key, 0), -seen[key], key))


def signed(change: int) -> str:
    return f"{change:+d}" if change else "0"


def _arrow(change: int) -> str:
    return "↓" if change < 0 else "↑" if change > 0 else "→"


def rows(walk: Walk, by: str) -> list[dict]:
    """Per key: now, change since the previous point and over the window, the trend."""
    points = walk.points
    result = []
    for key in [*series_keys(walk, by), None]:
        def value(point: Point, key=key) -> int:
            return point.total if key is None else point.counts[by].get(key, 0)

        now = value(points[-1])
        since_last = now - value(points[-2]) if len(points) > 1 else 0
        window = now - value(points[0])
        result.append({
            "key": "total" if key is None else key, "now": now, "since_previous": since_last,
            "over_window": window, "trend": _arrow(since_last),
            "projected_zero": projection(points, value).describe(),
        })
    return result


def change_counts(walk: Walk) -> tuple[int, int]:
    """(removed, added) legacy uses between the first point and the last, per file, code and subject."""
    if len(walk.points) < 2:
        return 0, 0
    before, after = walk.points[0].findings, walk.points[-1].findings
    removed = sum(max(0, count - after.get(key, 0)) for key, count in before.items())
    added = sum(max(0, count - before.get(key, 0)) for key, count in after.items())
    return removed, added


def top_files(point: Point, limit: int = 15) -> list[tuple[str, int]]:
    return sorted(point.files.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _window(walk: Walk) -> str:
    points = walk.points
    if len(points) == 1:
        return f"1 point: {point_name(points[0])}"
    return f"{len(points)} points from {point_name(points[0])} to {point_name(points[-1])}"


def render_text(walk: Walk, by: str) -> str:
    table = rows(walk, by)
    headers = ("now", "since previous", "over window", "trend", TITLES[by])
    cells = [(str(r["now"]), signed(r["since_previous"]), signed(r["over_window"]), r["trend"], r["key"])
             for r in table]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers[:4])]
    lines = [f"Legacy uses by {TITLES[by]}, {_window(walk)}:"]
    lines.append("  " + "  ".join(h.rjust(w) for h, w in zip(headers, widths)) + "  " + headers[4])
    for cell in cells:
        lines.append("  " + "  ".join(c.rjust(w) for c, w in zip(cell, widths)) + "  " + cell[4])
    lines.append(f"Projected zero: {table[-1]['projected_zero']}; from {PROJECTION_METHOD}.")
    return "\n".join(lines) + "\n"


def to_json(walk: Walk, by: str) -> dict:
    points = walk.points
    removed, added = change_counts(walk)
    total = projection(points, lambda p: p.total)
    return {
        "by": by,
        "points": [
            {
                "label": p.label,
                "commit": p.commit.id if p.commit else None,
                "date": _date(p.time),
                "time": p.time,
                "subject": p.commit.subject if p.commit else None,
                "governed": p.governed,
                "total": p.total,
                "counts": {dimension: dict(sorted(p.counts[dimension].items())) for dimension in DIMENSIONS},
                "unchecked": dict(sorted(p.unchecked.items())),
            }
            for p in points
        ],
        "rows": rows(walk, by) if points else [],
        "removed": removed,
        "added": added,
        "projection": {
            "method": PROJECTION_METHOD,
            "slope_per_day": total.slope_per_day,
            "zero_date": _date(total.zero_time) if total.zero_time is not None else None,
        },
        "top_files": [{"path": path, "count": count} for path, count in top_files(points[-1])] if points else [],
        "skipped": walk.skipped,
        "notes": walk.notes,
    }


def render_json(walk: Walk, by: str) -> str:
    return json.dumps(to_json(walk, by), indent=2, ensure_ascii=False) + "\n"


def render_csv(walk: Walk, by: str) -> str:
    """One row per point and key, every dimension: a spreadsheet pivots it as it likes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["point", "commit", "date", "dimension", "key", "count"])
    for p in walk.points:
        commit = p.commit.id if p.commit else ""
        writer.writerow([p.label, commit, _date(p.time), "total", "total", p.total])
        for dimension in DIMENSIONS:
            for key, count in sorted(p.counts[dimension].items()):
                writer.writerow([p.label, commit, _date(p.time), dimension, key, count])
    return out.getvalue()


def _plural(count: int, word: str) -> str:
    return f"{count} legacy {word}{'' if count == 1 else 's'}"


def render_markdown(walk: Walk, by: str) -> str:
    """For a pull-request comment: what the range removes and adds, then the table."""
    points = walk.points
    removed, added = change_counts(walk)
    first, last = points[0], points[-1]
    lines = [
        f"**flake8-ssot progress**: this range removes {_plural(removed, 'use')}, adds {added} "
        f"({first.total} → {last.total}; {point_name(first)} → {point_name(last)}).",
        "",
        f"| {TITLES[by]} | before | after | change |",
        "|---|---:|---:|---:|",
    ]
    for key in series_keys(walk, by):
        before, after = first.counts[by].get(key, 0), last.counts[by].get(key, 0)
        if before or after:
            lines.append(f"| `{key}` | {before} | {after} | {signed(after - before)} |")
    lines.append(f"| **total** | {first.total} | {last.total} | {signed(last.total - first.total)} |")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": render_json, "csv": render_csv, "markdown": render_markdown, "text": render_text}
