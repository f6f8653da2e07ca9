"""Reading constituency boundaries from GeoJSON: pure functions, no database.

``read_features`` turns the file's bytes into its features (or an
ImportFileError that says what is wrong and what is expected);
``feature_number`` finds the constituency number in a feature's properties
(a property named by the user, or one of the usual names: ``ac_no``,
``AC_NO``, ...); ``clean_geometry`` checks a Polygon or MultiPolygon in
longitude/latitude degrees and simplifies it for the map (3 decimals, about
110 m, finer than a pixel even at a district's zoom; repeated points dropped; a ring of more than MAX_RING_POINTS points
thinned by Ramer-Douglas-Peucker).
"""

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _

from .read import check_size
from .rows import ImportFileError

DECIMALS = 3
MAX_RING_POINTS = 500  # a ring with more is thinned (the map needs no more at a state's scale)
THIN_TOLERANCE = 0.0005  # degrees, about 50 m
MAX_POINTS = 300_000  # every shape of a file together, after simplifying: a bigger file is refused
# Where a constituency of India can lie (degrees): a sanity check that catches swapped or projected coordinates.
INDIA = {"west": 68.0, "east": 98.0, "south": 6.0, "north": 38.0}
# Property names read as the constituency number, compared lower-cased without "_", " " and "-".
NUMBER_PROPERTIES = ("ac_no", "acno", "ac_number", "ac", "number", "constituency_number", "constituency_no", "ac_code")


class GeometryError(ValueError):
    """A feature's geometry cannot be used (the message says what is expected)."""


def read_features(content):
    """The features of a GeoJSON FeatureCollection (a list of dicts); ImportFileError when it is not one."""
    check_size(len(content))
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text: expected a GeoJSON file saved as UTF-8.")) from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("The file is not valid JSON (line %(line)s, column %(column)s: %(error)s): expected GeoJSON.")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ImportFileError(
            _(
                'The file is JSON but not a GeoJSON FeatureCollection: expected {"type": "FeatureCollection", '
                '"features": [...]}.'
            )
        )
    _check_crs(data.get("crs"))
    features = data["features"]
    if not features:
        raise ImportFileError(_("The file has no features: expected one feature per constituency."))
    if len(features) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s features: split it into files of at most %(limit)s features.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )
    return features


def _check_crs(crs):
    """GeoJSON is longitude/latitude in WGS84; an old-style "crs" member naming anything else is refused."""
    if not crs:
        return
    name = str(((crs or {}).get("properties") or {}).get("name", "")).upper()
    if not any(known in name for known in ("CRS84", "4326")):
        raise ImportFileError(
            _(
                "The file's coordinates are in %(crs)s: expected longitude/latitude in WGS84 (EPSG:4326). "
                "Reproject the file first."
            )
            % {"crs": name or _("an unnamed system")}
        )


def _key(name):
    return "".join(ch for ch in str(name).lower() if ch not in "_ -")


def number_property(features, wanted=""):
    """The property holding the constituency number: ``wanted`` when given, else the first of
    NUMBER_PROPERTIES present in a feature (any case). "" when none is found."""
    candidates = [_key(wanted)] if wanted else [_key(name) for name in NUMBER_PROPERTIES]
    for feature in features[:50]:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            continue
        by_key = {_key(name): name for name in properties}
        for candidate in candidates:
            if candidate in by_key:
                return by_key[candidate]
    return ""


def feature_number(feature, prop):
    """(number, name) from a feature's properties; number None when absent or not a whole number > 0."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    raw = properties.get(prop)
    name = next((str(value) for key, value in properties.items() if _key(key) in ("acname", "name")), "")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return None, name
    return (number if number > 0 else None), name


def clean_geometry(geometry):
    """A checked, simplified geometry: (compact GeoJSON text, (west, south, east, north), points, thinned).

    Raises GeometryError saying what is expected.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        raise GeometryError(_("The geometry is %(kind)s: expected a Polygon or a MultiPolygon.") % {"kind": kind})
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError(_("The geometry has no coordinates."))
    cleaned, thinned = [], False
    for polygon in polygons:
        rings = []
        for position, ring in enumerate(polygon if isinstance(polygon, list) else [None]):
            points, was_thinned = _clean_ring(ring)
            thinned = thinned or was_thinned
            if len(points) >= 4:
                rings.append(points)
            elif position == 0:
                raise GeometryError(_("A polygon's outer ring has fewer than 3 distinct points."))
        cleaned.append(rings)
    points = [point for polygon in cleaned for ring in polygon for point in ring]
    box = (
        min(p[0] for p in points),
        min(p[1] for p in points),
        max(p[0] for p in points),
        max(p[1] for p in points),
    )
    if len(cleaned) == 1:
        shape = {"type": "Polygon", "coordinates": cleaned[0]}
    else:
        shape = {"type": "MultiPolygon", "coordinates": cleaned}
    return json.dumps(shape, separators=(",", ":")), box, len(points), thinned


def _clean_ring(ring):
    """A ring's points rounded, repeated ones dropped, closed; thinned when long. (points, thinned)."""
    if not isinstance(ring, list):
        raise GeometryError(_("A ring is not a list of [longitude, latitude] positions."))
    points = []
    for position in ring:
        point = _position(position)
        if not points or point != points[-1]:
            points.append(point)
    if points and points[0] != points[-1]:
        points.append(points[0])
    thinned = len(points) > MAX_RING_POINTS
    if thinned:
        points = _thin(points, THIN_TOLERANCE)
    return points, thinned


def _position(position):
    if not (isinstance(position, list) and len(position) >= 2):
        raise GeometryError(_("A position is not [longitude, latitude]."))
    lon, lat = position[0], position[1]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)):
        raise GeometryError(_("A position holds %(value)s: expected two numbers.") % {"value": position[:2]})
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryError(
            _(
                "The position %(lon)s, %(lat)s is not longitude/latitude in degrees: reproject the file to WGS84 "
                "(EPSG:4326)."
            )
            % {"lon": lon, "lat": lat}
        )
    return [round(lon, DECIMALS), round(lat, DECIMALS)]


def _thin(points, tolerance):
    """Ramer-Douglas-Peucker on a closed ring (its first and last points kept), iterative."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            x0, y0 = points[index]
            if length:
                d = abs((x2 - x1) * (y1 - y0) - (x1 - x0) * (y2 - y1)) / length
            else:
                d = math.hypot(x0 - x1, y0 - y1)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    thinned = [point for point, kept in zip(points, keep, strict=True) if kept]
    return thinned if len(thinned) >= 4 else points


def sanity_problem(box):
    """A sentence when the file's bounding box lies outside India (coordinates swapped or of
    another place), else ""."""
    west, south, east, north = box
    inside = INDIA["west"] <= west and east <= INDIA["east"] and INDIA["south"] <= south and north <= INDIA["north"]
    if inside:
        return ""
    swapped = INDIA["west"] <= south and north <= INDIA["east"] and INDIA["south"] <= west and east <= INDIA["north"]
    if swapped:
        return _(
            "The coordinates look like latitude, longitude: GeoJSON puts the longitude first ([lon, lat]). "
            "Swap them and upload the file again."
        )
    return _(
        "The shapes lie at longitude %(west)s to %(east)s, latitude %(south)s to %(north)s, outside India "
        "(longitude 68 to 98, latitude 6 to 38): expected the state's constituencies in longitude/latitude."
    ) % {"west": round(west, 2), "east": round(east, 2), "south": round(south, 2), "north": round(north, 2)}
