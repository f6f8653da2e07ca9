"""Plotly figures as plain data: pages put them in a json_script block and
static/js/charts.js draws them (no inline script, so a strict CSP holds).

Pure functions over what the selectors returned: no query here.
"""

import math

from django.utils.translation import gettext as _

from legislators.models import Platform
from legislators.names import in_script
from metrics.numbers import indian_number

COLOURS = {
    "below": "#b03a2e",
    "meets": "#1e8449",
    "stretch": "#117a65",
    "target": "#c0392b",
    "stretch_line": "#27ae60",
    Platform.X: "#111111",
    Platform.FACEBOOK: "#1877f2",
    Platform.INSTAGRAM: "#c13584",
    Platform.YOUTUBE: "#e62117",
}
BIN_WIDTH = 0.5  # percentage points of share of voters per bar
CONFIG_FONT = {"family": 'system-ui, "Noto Sans", "Noto Sans Devanagari", sans-serif'}


def _target_lines(target, *, axis="x"):
    """Vertical (axis="x") or horizontal (axis="y") lines at the target and the stretch line."""
    shapes, annotations = [], []
    for value, label, colour, dash in (
        (target.percent, _("Target %(percent)s%%") % {"percent": target.percent}, COLOURS["target"], "dash"),
        (
            target.stretch_percent,
            _("Stretch %(percent)s%%") % {"percent": target.stretch_percent},
            COLOURS["stretch_line"],
            "dot",
        ),
    ):
        if axis == "x":
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": value,
                    "x1": value,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": colour, "dash": dash, "width": 2},
                }
            )
            annotations.append(
                {
                    "x": value,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": label,
                    "showarrow": False,
                    "xanchor": "left" if dash == "dot" else "right",
                    "yanchor": "bottom",
                    "font": {"color": colour},
                }
            )
        else:
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "yref": "y",
                    "x0": 0,
                    "x1": 1,
                    "y0": value,
                    "y1": value,
                    "line": {"color": colour, "dash": dash, "width": 2},
                }
            )
    return shapes, annotations


def distribution_chart(members, target):
    """How many members sit in each band of share of voters, with the two lines."""
    shares = [m.share for m in members if m.share is not None]
    if not shares:
        return None
    top = max(max(shares), target.stretch_percent) + BIN_WIDTH
    bins = int(top // BIN_WIDTH) + 1
    counts = [0] * bins
    for share in shares:
        counts[min(int(share // BIN_WIDTH), bins - 1)] += 1
    centres = [round((index + 0.5) * BIN_WIDTH, 2) for index in range(bins)]
    colours = [
        COLOURS["below"]
        if centre < target.percent
        else COLOURS["stretch"]
        if centre >= target.stretch_percent
        else COLOURS["meets"]
        for centre in centres
    ]
    shapes, annotations = _target_lines(target, axis="x")
    return {
        "data": [
            {
                "type": "bar",
                "x": centres,
                "y": counts,
                "width": BIN_WIDTH * 0.95,
                "marker": {"color": colours},
                "name": _("Members"),
                "hovertemplate": _("%{x}% of voters: %{y} members") + "<extra></extra>",
            }
        ],
        "layout": {
            "margin": {"l": 45, "r": 10, "t": 28, "b": 45},
            "font": CONFIG_FONT,
            "showlegend": False,
            "bargap": 0.05,
            "xaxis": {"title": {"text": _("Share of voters (%)")}, "rangemode": "tozero", "ticksuffix": "%"},
            # Whole members only: no 0.5 ticks when the counts are small.
            "yaxis": {
                "title": {"text": _("Members")},
                "rangemode": "tozero",
                "dtick": max(1, math.ceil(max(counts) / 6)),
            },
            "shapes": shapes,
            "annotations": annotations,
        },
    }


def rollup_chart(groups, target):
    """Elector-weighted attainment per division or district, as horizontal bars
    (they stay legible on a phone however many districts there are)."""
    groups = [group for group in groups if group.attainment is not None]
    if not groups:
        return None
    groups = sorted(groups, key=lambda group: group.attainment)
    names = [in_script(group.name, group.name_hi) or _("No district") for group in groups]
    values = [round(group.attainment, 2) for group in groups]
    colours = [
        COLOURS["below"]
        if value < target.percent
        else COLOURS["stretch"]
        if value >= target.stretch_percent
        else COLOURS["meets"]
        for value in values
    ]
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": value,
            "x1": value,
            "y0": 0,
            "y1": 1,
            "line": {"color": colour, "dash": dash, "width": 2},
        }
        for value, colour, dash in (
            (target.percent, COLOURS["target"], "dash"),
            (target.stretch_percent, COLOURS["stretch_line"], "dot"),
        )
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": values,
                "marker": {"color": colours},
                "text": [f"{value:.2f}%" for value in values],
                "textposition": "auto",
                "hovertemplate": "%{y}: %{x:.2f}%<extra></extra>",
            }
        ],
        "layout": {
            "height": 90 + 26 * len(groups),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
            "font": CONFIG_FONT,
            "showlegend": False,
            "xaxis": {
                "title": {"text": _("Attainment: total followers / total voters (%)")},
                "ticksuffix": "%",
                "rangemode": "tozero",
            },
            "yaxis": {"automargin": True},
            "shapes": shapes,
        },
    }


