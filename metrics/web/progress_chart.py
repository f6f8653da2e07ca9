"""The "meeting the target, week by week" chart: plotly figure data from ``progress.progress()`` points.

Pure: no query here (the overview passes the points it read).
"""

from django.utils.translation import gettext as _

from .charts import COLOURS, CONFIG_FONT


def progress_chart(points):
    """Lines of the share of members meeting the target, the stretch line, and stagnant, per period."""
    if not points:
        return None
    days = [point.day.isoformat() for point in points]
    series = [
        (_("Meeting the target"), [point.meets_share for point in points], COLOURS["meets"], "solid"),
        (_("Meeting the stretch line"), [point.stretch_share for point in points], COLOURS["stretch"], "dot"),
        (_("Stagnant"), [point.stagnant_share for point in points], COLOURS["below"], "dash"),
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": days,
                "y": [None if value is None else round(value, 1) for value in values],
                "name": name,
                "line": {"color": colour, "dash": dash},
                "hovertemplate": "%{x}: %{y}%<extra>" + name + "</extra>",
            }
            for name, values, colour, dash in series
        ],
        "layout": {
            "margin": {"l": 45, "r": 10, "t": 28, "b": 45},
            "font": CONFIG_FONT,
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.2},  # below the two-line first date tick
            "xaxis": {"type": "date"},
            "yaxis": {"title": {"text": _("Members (%)")}, "rangemode": "tozero", "ticksuffix": "%"},
        },
    }
