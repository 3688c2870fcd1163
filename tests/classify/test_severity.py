"""Severity: the formula in data/rules/severity.yaml, and its memo."""

from __future__ import annotations

from streamproc.classify import severity
from streamproc.classify.severity import load_severity


def test_formula_base_breadth_and_casualty_bonuses():
    model = load_severity()
    score, reasons = model.score({"shelling": None, "armed_clash": None}, 3, None)
    top = max(("shelling", "armed_clash"), key=lambda c: model.weights[c])
    expected = model.weights[top] + model.breadth + max(b for t, b in model.killed if 3 >= t)
    assert score == round(min(1.0, expected), 4)
    assert reasons[0].startswith(f"base {model.weights[top]:.2f} from {top}")
    assert any("breadth" in r for r in reasons) and reasons[-1].endswith("3 killed")
    assert model.score({}, None, None) == (0.0, [])


def test_ceasefire_subtype_weight_replaces_the_category_weight():
    model = load_severity()
    for subtype, weight in model.ceasefire_subtypes.items():
        assert model.score({"ceasefire": subtype}, None, None)[0] == round(min(1.0, weight), 4)


def test_memo_answers_as_the_formula_and_hands_out_fresh_lists():
    model = load_severity()
    args = ({"airstrike": None, "casualties": None}, 12, 40)
    first = model.score(*args)
    assert first == model._score(*args)
    first[1].append("tampered")
    assert model.score(*args) == model._score(*args)  # a caller's edit never reaches the memo


def test_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(severity, "MEMO_SIZE", 5)
    model = load_severity()
    for killed in range(50):
        assert model.score({"shelling": None}, killed, None) == model._score({"shelling": None}, killed, None)
    assert len(model._memo) <= 5
