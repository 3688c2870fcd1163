import pytest

from streamproc.publish.webhooks.filters import FilterError, alert_countries, matches, normalise_filters

ALERT = {
    "alert_id": "alr_1", "severity": "high", "language": "ar",
    "categories": [{"name": "shelling"}, {"name": "casualties"}],
    "entities": [{"id": "Q159", "country": "RU"}, {"id": "Q227", "country": "AZ"}],
    "primary_country": "AZ", "location": {"country": "AZ"},
}


def test_no_filters_match_everything():
    assert matches({}, ALERT) and matches(normalise_filters(None), ALERT)


@pytest.mark.parametrize("filters, expected", [
    ({"min_severity": "low"}, True), ({"min_severity": "high"}, True), ({"min_severity": "critical"}, False),
    ({"categories": ["shelling", "airstrike"]}, True), ({"categories": ["airstrike"]}, False),
    ({"countries": ["az"]}, True), ({"countries": ["RU"]}, True), ({"countries": ["UA"]}, False),
    ({"languages": ["AR", "en"]}, True), ({"languages": ["en"]}, False),
    ({"entities": ["q159"]}, True), ({"entities": ["Q1"]}, False),
    ({"min_severity": "medium", "categories": ["shelling"], "countries": ["AZ"]}, True),
    ({"min_severity": "medium", "categories": ["shelling"], "countries": ["UA"]}, False),  # AND across keys
    ({"categories": []}, True),  # an empty list is no constraint
])
def test_each_filter(filters, expected):
    assert matches(normalise_filters(filters), ALERT) is expected


def test_alert_without_optional_fields():
    bare = {"alert_id": "a", "severity": "low", "categories": [], "entities": [], "language": "en",
            "primary_country": None, "location": None}
    assert alert_countries(bare) == set()
    assert not matches(normalise_filters({"countries": ["AZ"]}), bare)
    assert not matches(normalise_filters({"min_severity": "medium"}), bare)


def test_normalisation_folds_case_and_dedupes():
    assert normalise_filters({"countries": ["az", "AZ"], "entities": ["q159"], "languages": ["AR"]}) == \
        {"countries": ["AZ"], "entities": ["Q159"], "languages": ["ar"]}


@pytest.mark.parametrize("bad", [
    [], "x", {"min_severity": "huge"}, {"countries": "AZ"}, {"countries": ["AZE"]}, {"entities": ["Russia"]},
    {"languages": [1]}, {"colour": ["red"]}, {"categories": ["Not A Category!"]}, {"categories": ["air_strike"]},
])
def test_invalid_filters_are_refused(bad):
    with pytest.raises(FilterError):
        normalise_filters(bad)


def test_a_misspelt_category_is_refused_with_the_known_names():
    with pytest.raises(FilterError, match=r"unknown value 'air_strike' \(known: ceasefire, shelling, airstrike"):
        normalise_filters({"categories": ["air_strike"]})
