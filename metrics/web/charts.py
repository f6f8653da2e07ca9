"""Plotly figures as plain data: pages put them in a json_script block and
static/js/charts.js draws them (no inline script, so a strict CSP holds).

Pure functions over what the selectors returned: no query here.
"""

import math

from django.utils.translation import gettext as _

from legislators.models import Platform
from legislators.names import in_script, platform_label
from metrics.numbers import indian_number

COLOURS = {
    "below": "#b03a2e",
    "meets": "#1e8449",
    "stretch": "#117a65",
    "target": "#c0392b",
    "stretch_line": "#27ae60",
    "combined": "#222222",
    # Not the brands' own colours where those clash with a line of ours: X's black would read as
    # Combined, YouTube's red as the target line. Far apart from each other and from every line.
    Platform.X: "#7b61ff",
    Platform.FACEBOOK: "#0072b2",
    Platform.INSTAGRAM: "#cc79a7",
    Platform.YOUTUBE: "#e69f00",
}
# The line colours no platform may resemble.
LINE_COLOURS = ("target", "stretch_line", "combined")
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
    # The band as text: %{x} in a hover template already carries the axis's "%" suffix.
    bands = [f"{index * BIN_WIDTH:.1f}–{(index + 1) * BIN_WIDTH:.1f}%" for index in range(bins)]
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
                "customdata": bands,
                "hovertemplate": _("%{customdata} of voters: %{y} members") + "<extra></extra>",
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
                # The text, not %{x}: the axis's "%" suffix would be doubled.
                "hovertemplate": "%{y}: %{text}<extra></extra>",
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


RANGE_BUTTONS = (
    (30, "day", "30 d"),
    (90, "day", "90 d"),
    (1, "year", "1 y"),
)


def history_chart(page):
    """One line per platform, the combined line, the target and stretch lines
    (following the voter roll in force) and the voter-roll changes marked.

    Hover is unified (every line's value on the day under the pointer), numbers are
    written with Indian grouping by the server (hover text and the axis's ticks), and
    range buttons pick the last 30 days, 90 days, a year or everything.
    """
    combined = page.history["combined"]
    # Every platform's days are among the combined line's: each day's text is made once.
    xs = [d.isoformat() for d, _v in combined]
    traces = _platform_traces(page.history, xs) + _target_traces(page.target, page.rolls, combined, xs)
    traces += _unusual_traces(page.unusual, combined)
    roll_changes = [roll for roll in page.rolls if combined and combined[0][0] <= roll.published_on <= page.day]
    top = max((value for trace in traces for value in trace["y"] if value is not None), default=0)
    tick_values = nice_ticks(top)
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 70, "r": 10, "t": 24, "b": 40},
            "font": CONFIG_FONT,
            # Below the date ticks, whose first label has a second line (the year): nothing overlaps it.
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.2},
            "hovermode": "x unified",
            "yaxis": _followers_axis(tick_values),
            "xaxis": {
                "type": "date",
                "hoverformat": "%-d %b %Y",
                "rangeselector": {"buttons": _range_buttons(), "x": 0, "y": 1.02, "yanchor": "bottom"},
            },
            "shapes": [_roll_line(roll) for roll in roll_changes],
            "annotations": [_roll_annotation(roll) for roll in roll_changes],
        },
    }


def _followers_axis(tick_values):
    """The followers axis, its ticks written by the server in Indian grouping (1,50,000, not 150k)."""
    axis = {"title": {"text": _("Followers")}, "rangemode": "tozero"}
    if tick_values:
        axis.update(
            range=[0, tick_values[-1]],
            tickvals=tick_values,
            ticktext=[indian_number(value) for value in tick_values],
        )
    return axis


def _range_buttons():
    labels = {"30 d": _("30 d"), "90 d": _("90 d"), "1 y": _("1 y")}
    buttons = [
        {"count": count, "step": step, "stepmode": "backward", "label": labels[label]}
        for count, step, label in RANGE_BUTTONS
    ]
    return buttons + [{"step": "all", "label": _("All")}]


def nice_ticks(top, *, most=6):
    """Round tick values from 0 to at least ``top``: steps of 1, 2, 2.5 or 5 × 10^k, at most ``most`` steps."""
    if not top or top <= 0:
        return []
    magnitude = 10 ** max(0, math.floor(math.log10(top / most)))
    step = next(
        candidate * magnitude
        for candidate in (1, 2, 2.5, 5, 10, 20, 25, 50)
        if candidate * magnitude * most >= top and float(candidate * magnitude).is_integer()
    )
    count = math.ceil(top / step)
    return [int(step * index) for index in range(count + 1)]


