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


@pytest.mark.parametrize("env, message", [
    ({"STREAMPROC_BATCH_WAIT_MS": "0"}, "STREAMPROC_BATCH_WAIT_MS='0': must be at least 1"),  # would spin the loop
    ({"STREAMPROC_MAX_MESSAGE_BYTES": "4096"}, "must be at least 16384"),  # every alert too large
    ({"STREAMPROC_WEBHOOK_RETRY_DELAYS": ""}, "at least one delay"),  # nowhere to defer a busy subscriber's tasks
    ({"STREAMPROC_WEBHOOK_RETRY_DELAYS": "5,-1"}, "none negative"),
    ({"STREAMPROC_BATCH_SIZE": "0"}, "STREAMPROC_BATCH_SIZE"),
    ({"STREAMPROC_WEB_PORT": "70000"}, "port number"),
    ({"STREAMPROC_LOG_LEVEL": "verbose"}, "one of critical, debug"),
    ({"STREAMPROC_BATCHSIZE": "10"}, "STREAMPROC_BATCHSIZE: no such setting \\(did you mean STREAMPROC_BATCH_SIZE\\?\\)"),
])
def test_values_out_of_range_and_unknown_names_fail_at_start_up(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_the_test_harness_names_are_not_settings_but_allowed():
    assert Settings.from_env({"STREAMPROC_TEST_SLOW_SEEK": "1.5", "STREAMPROC_LOG_LEVEL": "INFO"}).log_level == "INFO"


def test_config_masks_secrets(capsys, monkeypatch):
    from streamproc.cli.main import main

    monkeypatch.setenv("STREAMPROC_ADMIN_TOKEN", "tok-very-secret")
    monkeypatch.setenv("STREAMPROC_WEBHOOK_SECRET", "whsec-very-secret")
    with pytest.raises(SystemExit) as done:
        main(["config"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "very-secret" not in out
    assert "STREAMPROC_ADMIN_TOKEN=(set, not shown)" in out
