"""The OpenAPI schema validates, and every query parameter it documents is exercised here: each
with a good value (200) and, where the parameter is checked, a bad one (400, 404 or 406) —
an answer that can only come from the view reading that parameter."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

# A good and a bad value for each documented parameter (None: no value is refused).
EXAMPLES = {
    "q": ("Asha", "x" * 101),
    "role": ("ministers", "king"),
    "party": (lambda state: state["party"].pk, "999999"),
    "division": (lambda state: state["north"].pk, "999999"),
    "district": (lambda state: state["uphill"].pk, "junk"),
    "platform": ("x", "myspace"),
    "status": ("below", "great"),
    "date": (lambda state: state["today"].isoformat(), "2999-01-01"),
    "sort": ("-reach", "height"),
    "start": ("2020-01-01", "2999-01-01"),
    "end": (lambda state: state["today"].isoformat(), "yesterday"),
    "step": ("weekly", "hourly"),
    "by": ("division", "party"),
    "stale": ("on", None),
    "page_size": ("1", None),
}
BAD_STATUS = {"cursor": 404, "format": 406}


@pytest.fixture
def schema(api, people, state):
    response = api(people["analyst"]).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_the_schema_documents_every_endpoint_and_the_token(schema):
    assert set(schema["paths"]) == {
        "/api/v1/members/",
        "/api/v1/members/{id}/",
        "/api/v1/members/{id}/history/",
        "/api/v1/constituencies/",
        "/api/v1/constituencies/{id}/",
        "/api/v1/standings/",
        "/api/v1/rollups/",
        "/api/v1/fetch-runs/",
        "/api/v1/freshness/",
    }
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from the API tokens page: Authorization: Bearer ft_...",
    }


def _value(example, state):
    return example(state) if callable(example) else example


def test_every_documented_query_parameter_is_exercised(api, people, state, schema):
    client = api(people["analyst"])
    asha = state["members"]["asha"]
    exercised, wrong = set(), []
    for path, operations in schema["paths"].items():
        url = path.replace("{id}", str(asha.constituency_id if "constituencies" in path else asha.pk))
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            if name == "cursor":
                first = client.get(url, {"page_size": 1}).json()
                good = [first["next"]] if first.get("next") else []
                checks = [(next_url, None, 200) for next_url in good] + [(url, {"cursor": "junk"}, 404)]
            elif name == "format":
                checks = [(url, {"format": value}, 200) for value in parameter["schema"]["enum"]]
                checks.append((url, {"format": "xml"}, 406))
            else:
                assert name in EXAMPLES, f"{path}: give the documented parameter {name!r} an example in this test"
                good, bad = EXAMPLES[name]
                checks = [(url, {name: _value(good, state)}, 200)]
                if bad is not None:
                    checks.append((url, {name: _value(bad, state)}, 400))
            for check_url, params, expected in checks:
                response = client.get(check_url, params)
                if response.status_code != expected:
                    wrong.append(f"{path} {params}: {response.status_code}, expected {expected}")
                elif expected == 200 and name == "page_size" and "results" in response.json():
                    if len(response.json()["results"]) > 1:
                        wrong.append(f"{path} page_size=1 gave {len(response.json()['results'])} rows")
            exercised.add((path, name))
    assert not wrong, "\n".join(wrong)
    assert ("/api/v1/standings/", "sort") in exercised and ("/api/v1/members/{id}/history/", "step") in exercised


def test_a_parameter_the_views_do_not_read_is_not_documented(schema):
    """The lists' documented parameters are the pages' names (and the API's own paging and format)."""
    page_filters = {"q", "role", "party", "division", "district", "platform", "status", "date", "sort"}
    report_options = {"start", "end", "step", "by", "stale"}
    api_own = {"cursor", "page_size", "format"}
    for path, operations in schema["paths"].items():
        names = {p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"}
        assert names <= page_filters | report_options | api_own, path