def _platform_traces(history, xs):
    """A line per platform, then the combined line; hover text in Indian grouping."""
    combined = history["combined"]
    iso = dict(zip((d for d, _v in combined), xs, strict=True))
    traces = [
        _line_trace(
            platform_label(platform),
            [iso.get(d) or d.isoformat() for d, _v in points],
            [v for _d, v in points],
            {"color": COLOURS.get(platform), "width": 1.5},
        )
        for platform, points in sorted(history["platforms"].items())
    ]
    traces.append(_line_trace(_("Combined"), xs, [v for _d, v in combined], {"width": 3, "color": COLOURS["combined"]}))
    return traces


def _line_trace(name, xs, ys, line):
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "line": line,
        "x": xs,
        "y": ys,
        "customdata": [indian_number(value) for value in ys],
        "hovertemplate": "%{customdata}",
    }


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
        _line_trace(
            label,
            xs,
            [round(count * percent / 100) if count else None for count in electors],
            {"dash": dash, "color": colour},
        )
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
            # Hollow diamonds: told apart from every line by their shape, not a colour of their own.
            "marker": {"symbol": "diamond", "size": 10, "color": "#ffffff", "line": {"color": "#222222", "width": 2}},
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


def roll_chart(rolls, day):
    """The seat's electorate over time: a step line of its voter rolls (``seat.RollRow``, oldest first) carried on
    to ``day``, the roll in force ringed; the electors axis (not from zero: a roll changes by a few per cent) in
    Indian grouping written by the server."""
    if not rolls:
        return None
    xs = [row.roll.published_on.isoformat() for row in rolls]
    ys = [row.roll.total_electors for row in rolls]
    in_force = [row for row in rolls if row.in_force]
    if in_force and day > rolls[-1].roll.published_on:
        xs.append(day.isoformat())  # the roll in force holds until the day shown
        ys.append(in_force[0].roll.total_electors)
    tick_values = band_ticks(min(ys), max(ys))
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": xs,
                "y": ys,
                "text": [indian_number(value) for value in ys],
                "line": {"shape": "hv", "color": COLOURS["combined"], "width": 2},
                "marker": {"size": [7] * len(rolls) + [0] * (len(xs) - len(rolls)), "color": COLOURS["combined"]},
                "name": _("Registered voters"),
                "hovertemplate": "%{x|%-d %b %Y}: %{text}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": [row.roll.published_on.isoformat() for row in in_force],
                "y": [row.roll.total_electors for row in in_force],
                "text": [indian_number(row.roll.total_electors) for row in in_force],
                "marker": {"size": 14, "color": "rgba(0,0,0,0)", "line": {"color": COLOURS["meets"], "width": 3}},
                "name": _("The roll in force"),
                "hovertemplate": "%{x|%-d %b %Y}: %{text}<extra></extra>",
            },
        ],
        "layout": {
            "height": 240,
            "margin": {"l": 80, "r": 16, "t": 12, "b": 40},
            "font": CONFIG_FONT,
            "showlegend": False,
            "xaxis": {"type": "date", "hoverformat": "%-d %b %Y"},
            "yaxis": {
                "title": {"text": _("Registered voters")},
                "range": [tick_values[0], tick_values[-1]],
                "tickvals": tick_values,
                "ticktext": [indian_number(value) for value in tick_values],
            },
        },
    }


def band_ticks(low, high, *, most=5):
    """Round ticks around [low, high] (not from zero): a step of 1, 2, 2.5 or 5 × 10^k, at most ``most`` steps."""
    spread = max(high - low, max(high, 1) // 20, 1)  # a single roll still gets a band around it
    magnitude = 10 ** max(0, math.floor(math.log10(spread)) - 1)
    step = next(
        candidate * magnitude
        for candidate in (1, 2, 2.5, 5, 10, 20, 25, 50, 100)
        if candidate * magnitude * most >= spread
    )
    step = int(step) or 1
    while True:
        first = max(0, (low - spread // 4) // step * step)
        last = -(-(high + spread // 4) // step) * step
        if (last - first) // step <= most:
            return list(range(first, max(last, first + step) + 1, step))
        step *= 2
