"""The constituency boundaries import (GeoJSON): a dry run reports matched and unmatched features and the
constituencies left without a shape; apply writes the shapes; bad input gets a message saying what is expected;
``load_reference mp`` loads the shipped boundaries."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from legislators.imports import apply as imports
from legislators.imports import boundaries
from legislators.imports.shapes import MAX_RING_POINTS
from legislators.models import AuditEntry, Constituency, ConstituencyShape, ImportBatch
from tests import factories

pytestmark = pytest.mark.django_db

KIND = ImportBatch.Kind.BOUNDARIES


def square(lon, lat, size=0.1):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def geojson(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture
def seats():
    district = factories.district()
    return [factories.constituency(district, number=n, name=f"Seat {n}", state_code="MP") for n in (1, 2, 3)]


def preview(content, **options):
    return imports.import_preview(kind=KIND, content=content, filename="shapes.geojson", **options)


def sections(plan):
    return {section["id"]: (section["count"], section["items"]) for section in plan.sections}


def messages(plan):
    return " | ".join(error.as_text() for error in plan.errors)


def test_a_dry_run_reports_matched_and_unmatched_features_and_seats_without_a_shape_then_apply_writes(seats):
    content = geojson(
        feature({"ac_no": 1, "ac_name": "Seat 1"}, square(77.0, 23.0)),
        feature({"ac_no": 2, "ac_name": "Seat 2"}, square(77.2, 23.0)),
        feature({"ac_no": 99, "ac_name": "Elsewhere"}, square(77.4, 23.0)),
    )
    batch, plan = preview(content, constants={"licence": "CC BY 4.0, Someone"})

    assert plan.ok and batch.status == ImportBatch.Status.PREVIEWED
    assert sections(plan) == {
        "matched": (2, []),
        "unmatched": (1, ["feature 3: number 99 Elsewhere"]),
        "without-shape": (1, ["3 Seat 3"]),
    }
    assert (batch.created, batch.updated, batch.unchanged) == (2, 0, 0)
    assert ConstituencyShape.objects.count() == 0  # a dry run writes nothing

    imports.import_apply(batch=batch)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    shape = ConstituencyShape.objects.get(constituency=seats[0])
    assert json.loads(shape.geometry)["type"] == "Polygon"
    assert (shape.west, shape.south, shape.east, shape.north) == (77.0, 23.0, 77.1, 23.1)
    assert (shape.points, shape.source, shape.licence) == (5, "shapes.geojson", "CC BY 4.0, Someone")
    assert AuditEntry.objects.filter(model="legislators.constituencyshape", batch=batch).count() == 2

    # The same file again: nothing to change; a moved shape is an update.
    _batch, plan = preview(content)
    assert (plan.count("unchanged"), plan.count("create"), plan.count("update")) == (2, 0, 0)
    assert sections(plan)["without-shape"] == (1, ["3 Seat 3"])
    moved = geojson(feature({"ac_no": 1}, square(77.05, 23.0)))
    _batch, plan = preview(moved)
    assert plan.count("update") == 1 and plan.changes[0].diff["geometry"] == ["5 points", "5 points"]


def test_the_number_property_is_detected_in_any_case_or_named_by_a_mapping(seats):
    _batch, plan = preview(geojson(feature({"AC_NO": "2", "AC_NAME": "x"}, square(77.0, 23.0))))
    assert plan.ok and plan.count("create") == 1
    assert "“AC_NO”" in plan.warnings[0]

    content = geojson(feature({"seat": 3, "id": 7}, square(77.0, 23.0)))
    _batch, plan = preview(content)
    assert not plan.ok and "No feature property holds the constituency number" in messages(plan)
    _batch, plan = preview(content, mapping={"seat": "number"})
    assert plan.ok and plan.changes[0].values["constituency"] == seats[2].pk


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"type": "FeatureCollection", "features": [', "not valid JSON (line 1"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (geojson(), "no features"),
        (geojson(feature({"ac_no": ""}, square(77, 23))), "Feature 1 has no constituency number in “ac_no”"),
        (geojson(feature({"ac_no": 1}, square(77, 23)), feature({"ac_no": "two"}, square(77, 23))), "Feature 2"),
        (
            geojson(feature({"ac_no": 1}, square(77, 23)), feature({"ac_no": 1}, square(78, 23))),
            "Constituency 1 has two features (1 and 2)",
        ),
        (geojson(feature({"ac_no": 1}, {"type": "Point", "coordinates": [77, 23]})), "expected a Polygon"),
        (geojson(feature({"ac_no": 1}, square(23.0, 77.0))), "look like latitude, longitude"),
        (geojson(feature({"ac_no": 1}, square(2.35, 48.85))), "outside India"),
        (geojson(feature({"ac_no": 1}, square(712000, 2540000))), "not longitude/latitude in degrees"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32643"}},
                    "features": [feature({"ac_no": 1}, square(77, 23))],
                }
            ).encode(),
            "expected longitude/latitude in WGS84",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(seats, content, expected):
    batch, plan = preview(content)
    assert not plan.ok and batch.status == ImportBatch.Status.REFUSED
    assert expected in messages(plan)
    assert not plan.changes
    imports.import_apply(batch=batch)  # the admin's apply of a refused file: still nothing, no exception
    assert ConstituencyShape.objects.count() == 0


def test_size_bounds_like_the_other_imports(seats, settings):
    content = geojson(*[feature({"ac_no": n}, square(77 + n / 10, 23)) for n in (1, 2, 3)])
    settings.IMPORT_MAX_ROWS = 2
    _batch, plan = preview(content)
    assert "more than 2 features" in messages(plan)
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_BYTES = 100
    _batch, plan = preview(content)
    assert "the largest accepted is 100" in messages(plan)


def test_a_long_ring_is_thinned_for_the_map(seats):
    # A circle of 2,000 points (about 11 km across): stored with far fewer, its box kept.
    import math

    ring = [
        [round(77 + 0.1 * math.cos(2 * math.pi * i / 2000), 6), round(23 + 0.1 * math.sin(2 * math.pi * i / 2000), 6)]
        for i in range(2000)
    ]
    ring.append(ring[0])
    batch, plan = preview(geojson(feature({"ac_no": 1}, {"type": "Polygon", "coordinates": [ring]})))
    imports.import_apply(batch=batch)
    shape = ConstituencyShape.objects.get()
    assert 8 < shape.points < MAX_RING_POINTS
    assert (round(shape.west, 2), round(shape.east, 2)) == (76.9, 77.1)


def test_the_admin_upload_dry_run_and_apply_without_a_traceback(client, seats):
    editor = factories.user("editor", "Editor", is_staff=True)
    client.force_login(editor)
    upload = reverse("admin:legislators_importbatch_upload")
    content = geojson(feature({"ac_no": 1}, square(77, 23)), feature({"ac_no": 42}, square(78, 23)))

    wrong = client.post(upload, {"kind": KIND, "file": SimpleUploadedFile("shapes.csv", content)})
    assert wrong.status_code == 200 and "read from a .geojson or .json file" in wrong.content.decode()
    page = client.post(upload, {"kind": KIND, "file": SimpleUploadedFile("shapes.geojson", content)}, follow=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'Features matched to a constituency: <span class="count">1</span>' in text
    assert 'Features without a recorded constituency (left out): <span class="count">1</span>' in text
    assert "feature 2: number 42" in text and "2 Seat 2" in text and "3 Seat 3" in text
    assert ConstituencyShape.objects.count() == 0

    batch = ImportBatch.objects.get()
    applied = client.post(reverse("admin:legislators_importbatch_preview", args=[batch.pk]), follow=True)
    assert applied.status_code == 200 and "Imported: 1 created" in applied.content.decode()
    assert ConstituencyShape.objects.get().constituency == seats[0]

    bad = client.post(upload, {"kind": KIND, "file": SimpleUploadedFile("bad.geojson", b"{nope")}, follow=True)
    assert bad.status_code == 200 and "not valid JSON" in bad.content.decode()


def test_import_data_command_dry_run_then_import(seats, tmp_path):
    path = tmp_path / "shapes.geojson"
    path.write_bytes(geojson(feature({"AC": 1}, square(77, 23)), feature({"AC": 5}, square(78, 23))))
    call_command("import_data", KIND, str(path), "--dry-run", "--set", "state_code=MP", stdout=io.StringIO())
    assert ConstituencyShape.objects.count() == 0
    call_command("import_data", KIND, str(path), stdout=io.StringIO())
    assert list(ConstituencyShape.objects.values_list("constituency__number", flat=True)) == [1]


def test_load_reference_mp_loads_226_shapes_and_reports_what_is_missing():
    out = io.StringIO()
    call_command("load_reference", "mp", stdout=out)
    text = out.getvalue()

    assert ConstituencyShape.objects.count() == 226
    without = set(Constituency.objects.filter(state_code="MP", shape__isnull=True).values_list("number", flat=True))
    assert without == {205, 206, 207, 208}
    assert "boundaries: 226 created, 0 unchanged" in text
    assert "226 features matched to a constituency, 0 unmatched; 4 constituencies without a shape" in text
    assert "205 Indore-2" in text
    shape = ConstituencyShape.objects.get(constituency__number=156)
    assert "Hindustan Times Labs (MIT) / DataMeet (CC BY 2.5 IN)" in shape.licence
    assert 76 < shape.west < shape.east < 79 and 22 < shape.south < shape.north < 24

    again = io.StringIO()
    call_command("load_reference", "mp", stdout=again)
    assert "boundaries: 0 created, 226 unchanged" in again.getvalue()
    assert ConstituencyShape.objects.count() == 226


def test_the_plan_reads_a_fixed_number_of_queries(seats, django_assert_max_num_queries):
    content = geojson(*[feature({"ac_no": n}, square(77 + n / 10, 23)) for n in range(1, 60)])
    with django_assert_max_num_queries(2):
        plan = boundaries.plan_boundaries(content, filename="x.geojson")
    assert plan.ok and plan.count("create") == 3
