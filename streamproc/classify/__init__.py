"""Escalation classification: pure code over the per-language rule files in ``data/rules``."""

CATEGORIES = ("ceasefire", "shelling", "airstrike", "armed_clash", "explosion", "casualties")
#: Categories that make an article an escalation (every category is one; ceasefire calls included).
VIOLENT_CATEGORIES = ("shelling", "airstrike", "armed_clash", "explosion", "casualties")
CEASEFIRE_SUBTYPES = ("violation", "agreement", "call")  # priority order
