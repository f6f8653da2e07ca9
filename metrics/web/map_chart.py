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
    """The seat's hover box: number and name, member, share, followers needed (Indian grouping).

    No <b>: plotly writes it as a style attribute, which the Content-Security-Policy refuses."""
    lines = [f"{escape(seat.number)} {escape(in_script(seat.name, seat.name_hi))}"]
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


def legend(target):
    """The page's key to the colours, [(swatch class, label)]: the scale's five stops, then n/a.

    An HTML list, not plotly's colour bar: plotly gives the bar's rectangles a style attribute,
    which the Content-Security-Policy refuses."""
    top = 2 * target.percent
    return [
        ("swatch-far", _("%(percent)s%%: far below the target") % {"percent": 0}),
        ("swatch-below", _("%(percent)s%%: below") % {"percent": f"{top / 4:g}"}),
        ("swatch-at", _("%(percent)s%%: at the target") % {"percent": f"{target.percent:g}"}),
        ("swatch-above", _("%(percent)s%%: above") % {"percent": f"{top * 3 / 4:g}"}),
        ("swatch-stretch", _("%(percent)s%% or more: twice the target") % {"percent": f"{top:g}"}),
        ("swatch-na", _("n/a: no share yet, no sitting member, or not among the members shown")),
    ]


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
                showscale=False,  # the key is the page's legend (see legend())
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
