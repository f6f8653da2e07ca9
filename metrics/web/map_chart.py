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
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from legislators.names import hindi_chosen
from metrics.numbers import indian_number

from .charts import CONFIG_FONT

# ColorBrewer RdYlGn (colour-blind safer than a plain red-green ramp thanks to its light middle).
COLOUR_SCALE = [[0.0, "#a50026"], [0.25, "#f46d43"], [0.5, "#ffffbf"], [0.75, "#66bd63"], [1.0, "#006837"]]
NA_COLOUR = "#c4c4c4"
BORDER = {"width": 0.7, "color": "#ffffff"}
# The JSON of a stored geometry goes into the page as it is stored (already compact and simplified): a
# placeholder string in the figure is replaced by it, so no shape is parsed and written again per request.
PLACEHOLDER = re.compile(r'"@shape:(\d+)@"')
# As Django's json_script: the data block cannot close its <script> element.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


SENTINEL = 987654321  # a pk no URL pattern minds: the URL is reversed once, then the pk put in


def _url_maker(name):
    """A function pk → the URL named ``name`` for that pk (reversed once); None when the name has no URL."""
    try:
        template = reverse(name, args=[SENTINEL])
    except NoReverseMatch:
        return None
    return lambda pk: template.replace(str(SENTINEL), str(pk))


class _Words:
    """What every seat's hover and link are made of, translated and reversed once per figure (not per seat)."""

    def __init__(self):
        self.hindi = hindi_chosen()
        self.member = _("Member: %(name)s")
        self.share = _("Share of voters: %(share)s")
        self.needed = _("Followers needed: %(needed)s")
        self.not_applicable = _("n/a")
        self.filtered = _("Member not among those shown (filters)")
        self.vacant = _("No sitting member")
        self.member_url = _url_maker("metrics:member")
        self.seat_url = _url_maker("metrics:constituency")

    def script(self, name, name_hi):
        return name_hi if name_hi and self.hindi else name


def seat_url(seat, words=None):
    """The page a click on ``seat`` opens: its member's; a vacant seat's own page (when the URL exists); or ""."""
    words = words or _Words()
    member_id = seat.member.id if seat.member is not None else seat.sitting_member_id
    if member_id is not None:
        return words.member_url(member_id)
    return words.seat_url(seat.constituency_id) if words.seat_url else ""


def hover_text(seat, words=None):
    """The seat's hover box: number and name, member, share, followers needed (Indian grouping).

    No <b>: plotly writes it as a style attribute, which the Content-Security-Policy refuses."""
    words = words or _Words()
    lines = [f"{escape(seat.number)} {escape(words.script(seat.name, seat.name_hi))}"]
    member = seat.member
    if member is not None:
        lines.append(words.member % {"name": escape(words.script(member.name, member.name_hi))})
        share = f"{member.share:.2f}%" if member.share is not None else words.not_applicable
        if member.share is None and member.na_reason:
            share += f" ({escape(member.na_reason_label)})"
        lines.append(words.share % {"share": share})
        if member.needed is not None:
            lines.append(words.needed % {"needed": indian_number(member.needed)})
    else:
        lines.append(words.filtered if seat.sitting_member_id is not None else words.vacant)
        lines.append(words.share % {"share": words.not_applicable})
    return "<br>".join(lines)


def _trace(seats, z, words, **style):
    return {
        "type": "choroplethmap",
        "geojson": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": str(seat.constituency_id), "geometry": f"@shape:{seat.constituency_id}@"}
                for seat in seats
            ],
        },
        "locations": [str(seat.constituency_id) for seat in seats],
        "z": z,
        "text": [hover_text(seat, words) for seat in seats],
        "customdata": [seat_url(seat, words) for seat in seats],
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
    words = _Words()
    if shared:
        data.append(
            _trace(
                shared,
                [round(seat.member.share, 2) for seat in shared],
                words,
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
                words,
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


def seat_map_script(figure, seat_map, element_id="seat-map-data"):
    """The figure as a <script type="application/json"> block (compact), each seat's stored geometry in place
    of its placeholder. "" without a figure."""
    if figure is None:
        return ""
    geometries = {str(seat.constituency_id): seat.geometry.translate(SCRIPT_ESCAPES) for seat in seat_map.seats}
    text = json.dumps(figure, separators=(",", ":"), cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES)
    text = PLACEHOLDER.sub(lambda match: geometries[match.group(1)], text)
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