def history_chart(page):
    """One line per platform, the combined line, the target and stretch lines
    (following the voter roll in force) and the voter-roll changes marked."""
    combined = page.history["combined"]
    # Every platform's days are among the combined line's: each day's text is made once.
    xs = [d.isoformat() for d, _v in combined]
    traces = _platform_traces(page.history, xs) + _target_traces(page.target, page.rolls, combined, xs)
    traces += _unusual_traces(page.unusual, combined)
    roll_changes = [roll for roll in page.rolls if combined and combined[0][0] <= roll.published_on <= page.day]
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 60, "r": 10, "t": 24, "b": 40},
            "font": CONFIG_FONT,
            "legend": {"orientation": "h", "y": -0.15},
            "yaxis": {"title": {"text": _("Followers")}, "rangemode": "tozero"},
            "xaxis": {"type": "date"},
            "shapes": [_roll_line(roll) for roll in roll_changes],
            "annotations": [_roll_annotation(roll) for roll in roll_changes],
        },
    }


def _platform_traces(history, xs):
    """A line per platform, then the combined line."""
    combined = history["combined"]
    iso = dict(zip((d for d, _v in combined), xs, strict=True))
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": Platform(platform).label,
            "line": {"color": COLOURS.get(platform), "width": 1.5},
            "x": [iso.get(d) or d.isoformat() for d, _v in points],
            "y": [v for _d, v in points],
        }
        for platform, points in sorted(history["platforms"].items())
    ]
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Combined"),
            "line": {"width": 3, "color": "#222"},
            "x": xs,
            "y": [v for _d, v in combined],
        }
    )
    return traces


def _target_traces(target, rolls, combined, xs):
    """The target and stretch lines, following the voter roll in force each day."""
    if not (combined and rolls):
        return []
    electors = electors_by_day(rolls, [d for d, _v in combined])
    lines = (
        (target.percent, _("Target %(percent)s%%") % {"percent": target.percent}, "dash", COLOURS["target"]),
        (
            target.stretch_percent,
            _("Stretch %(percent)s%%") % {"percent": target.stretch_percent},
            "dot",
            COLOURS["stretch_line"],
        ),
    )
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": label,
            "line": {"dash": dash, "color": colour},
            "x": xs,
            "y": [round(count * percent / 100) if count else None for count in electors],
        }
        for percent, label, dash, colour in lines
    ]


def _unusual_traces(unusual, combined):
    """Diamonds on the combined line where a sudden rise or drop was flagged."""
    unusual = [flag for flag in unusual if flag.day]
    if not (unusual and combined):
        return []
    level = dict(combined)
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Sudden change"),
            "marker": {"symbol": "diamond", "size": 10, "color": "#d35400"},
            "x": [flag.day.isoformat() for flag in unusual],
            "y": [level.get(flag.day) for flag in unusual],
            "text": [f"{flag.platform_label}: {flag.label}" for flag in unusual],
            "hoverinfo": "text+x",
        }
    ]


def _roll_line(roll):
    day = roll.published_on.isoformat()
    line = {"color": "#777", "dash": "dot", "width": 1}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1, "line": line}


def _roll_annotation(roll):
    return {
        "x": roll.published_on.isoformat(),
        "y": 1,
        "xref": "x",
        "yref": "paper",
        "text": _("Voter roll: %(electors)s") % {"electors": indian_number(roll.total_electors)},
        "showarrow": False,
        "yanchor": "bottom",
        "font": {"size": 10},
    }


def electors_by_day(rolls, days):
    """The electors of the roll in force on each of ``days`` (ascending), in one walk
    along the ascending ``rolls`` (before the first roll: the first roll's)."""
    result = []
    index = 0
    for day in days:
        while index + 1 < len(rolls) and rolls[index + 1].published_on <= day:
            index += 1
        result.append(rolls[index].total_electors if rolls else None)
    return result
