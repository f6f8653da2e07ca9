"""The constituency map as plain Plotly data: a ``choroplethmap`` on a blank ("white-bg") base map,
drawn by static/js/map.js (no inline script; no tile, font or outline requested from anywhere).

Each seat is coloured by its member's share of voters on a diverging scale centred on the target
(red below, yellow at the target, green above; the stretch line marked on the colour bar); a seat
without a share (no count or roll yet, no sitting member, or a member the page's filters leave out)
is grey and reads "n/a". Every seat's shape is in the page once: coloured seats in the first trace,
grey ones in the second. ``customdata`` is the page a click opens: the member's, or for a vacant seat
the seat's page (when that page exists).

Pure function over the selector's result: no query here.
"""

import json

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from legislators.names import in_script
from metrics.numbers import indian_number

from .charts import CONFIG_FONT

# ColorBrewer RdYlGn (colour-blind safer than a plain red-green ramp thanks to its light middle).
COLOUR_SCALE = [[0.0, "#a50026"], [0.25, "#f46d43"], [0.5, "#ffffbf"], [0.75, "#66bd63"], [1.0, "#006837"]]
NA_COLOUR = "#c4c4c4"
BORDER = {"width": 0.7, "color": "#ffffff"}


def seat_url(seat):
    """The page a click on ``seat`` opens: its member's; a vacant seat's own page (when the URL exists); or ""."""
    member_id = seat.member.id if seat.member is not None else seat.sitting_member_id
    if member_id is not None:
        return reverse("metrics:member", args=[member_id])
    try:
        return reverse("metrics:constituency", args=[seat.constituency_id])
    except NoReverseMatch:
        return ""


def hover_text(seat):
    """The seat's hover box: number and name, member, share, followers needed (Indian grouping)."""
    lines = [f"<b>{escape(seat.number)} {escape(in_script(seat.name, seat.name_hi))}</b>"]
    member = seat.member
    if member is not None:
        lines.append(_("Member: %(name)s") % {"name": escape(in_script(member.name, member.name_hi))})
        share = f"{member.share:.2f}%" if member.share is not None else _("n/a")
        if member.share is None and member.na_reason:
            share += f" ({escape(member.na_reason_label)})"
        lines.append(_("Share of voters: %(share)s") % {"share": share})
        if member.needed is not None:
            lines.append(_("Followers needed: %(needed)s") % {"needed": indian_number(member.needed)})
    elif seat.sitting_member_id is not None:
        lines.append(_("Member not among those shown (filters)"))
        lines.append(_("Share of voters: %(share)s") % {"share": _("n/a")})
    else:
        lines.append(_("No sitting member"))
        lines.append(_("Share of voters: %(share)s") % {"share": _("n/a")})
    return "<br>".join(lines)


def _trace(seats, z, **style):
    return {
        "type": "choroplethmap",
        "geojson": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": str(seat.constituency_id), "geometry": json.loads(seat.geometry)}
                for seat in seats
            ],
        },
        "locations": [str(seat.constituency_id) for seat in seats],
        "z": z,
        "text": [hover_text(seat) for seat in seats],
        "customdata": [seat_url(seat) for seat in seats],
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"line": BORDER, "opacity": 1},
        **style,
    }


def _colour_bar(target):
    top = 2 * target.percent
    return {
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "y": 0.01,
        "yanchor": "bottom",
        "len": 0.8,
        "thickness": 10,
        "bgcolor": "rgba(255,255,255,0.85)",
        "title": {"text": _("Share of voters"), "side": "top"},
        "tickvals": [0, target.percent, target.stretch_percent, top],
        "ticktext": [
            "0%",
            _("%(percent)s%% target") % {"percent": target.percent},
            f"{target.stretch_percent}%",
            f"{top:g}%+",
        ],
    }


def seat_map_figure(seat_map):
    """The map's figure, plus ``fit``: the (west, south, east, north) box map.js fits the view to. None
    when no seat of the page has a shape."""
    if not seat_map.seats:
        return None
    target = seat_map.standings.target
    shared = [seat for seat in seat_map.seats if seat.member is not None and seat.member.share is not None]
    grey = [seat for seat in seat_map.seats if seat.member is None or seat.member.share is None]
    data = []
    if shared:
        data.append(
            _trace(
                shared,
                [round(seat.member.share, 2) for seat in shared],
                name=_("Share of voters"),
                colorscale=COLOUR_SCALE,
                zmin=0,
                zmax=2 * target.percent,
                colorbar=_colour_bar(target),
            )
        )
    if grey:
        data.append(
            _trace(
                grey,
                [0] * len(grey),
                name=_("n/a"),
                colorscale=[[0, NA_COLOUR], [1, NA_COLOUR]],
                showscale=False,
            )
        )
    west, south, east, north = seat_map.box
    return {
        "data": data,
        "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "font": CONFIG_FONT,
            "showlegend": False,
            "hoverlabel": {"align": "left"},
            "map": {"style": "white-bg", "center": {"lon": (west + east) / 2, "lat": (south + north) / 2}, "zoom": 5},
        },
        "fit": [west, south, east, north],
    }
