from pathlib import Path

import pytest
import yaml

from streamproc.config import Settings
from streamproc.publish.cloudevents import alert_headers
from streamproc.publish.webhooks.model import config_id
from streamproc.publish.webhooks.subscribers import SubscriberConfigError, load_subscribers

REPO = Path(__file__).resolve().parent.parent.parent


def test_bootstrap_from_file_and_env(tmp_path):
    f = tmp_path / "subs.yaml"
    f.write_text(yaml.safe_dump([{"id": "ngo", "url": "https://hooks.example.org/a", "secret": "plain-shared",
                                  "filters": {"min_severity": "high"}}]))
    subs = load_subscribers(Settings(webhooks_file=str(f), webhook_urls="http://127.0.0.1:9/h",
                                     webhook_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    assert [s.id for s in subs] == ["ngo", config_id("http://127.0.0.1:9/h")]
    assert all(s.source == "config" and s.trusted and s.active for s in subs)
    assert subs[0].filters == {"min_severity": "high"} and subs[0].signing_secrets() == ["plain-shared"]


@pytest.mark.parametrize("doc", ["- {url: 'ftp://x'}", "- {secret: x}", "- {url: 'https://a/', filters: {x: 1}}",
                                 "- {url: 'https://a/'}", "- {url: 'https://a/', secret: whsec_bbbbb}",
                                 # a misspelt key would have given an unfiltered subscription
                                 "- {url: 'https://a/', secret: s, filter: {min_severity: high}}"])
def test_bootstrap_errors(tmp_path, doc):
    f = tmp_path / "subs.yaml"
    f.write_text(doc)
    with pytest.raises(SubscriberConfigError):
        load_subscribers(Settings(webhooks_file=str(f)))


def test_cloudevents_binary_headers():
    alert = {"alert_id": "alr_1", "detected_at": "2020-07-13T17:13:00.000Z", "schema_version": "1.0",
             "article": {"id": "afp-1"}}
    h = {k: v.decode() for k, v in alert_headers(alert, "/streamproc/x").items()}
    assert h == {"ce_specversion": "1.0", "ce_id": "alr_1", "ce_type": "org.streamproc.alert.created",
                 "ce_source": "/streamproc/x", "ce_time": "2020-07-13T17:13:00.000Z",
                 "content-type": "application/json", "ce_subject": "afp-1",
                 "ce_dataschema": "urn:streamproc:alert:1.0"}


def test_openapi_document_covers_the_routes():
    doc = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text("utf-8"))
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]["/subscriptions"]) == {"get", "post"}
    assert set(doc["paths"]["/subscriptions/{id}"]) >= {"get", "patch", "delete"}
    from streamproc.classify import CATEGORIES
    from streamproc.publish.webhooks.delivery import EVENT_TYPE, UPDATE_EVENT_TYPE

    assert set(doc["webhooks"]) == {EVENT_TYPE, UPDATE_EVENT_TYPE}
    schemas = doc["components"]["schemas"]
    assert tuple(schemas["Filters"]["properties"]["categories"]["items"]["enum"]) == CATEGORIES
    example = doc["paths"]["/subscriptions"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert set(example["filters"]["categories"]) <= set(CATEGORIES)
