"""Alerts validate against the published JSON Schema; alert ids are deterministic."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import orjson

from streamproc.alerts.build import alert_id_for
from streamproc.ingest.article import Article
from tests.conftest import fixture_articles

ALERT_SCHEMA = json.loads(resources.files("streamproc").joinpath("schemas/alert.schema.json").read_text())
ARTICLE_SCHEMA = json.loads(resources.files("streamproc").joinpath("schemas/article.schema.json").read_text())


def test_every_fixture_alert_validates(pipeline):
    count = 0
    for fixture in fixture_articles():
        raw = {k: v for k, v in fixture.items() if k != "expected"}
        jsonschema.validate(raw, ARTICLE_SCHEMA)
        outcome = pipeline.process(orjson.dumps(raw))
        if outcome.alert:
            jsonschema.validate(outcome.alert, ALERT_SCHEMA)
            count += 1
    assert count >= 10


def test_alert_id_depends_on_id_and_text_only():
    a = Article(id="x", text="t", title="one")
    assert alert_id_for(a) == alert_id_for(Article(id="x", text="t", title="two"))
    assert alert_id_for(a) != alert_id_for(Article(id="x", text="t2"))
    assert alert_id_for(a) != alert_id_for(Article(id="y", text="t"))
