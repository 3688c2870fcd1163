import pytest

from streamproc.config import DOCS, Settings, describe, markdown_table


def test_defaults_and_parsing():
    s = Settings.from_env({"STREAMPROC_WEB_PORT": "7000", "STREAMPROC_WEBHOOK_RETRY_DELAYS": "0.1, 2",
                           "STREAMPROC_BROKER": "kafka://h1:9092;kafka://h2:9092"})
    assert s.web_port == 7000 and s.webhook_retry_delays == (0.1, 2.0)
    assert s.bootstrap_servers() == "h1:9092,h2:9092"
    assert Settings.from_env({}).topic_dlq == "articles.dlq"


def test_invalid_values_are_reported_by_name():
    with pytest.raises(ValueError, match="STREAMPROC_WEB_PORT"):
        Settings.from_env({"STREAMPROC_WEB_PORT": "http"})
    with pytest.raises(ValueError, match="kafka://"):
        Settings.from_env({"STREAMPROC_BROKER": "localhost:9092"})


def test_every_setting_is_documented_and_the_readme_table_is_the_generated_one():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert len(describe()) == len(DOCS)
    table = markdown_table()
    assert table in readme, "README's configuration table differs: paste `streamproc config --markdown`"


def test_config_markdown_prints_the_table(capsys):
    from streamproc.cli.main import main

    with pytest.raises(SystemExit) as done:
        main(["config", "--markdown"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == markdown_table()
