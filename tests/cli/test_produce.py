from streamproc.cli.produce import iter_payloads


def test_jsonl_lines_are_read_byte_for_byte_and_keyed_by_id(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_bytes(b'{"id": "a1", "text": "x"}\nnot json\n\n{"id": 5, "text": "y"}\n')
    assert list(iter_payloads(f)) == [(b"a1", b'{"id": "a1", "text": "x"}'), (None, b"not json"),
                                      (b"5", b'{"id": 5, "text": "y"}')]


def test_directory_of_text_files_becomes_articles(tmp_path):
    (tmp_path / "story.txt").write_text("Shelling overnight.", encoding="utf-8")
    [(key, value)] = list(iter_payloads(tmp_path))
    assert key == b"story" and b'"text":"Shelling overnight."' in value
